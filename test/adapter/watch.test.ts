/**
 * Data breakpoints end to end (adapter/watch.ts) on the bundled kernel: a write watch on
 * the PTE that a lazy page fault of `lazytests` is about to fill stops in the kernel
 * function that writes it (mappages, or walk for a missing page-table page) with the new
 * value valid; a watch on the global `ticks` (set from the Globals scope and by
 * expression) stops in clockintr with old and new values, honours a hit count and a C
 * condition, and stops a line step over `ticks++`; bad input (unknown names, values,
 * unmapped addresses, read access, foreign ids) gets one-line reasons.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ProcessesResponse } from '../../adapter/protocol';
import * as C from './client';

const TRAP_C = join(__dirname, '..', '..', 'kernel', 'kernel', 'trap.c');
/** `acquire(&tickslock);` in clockintr, the line before `ticks++`. */
const TICKS_LOCK_LINE = 33;

describe('data breakpoints', function () {
  this.timeout(180_000);
  const client = C.consoleClientPerTest();
  let dc: DebugClient;
  beforeEach(() => {
    dc = client.dc;
  });
  const shell = (cmd: string): Promise<void> => client.shell(cmd);

  const stopped = (): Promise<DebugProtocol.StoppedEvent> => C.nextStop(dc);
  const evaluate = async (expression: string): Promise<string> =>
    (await dc.evaluateRequest({ expression, context: 'watch' })).body.result;
  const topName = async (threadId: number): Promise<string> =>
    (await dc.stackTraceRequest({ threadId })).body.stackFrames[0]!.name;
  /** The 64-bit word at a kernel (direct-mapped) physical address. */
  const word = async (pa: bigint): Promise<bigint> =>
    BigInt(await evaluate(`*(uint64 *)0x${pa.toString(16)}`));

  it('stops where the kernel writes the PTE of a lazily allocated page', async () => {
    const ev = stopped();
    await C.launchWithLazyFaultBreakpoint(dc);
    await shell('lazytests');
    assert.equal((await ev).body.reason, 'function breakpoint');
    const stval = BigInt(/0x[0-9a-f]+/.exec(await evaluate('$stval'))![0]);
    const procs = (await dc.customRequest('xv6.processes', {})).body as ProcessesResponse;
    const me = procs.processes.find((p) => p.hart === 0)!;
    assert.equal(me.name, 'lazytests');
    assert.ok(stval < BigInt(me.sz), `stval 0x${stval.toString(16)} is a lazy page`);

    // Walk the process's Sv39 table (privileged spec 4.3.2) to the deepest existing PTE.
    let table = (BigInt(me.satp) & ((1n << 44n) - 1n)) << 12n;
    let ptePa = 0n;
    for (let level = 2; level >= 0; level--) {
      ptePa = table + ((stval >> BigInt(12 + 9 * level)) & 0x1ffn) * 8n;
      const pte = await word(ptePa);
      if ((pte & 1n) === 0n) break;
      assert.equal(pte & 0xen, 0n, 'the fault page is not mapped yet');
      table = (pte >> 10n) << 12n;
    }
    assert.equal(await word(ptePa), 0n, 'the PTE to be written is empty');

    const expr = `*(uint64 *)0x${ptePa.toString(16)}`;
    const info = (await dc.dataBreakpointInfoRequest({ name: expr })).body;
    assert.ok(info.dataId, info.description);
    assert.deepEqual(info.accessTypes, ['write']);
    assert.equal(info.canPersist, false);
    const set = await dc.setDataBreakpointsRequest({
      breakpoints: [{ dataId: info.dataId, accessType: 'write' }],
    });
    const bp = set.body.breakpoints[0]!;
    assert.equal(bp.verified, true, bp.message);
    assert.match(bp.message ?? '', /physical 0x0000000087[0-9a-f]{6}.*kernel direct map|through hart 0/);

    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const hit = stopped();
    await dc.continueRequest({ threadId: 1 });
    const e = await hit;
    assert.equal(e.body.reason, 'data breakpoint');
    assert.deepEqual(e.body.hitBreakpointIds, [bp.id]);
    const m = /^Write to 0x0000000087[0-9a-f]{6} \(\*\(uint64 \*\)0x[0-9a-f]+\): 0x0 -> (0x[0-9a-f]+)$/.exec(
      e.body.description ?? '',
    );
    assert.ok(m, `description: ${e.body.description}`);
    const now = BigInt(m[1]!);
    assert.equal(now & 1n, 1n, 'the new PTE is valid');
    assert.equal(await word(ptePa), now, 'memory holds the new value');
    assert.match(await topName(e.body.threadId!), /^(mappages|walk)$/);
  });

  it('watches ticks by name: stops in clockintr, counts hits, and explains bad input', async () => {
    const ev = stopped();
    await C.launch(dc, { disk: undefined }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] }),
    );
    const first = await ev;
    assert.equal(first.body.reason, 'function breakpoint');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

    // From the Globals scope, and by expression: the same watch.
    const st = await dc.stackTraceRequest({ threadId: first.body.threadId! });
    const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0]!.id });
    const globals = scopes.body.scopes.find((s) => s.name === 'Globals')!;
    const fromScope = (
      await dc.dataBreakpointInfoRequest({ variablesReference: globals.variablesReference, name: 'ticks' })
    ).body;
    const byName = (await dc.dataBreakpointInfoRequest({ name: 'ticks' })).body;
    assert.ok(byName.dataId, byName.description);
    assert.equal(fromScope.dataId, byName.dataId);
    assert.match(byName.description, /^ticks \(4 bytes at 0x0000000080[0-9a-f]{6}\)$/);

    // Bad input: one-line reasons, never a failed request.
    const bad = async (a: DebugProtocol.DataBreakpointInfoArguments): Promise<string> => {
      const b = (await dc.dataBreakpointInfoRequest(a)).body;
      assert.equal(b.dataId, null, `${a.name} should not be watchable`);
      assert.ok(!b.description.includes('\n'));
      return b.description;
    };
    assert.match(await bad({ name: 'nosuchvariable' }), /^cannot watch nosuchvariable: /);
    assert.match(await bad({ name: 'ticks + 1' }), /not a place in memory/);
    assert.match(await bad({ name: '0x10', asAddress: true, bytes: 8 }), /not mapped|not in RAM/);
    assert.match(await bad({ name: 'ticks', bytes: 5000 }), /1 to 4096 bytes/);
    const rejected = await dc.setDataBreakpointsRequest({
      breakpoints: [
        { dataId: byName.dataId, accessType: 'read' },
        { dataId: 'not-an-id' },
        { dataId: byName.dataId, hitCondition: 'often' },
      ],
    });
    const msgs = rejected.body.breakpoints.map((b) => (b.verified ? 'verified' : (b.message ?? '')));
    assert.match(msgs[0]!, /^only writes can be watched/);
    assert.match(msgs[1]!, /^not a data breakpoint id/);
    assert.match(msgs[2]!, /hit count 'often' is not understood/);

    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: byName.dataId }] });
    assert.equal(set.body.breakpoints[0]!.verified, true, set.body.breakpoints[0]!.message);
    const hit = stopped();
    await dc.continueRequest({ threadId: 1 });
    const e = await hit;
    assert.equal(e.body.reason, 'data breakpoint');
    assert.match(e.body.description ?? '', /^Write to 0x0000000080[0-9a-f]{6} \(ticks\): 0x0 -> 0x1$/);
    assert.equal(await topName(e.body.threadId!), 'clockintr');
    assert.equal(await evaluate('ticks'), '1');

    // A hit count of 2: the first write (1 -> 2) goes on, the second (2 -> 3) stops.
    const again = await dc.setDataBreakpointsRequest({
      breakpoints: [{ dataId: byName.dataId, hitCondition: '2' }],
    });
    const hit2 = stopped();
    await dc.continueRequest({ threadId: 1 });
    const e2 = await hit2;
    assert.deepEqual(e2.body.hitBreakpointIds, [again.body.breakpoints[0]!.id]);
    assert.match(e2.body.description ?? '', /\(ticks\): 0x2 -> 0x3$/);

    // A C condition, evaluated in the storing hart's frame after the store.
    await dc.setDataBreakpointsRequest({
      breakpoints: [{ dataId: byName.dataId, condition: 'ticks == 5' }],
    });
    const hit3 = stopped();
    await dc.continueRequest({ threadId: 1 });
    assert.match((await hit3).body.description ?? '', /\(ticks\): 0x4 -> 0x5$/);

    // Stepping by line over `ticks++` stops at the store as a data breakpoint too.
    await dc.setDataBreakpointsRequest({ breakpoints: [] });
    // clockintr is inlined (a static function): a line breakpoint on its acquire().
    const lb = await dc.setBreakpointsRequest({
      source: { path: TRAP_C },
      breakpoints: [{ line: TICKS_LOCK_LINE }],
    });
    assert.equal(lb.body.breakpoints[0]!.verified, true, lb.body.breakpoints[0]!.message);
    const inClock = stopped();
    await dc.continueRequest({ threadId: 1 });
    const c = await inClock;
    assert.equal(c.body.reason, 'breakpoint');
    await dc.setBreakpointsRequest({ source: { path: TRAP_C }, breakpoints: [] });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: byName.dataId }] });
    let reason = '';
    for (let i = 0; i < 10 && reason !== 'data breakpoint'; i++) {
      const s = stopped();
      await dc.nextRequest({ threadId: c.body.threadId! });
      const ev = await s;
      reason = ev.body.reason;
      if (reason === 'data breakpoint') assert.match(ev.body.description ?? '', /\(ticks\): 0x5 -> 0x6$/);
    }
    assert.equal(reason, 'data breakpoint', 'a line step over ticks++ stops at the store');
    assert.equal(await topName(c.body.threadId!), 'clockintr');

    // Cleared: the machine runs on (a pause, not a data breakpoint, stops it).
    await dc.setDataBreakpointsRequest({ breakpoints: [] });
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const paused = stopped();
    await dc.pauseRequest({ threadId: 1 });
    assert.equal((await paused).body.reason, 'pause');
  });
});

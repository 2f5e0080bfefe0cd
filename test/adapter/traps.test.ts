/**
 * Exception filters (which trap stops for which filter), stop descriptions in words, the
 * trap log's ring and rate-limited batches, and whose trap each entry is (the process by
 * page-table root from U, by kernel stack from S).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Priv, type TrapInfo } from '../../emulator/types';
import { TrapLog, filterCauses, filterMatches, trapDescription } from '../../adapter/traps';
import { TrapRing } from '../../emulator/cpu/trap-ring';
import { TrapOwners } from '../../adapter/trap-owner';
import type {
  ExceptionFilterId,
  ProcessInfo,
  ProcessesResponse,
  TrapEventBody,
  TrapLogResponse,
} from '../../adapter/protocol';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as C from './client';

function trap(cause: number, fromPriv: Priv, extra: Partial<TrapInfo> = {}): TrapInfo {
  return {
    hart: 0,
    interrupt: false,
    cause,
    tval: 0n,
    epc: 0x1000n,
    fromPriv,
    toPriv: Priv.S,
    instret: 0,
    ...extra,
  };
}

/** Record `t` as the CPU does: addresses as the signed numbers the hart holds. */
function record(ring: TrapRing, t: TrapInfo): void {
  const signed = (v: bigint): number => Number(BigInt.asIntN(64, v));
  ring.record(
    t.hart,
    t.interrupt,
    t.cause,
    signed(t.tval),
    undefined,
    signed(t.epc),
    t.fromPriv,
    t.toPriv,
    t.instret,
    0,
    0,
  );
}

const filters: ExceptionFilterId[] = ['pageFault', 'userException', 'kernelException', 'panic'];
const matching = (t: TrapInfo): ExceptionFilterId[] => filters.filter((f) => filterMatches(f, t));

describe('trap filters and the trap log', () => {
  it('matches page faults from any mode', () => {
    assert.deepEqual(matching(trap(15, Priv.U)), ['pageFault', 'userException']);
    assert.deepEqual(matching(trap(13, Priv.S)), ['pageFault', 'kernelException']);
    assert.deepEqual(matching(trap(12, Priv.U)), ['pageFault', 'userException']);
  });

  it('leaves system calls and interrupts alone', () => {
    assert.deepEqual(matching(trap(8, Priv.U)), []);
    assert.deepEqual(matching(trap(9, Priv.S)), []);
    assert.deepEqual(matching(trap(5, Priv.S, { interrupt: true })), []);
    assert.deepEqual(matching(trap(13, Priv.U, { interrupt: true })), []);
  });

  it('sorts other exceptions by the mode they came from', () => {
    assert.deepEqual(matching(trap(2, Priv.U)), ['userException']);
    assert.deepEqual(matching(trap(2, Priv.S)), ['kernelException']);
    assert.deepEqual(matching(trap(5, Priv.M)), ['kernelException']);
  });

  it('describes a trap in words with the faulting address or pc', () => {
    assert.equal(
      trapDescription(trap(15, Priv.U, { tval: 0x5008n })),
      'Store/AMO page fault at 0x0000000000005008',
    );
    assert.equal(
      trapDescription(trap(2, Priv.S, { epc: 0x80001234n })),
      'Illegal instruction at pc 0x0000000080001234',
    );
    assert.equal(trapDescription(trap(5, Priv.S, { interrupt: true })), 'Supervisor timer interrupt');
    assert.equal(trapDescription(trap(3, Priv.S)), 'Breakpoint at pc 0x0000000000001000');
  });

  it('keeps the latest traps in order and counts them all', () => {
    const log = new TrapLog(undefined);
    for (let i = 0; i < 600; i++) record(log.ring, trap(8, Priv.U, { instret: i }));
    assert.equal(log.total, 600);
    const all = log.latest();
    assert.equal(all.length, 512);
    assert.equal(all[0]?.instret, 88);
    assert.equal(all.at(-1)?.instret, 599);
    assert.deepEqual(
      log.latest(2).map((e) => e.instret),
      [598, 599],
    );
    assert.equal(all[0]?.name, 'Environment call from U-mode');
    assert.equal(all[0]?.from, 'U');
  });

  it('asks the CPU for the hook on every exception a filter can match, and on no other', () => {
    for (const id of filters) {
      for (let cause = 0; cause < 32; cause++) {
        for (const p of [Priv.U, Priv.S, Priv.M]) {
          if (filterMatches(id, trap(cause, p)))
            assert.equal((filterCauses(id) >>> cause) & 1, 1, `${id} matches cause ${cause}`);
        }
        const any = [Priv.U, Priv.S, Priv.M].some((p) => filterMatches(id, trap(cause, p)));
        if (!any) assert.equal((filterCauses(id) >>> cause) & 1, 0, `${id} never matches cause ${cause}`);
      }
    }
  });

  it('gives back high addresses and exact 64-bit values as recorded', () => {
    const ring = new TrapRing(2);
    ring.record(1, false, 13, -0x1000, undefined, -0x2000, Priv.S, Priv.M, 7, 0, 0);
    ring.record(0, true, 5, 0, undefined, 0x80001000, Priv.U, Priv.S, 8, 0, 0);
    ring.record(0, false, 2, 0, 0x8000_0000_0000_0013n, 0x80001004, Priv.S, Priv.S, 9, 0, 0);
    assert.equal(ring.total, 3);
    assert.equal(ring.get(0), undefined, 'overwritten');
    assert.equal(ring.get(3), undefined, 'not yet taken');
    assert.deepEqual(ring.since(0), [
      {
        hart: 0,
        interrupt: true,
        cause: 5,
        tval: 0n,
        epc: 0x80001000n,
        fromPriv: Priv.U,
        toPriv: Priv.S,
        instret: 8,
      },
      {
        hart: 0,
        interrupt: false,
        cause: 2,
        tval: 0x8000_0000_0000_0013n,
        epc: 0x80001004n,
        fromPriv: Priv.S,
        toPriv: Priv.S,
        instret: 9,
      },
    ]);
    const first = new TrapRing(4);
    first.record(1, false, 13, -0x1000, undefined, -0x2000, Priv.S, Priv.M, 7, 0, 0);
    assert.deepEqual(first.get(0), {
      hart: 1,
      interrupt: false,
      cause: 13,
      tval: 0xffff_ffff_ffff_f000n,
      epc: 0xffff_ffff_ffff_e000n,
      fromPriv: Priv.S,
      toPriv: Priv.M,
      instret: 7,
    });
  });

  it('hands out batches of at most 20 traps with a count of the rest', () => {
    const log = new TrapLog(undefined);
    assert.equal(log.takeBatch(), undefined);
    for (let i = 0; i < 25; i++) record(log.ring, trap(13, Priv.U, { tval: BigInt(i) }));
    const b = log.takeBatch();
    assert.equal(b?.traps.length, 20);
    assert.equal(b?.dropped, 5);
    assert.equal(b?.traps[19]?.tval, '0x0000000000000013');
    assert.equal(log.takeBatch(), undefined);
    // More than the ring holds between two batches: the oldest still held come first.
    for (let i = 0; i < 600; i++) record(log.ring, trap(13, Priv.U, { instret: i }));
    const c = log.takeBatch();
    assert.equal(c?.traps[0]?.instret, 88);
    assert.equal(c?.traps.length, 20);
    assert.equal(c?.dropped, 580);
  });

  it('names the process of a trap from U by its page table and from S by its kernel stack', () => {
    const log = new TrapLog(undefined);
    const sh: ProcessInfo = {
      pid: 3,
      name: 'sh',
      state: 'running',
      sz: 0x4000,
      satp: '0x8000000000087f00',
      kstack: '0x3fffffd000',
    };
    const ls: ProcessInfo = { ...sh, pid: 4, name: 'ls', satp: '0x8000000000087e00', kstack: '0x3fffffb000' };
    let procs = [sh, ls];
    let reads = 0;
    log.owners = new TrapOwners({
      mem: { readPhys: () => undefined },
      owners: () => {
        reads++;
        return procs.map((p) => ({
          pid: p.pid,
          name: p.name,
          root: Number(BigInt(p.satp) & 0xfffffffn) * 4096,
          kstack: Number(p.kstack),
        }));
      },
      programs: () => [],
    });
    const KERNEL_SATP = 0x87fff;
    const r = log.ring;
    r.record(0, false, 8, 0, undefined, 0x100, Priv.U, Priv.S, 1, 0x87f00, 0x3fe0); // sh's ecall
    r.record(0, true, 5, 0, undefined, 0x80001000, Priv.S, Priv.S, 2, KERNEL_SATP, 0x3fffffdf80); // in sh's kernel stack
    r.record(1, true, 5, 0, undefined, 0x80003100, Priv.S, Priv.S, 3, KERNEL_SATP, 0x80009ff0); // scheduler's stack
    r.record(1, false, 13, 0x5000, undefined, 0x32c, Priv.U, Priv.S, 4, 0x87e00, 0x2fd0); // ls faults
    r.record(1, true, 7, 0, undefined, 0x32c, Priv.U, Priv.M, 5, 0x87e00, 0x2fd0); // ls, timer into M
    r.record(1, true, 7, 0, undefined, 0x80000100, Priv.M, Priv.M, 6, 0, 0x80008000); // from M: none
    r.record(0, false, 8, 0, undefined, 0x100, Priv.U, Priv.S, 7, 0x87a00, 0x3fe0); // unknown root
    r.record(0, true, 5, 0, undefined, 0x80001000, Priv.S, Priv.S, 8, KERNEL_SATP, 0x3fffffe000); // top of sh's stack
    const pids = (): (string | undefined)[] =>
      log.latest().map((e) => (e.pid === undefined ? undefined : `${e.pid} ${e.process}`));
    assert.deepEqual(pids(), ['3 sh', '3 sh', undefined, '4 ls', '4 ls', undefined, undefined, '3 sh']);
    assert.equal(reads, 1, 'one read of the process table per pass');
    // ls exits: its traps keep its pid. Then cat gets ls's page table and kernel stack:
    // the traps before the pass that saw ls gone stay ls's, the later ones are cat's.
    procs = [sh];
    assert.deepEqual(pids().slice(3, 5), ['4 ls', '4 ls']);
    r.record(1, false, 8, 0, undefined, 0x40, Priv.U, Priv.S, 9, 0x87e00, 0x2fd0);
    r.record(1, true, 5, 0, undefined, 0x80001000, Priv.S, Priv.S, 10, KERNEL_SATP, 0x3fffffbf00);
    procs = [sh, { ...ls, pid: 5, name: 'cat' }];
    assert.deepEqual(pids().slice(3), ['4 ls', '4 ls', undefined, undefined, '3 sh', '5 cat', '5 cat']);
    const batch = log.takeBatch();
    assert.equal(batch?.traps.length, 10);
    assert.equal(batch?.traps[3]?.process, 'ls');
    assert.equal(batch?.traps[8]?.process, 'cat');
    // A root first seen now: the traps taken before the previous pass are nobody's.
    r.record(0, false, 8, 0, undefined, 0x100, Priv.U, Priv.S, 11, 0x87a00, 0x3fe0);
    procs = [sh, { ...ls, pid: 6, name: 'echo', satp: '0x8000000000087a00', kstack: '0x3fffff9000' }];
    const last = log.latest().slice(-5);
    assert.equal(last[0]?.pid, undefined, 'trap 6 (root 0x87a00) was taken before the pass that saw echo');
    assert.equal(last.at(-1)?.process, 'echo');
    // Without a process table: no pids, nothing thrown.
    log.owners = new TrapOwners({
      mem: { readPhys: () => undefined },
      owners: () => {
        throw new Error('unreadable');
      },
      programs: () => [],
    });
    assert.ok(log.latest().every((e) => e.pid === undefined));
  });
});

describe('the trap log of a running system (bundled kernel, DebugClient)', function () {
  this.timeout(180_000);
  const client = C.consoleClientPerTest();

  it('gives every entry its process, and user sepc as program:function', async () => {
    const dc = client.dc;
    const events: TrapEventBody[] = [];
    dc.on('xv6.trap', (e: DebugProtocol.Event) => events.push(e.body as TrapEventBody));
    const stop = C.nextStop(dc);
    await C.launch(
      dc,
      { disk: undefined, userPrograms: join(__dirname, 'user') },
      () =>
        dc.setFunctionBreakpointsRequest({
          breakpoints: [{ name: 'usertrap', condition: '$scause == 15' }],
        }),
      false,
    );
    await client.shell('lazytests');
    await stop;
    const procs = ((await dc.customRequest('xv6.processes', {})).body as ProcessesResponse).processes;
    assert.ok(procs.length > 0 && procs.every((p) => p.kstack !== undefined), 'kernel stacks known');
    const me = procs.find((p) => p.hart === 0);
    const sh = procs.find((p) => p.name === 'sh');
    assert.ok(me && sh);
    assert.equal(me.name, 'lazytests');
    const { traps } = (await dc.customRequest('xv6.trapLog', {})).body as TrapLogResponse;

    // The page fault: lazytests' own, named in the program's symbols.
    const fault = traps.at(-1)!;
    assert.equal(fault.cause, 15);
    assert.equal(fault.from, 'U');
    assert.equal(fault.pid, me.pid);
    assert.equal(fault.process, 'lazytests');
    assert.equal(fault.program, 'lazytests');
    assert.match(fault.func ?? '', /^lazytests:\w+$/);
    // Its system calls before the fault: the user stubs, by program and function.
    const calls = traps.filter((t) => t.cause === 8 && t.pid === me.pid);
    assert.ok(calls.length > 0, 'lazytests made system calls');
    for (const t of calls) assert.match(t.func ?? '', /^lazytests:\w+$/, JSON.stringify(t));
    assert.ok(calls.some((t) => t.func === 'lazytests:sbrk'));
    // The shell read the command line: its pid and name, its functions from the disk
    // image's sh (not among userPrograms). (Before an exec a child has its parent's name:
    // pid 2 was init, lazytests' was sh.)
    const shCalls = traps.filter((t) => t.from === 'U' && t.process === 'sh');
    assert.ok(
      shCalls.some((t) => t.pid === sh.pid && t.cause === 8),
      'the shell made system calls',
    );
    // (A child's calls before its exec replaced the page table cannot be named any more.)
    for (const t of shCalls.filter((c) => c.pid === sh.pid || c.program !== undefined))
      assert.ok(t.program === 'sh' && /^sh:\w+$/.test(t.func ?? ''), JSON.stringify(t));
    // The idle scheduler runs on no process's stack: its interrupts have no pid.
    const idle = traps.filter((t) => t.from === 'S' && t.func === 'scheduler');
    assert.ok(idle.length > 0, 'interrupts in the scheduler');
    assert.ok(idle.every((t) => t.pid === undefined && t.process === undefined));
    // Every pid named is or was a process (pids count up from 1).
    const maxPid = Math.max(...procs.map((p) => p.pid));
    assert.ok(traps.every((t) => t.pid === undefined || (t.pid >= 1 && t.pid <= maxPid)));
    // The events sent while running carry the same.
    assert.ok(events.some((e) => e.traps.some((t) => t.pid !== undefined && t.process !== undefined)));
  });
});

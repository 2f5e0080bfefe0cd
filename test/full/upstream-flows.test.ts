/**
 * The headline flows on upstream xv6 (../shared/xv6-riscv: MIT's kernel and fs.img as its
 * own Makefile builds them, see its README), as a student's tree meets them, with no
 * userPrograms folder (the programs come from the disk image): the "Page faults" filter
 * stops `usertests textwrite` at the faulting line of usertests.c with a Trap scope in
 * words, and a usertrap breakpoint in the shell shows the system-call stub and its
 * caller (`read` in usys.S, then `gets`, `getcmd`, `main`). Skipped, with a note, when
 * ../shared/xv6-riscv is absent.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as C from '../adapter/client';
import { root } from '../helpers/guest';

const upstream = process.env.XV6_UPSTREAM ?? join(root, '..', 'shared', 'xv6-riscv');
const kernel = join(upstream, 'kernel');
const disk = join(upstream, 'fs.img');

describe('the headline flows on upstream xv6', function () {
  this.timeout(300_000);
  before(function () {
    if (!existsSync(kernel) || !existsSync(disk)) {
      console.log(`    (skipped: no upstream xv6 at ${upstream})`);
      this.skip();
    }
  });
  const client = C.consoleClientPerTest();

  /** Upstream's Makefile runs QEMU with modern virtio; one hart keeps the stops on hart 0. */
  const boot = async (dc: DebugClient, setup: () => Promise<unknown>): Promise<void> => {
    await C.launch(dc, { kernel, disk, virtio: 'modern', harts: 1 }, setup, false);
    await client.prompt();
  };

  const frames = async (dc: DebugClient): Promise<DebugProtocol.StackFrame[]> =>
    (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;

  it('the Page faults filter stops usertests textwrite at its faulting line, with a Trap scope', async () => {
    const dc = client.dc;
    await boot(dc, () => dc.setExceptionBreakpointsRequest({ filters: ['pageFault'] }));
    const ev = C.nextStop(dc, 240_000);
    await dc.customRequest('xv6.consoleInput', { text: 'usertests textwrite\n' });
    const stop = await ev;
    assert.equal(stop.body.reason, 'exception');
    assert.match(
      stop.body.description ?? '',
      /^Store\/AMO page fault at 0x[0-9a-f]+ in textwrite \(usertests\.c:\d+\)$/,
    );

    const st = await frames(dc);
    assert.equal(st[0]!.name, 'uservec');
    assert.equal(st[0]!.presentationHint, 'subtle');
    assert.equal(st[0]!.source, undefined, 'the vector has no source, so the editor goes to the fault');
    assert.match(st[1]!.name, /^── trap from user: Store\/AMO page fault at 0x[0-9a-f]+ ──$/);
    const fault = st[2]!;
    assert.equal(fault.name, 'textwrite (usertests)');
    assert.equal(fault.source?.name, 'usertests.c');
    assert.ok(fault.line > 0);
    const user = st.slice(2).map((f) => f.name);
    assert.ok(user.includes('main (usertests)'), user.join(', '));

    const scopes = (await dc.scopesRequest({ frameId: fault.id })).body.scopes;
    assert.equal(scopes[0]?.name, 'Trap', scopes.map((s) => s.name).join(', '));
    const rows = new Map(
      (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables.map(
        (v) => [v.name, v.value],
      ),
    );
    assert.equal(rows.get('scause'), '15 Store/AMO page fault');
    assert.match(rows.get('sepc') ?? '', /^textwrite \(usertests\.c:\d+\)$/);
    assert.match(rows.get('process') ?? '', /^pid \d+ \(usertests\)$/);
  });

  it('a usertrap breakpoint in the shell shows the read stub and its callers', async () => {
    const dc = client.dc;
    await boot(dc, async () => {});
    await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: 'usertrap', condition: "cpus[0].proc->name[0] == 's'" }],
    });
    const ev = C.nextStop(dc, 240_000);
    await dc.customRequest('xv6.consoleInput', { text: 'ls\n' });
    assert.equal((await ev).body.reason, 'function breakpoint');
    const st = await frames(dc);
    const label = st.findIndex((f) => f.presentationHint === 'label');
    assert.ok(label > 0, st.map((f) => f.name).join(', '));
    const user = st.slice(label + 1).map((f) => f.name);
    // usys.S's stub has a size-0 symbol and no CFI: named all the same, and left through ra.
    assert.deepEqual(user.slice(0, 4), ['read (sh)', 'gets (sh)', 'getcmd (sh)', 'main (sh)']);
  });
});

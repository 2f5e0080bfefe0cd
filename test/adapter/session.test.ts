/**
 * End-to-end tests of the debug adapter: `DebugClient` drives `node dist/adapter.js`
 * (built by `npm test` / `npm run build`) over stdio, against tiny kernels assembled in
 * the test (kernels.ts). Covers launch errors, stopOnEntry, function breakpoints,
 * registers, step out, continue/pause, exception filters with conditions, the panic stop
 * with its backtrace, and the page-table and trap-log custom requests.
 */
import assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as K from './kernels';
import * as C from './client';
import type { HartsResponse } from '../../adapter/protocol';

describe('debug adapter (end to end)', function () {
  this.timeout(30_000);
  let dc: DebugClient;
  C.clientPerTest((c) => (dc = c));

  const launch = (
    args: Record<string, unknown>,
    setup?: () => Promise<unknown>,
    expectStop?: boolean,
  ): Promise<DebugProtocol.StoppedEvent | undefined> => C.launch(dc, args, setup, expectStop);
  const registers = (threadId = 1): Promise<Map<string, string>> => C.registers(dc, threadId);

  async function launchError(args: Record<string, unknown>): Promise<string> {
    await dc.initializeRequest();
    try {
      await dc.launchRequest(args);
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail('launch succeeded but should have failed');
  }

  it('answers a missing kernel with one clear sentence', async () => {
    const msg = await launchError({ kernel: '/nonexistent/kernel/kernel', disk: null });
    assert.equal(msg, 'kernel not found: /nonexistent/kernel/kernel — run make first?');
  });

  it('answers a bad harts value with one clear sentence', async () => {
    const msg = await launchError({ kernel: K.callKernel(), disk: null, harts: 9 });
    assert.equal(msg, 'harts must be 1 to 8, not 9');
  });

  it('answers a kernel that is not an ELF file with one line', async () => {
    const msg = await launchError({ kernel: K.notAnElf(), disk: null });
    assert.equal(msg, `${K.notAnElf()} is not an ELF file`);
  });

  it('stops on entry with one thread per hart', async () => {
    const ev = await launch({ kernel: K.callKernel(), stopOnEntry: true, harts: 2 });
    assert.equal(ev?.body.reason, 'entry');
    const threads = await dc.threadsRequest();
    assert.deepEqual(
      threads.body.threads.map((t) => t.name),
      ['hart 0', 'hart 1'],
    );
    const regs = await registers();
    assert.equal(regs.get('pc'), '0x0000000080000000 <_entry>');
  });

  it('hits a function breakpoint, shows registers and the caller, and steps out', async () => {
    let bpResponse: DebugProtocol.SetFunctionBreakpointsResponse | undefined;
    const ev = await launch({ kernel: K.callKernel() }, async () => {
      bpResponse = await dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'foo' }, { name: 'nosuch' }],
      });
    });
    assert.equal(bpResponse?.body.breakpoints[0]?.verified, true);
    assert.equal(bpResponse?.body.breakpoints[1]?.verified, false);
    assert.match(bpResponse?.body.breakpoints[1]?.message ?? '', /no function named 'nosuch'/);
    assert.equal(ev?.body.reason, 'function breakpoint');
    const regs = await registers();
    assert.equal(regs.get('pc'), '0x0000000080000014 <foo>');
    assert.equal(regs.get('a0'), '0x000000000000002a');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepEqual(
      st.body.stackFrames.slice(0, 2).map((f) => f.name),
      ['foo', '_entry+12'],
    );

    const out = dc.waitForEvent('stopped');
    await dc.stepOutRequest({ threadId: 1 });
    assert.equal(((await out) as DebugProtocol.StoppedEvent).body.reason, 'step');
    const after = await registers();
    assert.equal(after.get('pc'), '0x000000008000000c <_entry+12>');
    assert.equal(after.get('a1'), '0x000000000000002b');

    const ev2 = await dc.evaluateRequest({ expression: '$a1 + 1', context: 'repl' });
    assert.match(ev2.body.result, /^0x000000000000002c \(44\)/);
  });

  it('continues and pauses', async () => {
    await launch({ kernel: K.callKernel(), stopOnEntry: true });
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 100));
    const paused = dc.waitForEvent('stopped');
    await dc.pauseRequest({ threadId: 1 });
    assert.equal(((await paused) as DebugProtocol.StoppedEvent).body.reason, 'pause');
    const regs = await registers();
    assert.ok(BigInt(regs.get('t0')!) > 0n, `t0 should have counted up, is ${regs.get('t0')}`);
  });

  it('single-steps one instruction', async () => {
    await launch({ kernel: K.callKernel(), stopOnEntry: true });
    const stepped = dc.waitForEvent('stopped');
    await dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
    assert.equal(((await stepped) as DebugProtocol.StoppedEvent).body.reason, 'step');
    const regs = await registers();
    assert.equal(regs.get('pc'), '0x0000000080000004 <_entry+4>');
    assert.equal(regs.get('sp'), '0x0000000080002000');
  });

  it('steps over a call by instruction', async () => {
    await launch({ kernel: K.callKernel(), stopOnEntry: true });
    for (let i = 0; i < 2; i++) {
      const s = dc.waitForEvent('stopped');
      await dc.nextRequest({ threadId: 1, granularity: 'instruction' });
      await s;
    }
    assert.equal((await registers()).get('pc'), '0x0000000080000008 <_entry+8>');
    const over = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1, granularity: 'instruction' });
    assert.equal(((await over) as DebugProtocol.StoppedEvent).body.reason, 'step');
    const regs = await registers();
    // foo ran and returned: the call was stepped over, not into.
    assert.equal(regs.get('pc'), '0x000000008000000c <_entry+12>');
    assert.equal(regs.get('a1'), '0x000000000000002b');
  });

  it('reports traps as xv6.trap events while running', async () => {
    const ev = dc.waitForEvent('xv6.trap', 5000);
    await launch({ kernel: K.userFaultKernel() }, undefined, false);
    const body = (await ev).body as {
      traps: { name: string; tval: string; from: string }[];
      dropped: number;
    };
    assert.deepEqual(body.traps[0], {
      ...body.traps[0],
      name: 'Store/AMO page fault',
      tval: '0x0000000000005008',
      from: 'U',
    });
  });

  it('stops on an illegal instruction in the kernel with the cause in words', async () => {
    const ev = await launch({ kernel: K.illegalKernel() }, () =>
      dc.setExceptionBreakpointsRequest({ filters: ['kernelException'] }),
    );
    assert.equal(ev?.body.reason, 'exception');
    assert.equal(ev?.body.description, 'Illegal instruction at pc 0x000000008000000c');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'Kernel exception');
    const scause = await dc.evaluateRequest({ expression: '$mcause' });
    assert.equal(scause.body.result, 'mcause = 0x2 (Illegal instruction)');
  });

  it('stops on a user store page fault, and the page-table request shows the mapping', async () => {
    const ev = await launch({ kernel: K.userFaultKernel() }, () =>
      dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: 'pageFault', condition: 'priv == U' }],
      }),
    );
    assert.equal(ev?.body.reason, 'exception');
    assert.equal(ev?.body.description, 'Store/AMO page fault at 0x0000000000005008');
    const pt = await dc.customRequest('xv6.pageTable', {});
    const body = pt.body as { mode: string; ranges: { vaStart: string; pa?: string; flags: string }[] };
    assert.equal(body.mode, 'Sv39');
    assert.equal(body.ranges[0]?.vaStart, '0x0');
    assert.equal(body.ranges[0]?.pa, '0x80004000');
    assert.match(body.ranges[0]?.flags ?? '', /^VR-XU/);
    const log = await dc.customRequest('xv6.trapLog', {});
    const traps = (log.body as { traps: { name: string; from: string }[] }).traps;
    assert.deepEqual(traps.at(-1), { ...traps.at(-1), name: 'Store/AMO page fault', from: 'U' });
    // The trap is taken: this small kernel does not delegate, so the hart is in M-mode at its vector.
    const hs = (await dc.customRequest('xv6.harts', {})).body as HartsResponse;
    assert.equal(hs.running, false);
    assert.equal(hs.harts.length, 1);
    const h0 = hs.harts[0];
    assert.equal(h0?.hart, 0);
    assert.equal(h0?.priv, 'M');
    assert.equal(h0?.idle, false);
    assert.match(h0?.pc ?? '', /^0x[0-9a-f]{16}$/);
    assert.match(h0?.satp ?? '', /^0x8/);
    assert.ok((h0?.instret ?? 0) > 0);
  });

  it('names user-space frames from the userPrograms folder', async () => {
    const lines: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => lines.push(e.body.output));
    const ev = await launch({ kernel: K.userFaultKernel(), userPrograms: K.userProgramDir() }, () =>
      C.setInstructionBreakpoints(dc, { breakpoints: [{ instructionReference: '0x4' }] }),
    );
    assert.equal(ev?.body.reason, 'instruction breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.equal(st.body.stackFrames[0]?.name, 'umain+4 (faulter)');
    assert.equal((await registers()).get('pc'), '0x0000000000000004 <umain+4>');
    // Function breakpoints in user programs: program:function, or a name only one program has.
    const bps = await dc.setFunctionBreakpointsRequest({
      breakpoints: [
        { name: 'faulter:umain' },
        { name: 'echomain' },
        { name: 'nosuch:main' },
        { name: 'echo:nosuch' },
      ],
    });
    assert.deepEqual(
      bps.body.breakpoints.map((b) => b.verified),
      [true, true, false, false],
    );
    assert.equal(
      bps.body.breakpoints[2]?.message,
      "no user program named 'nosuch' (in the disk image or the userPrograms folder)",
    );
    assert.equal(bps.body.breakpoints[3]?.message, "no function named 'nosuch' in user program echo");
    assert.match(
      lines.join(''),
      /user programs: 2 programs in the folder .* \(skipped: _broken \(truncated\)\)\n/,
    );
  });

  for (const [bp, reason] of [
    ['faulter:umain', 'function breakpoint'],
    ['echo:echomain', 'exception'],
  ] as const) {
    it(`${reason === 'exception' ? 'passes over' : 'hits'} ${bp} at VA 0 (only the program whose code is there)`, async () => {
      const ev = await launch({ kernel: K.userFaultKernel(), userPrograms: K.userProgramDir() }, async () => {
        await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: bp }] });
        await dc.setExceptionBreakpointsRequest({ filters: ['pageFault'] });
      });
      assert.equal(ev?.body.reason, reason);
    });
  }

  it('does not stop when the filter condition is false', async () => {
    await launch(
      { kernel: K.userFaultKernel() },
      () =>
        dc.setExceptionBreakpointsRequest({
          filters: [],
          filterOptions: [{ filterId: 'pageFault', condition: 'stval >= 0x80000000' }],
        }),
      false,
    );
    await new Promise((r) => setTimeout(r, 200));
    const paused = dc.waitForEvent('stopped');
    await dc.pauseRequest({ threadId: 1 });
    const ev = (await paused) as DebugProtocol.StoppedEvent;
    assert.equal(ev.body.reason, 'pause');
    const regs = await registers();
    assert.equal(regs.get('pc'), '0x0000000080000050 <handler>');
  });

  it('rejects a filter condition that does not parse', async () => {
    let resp: DebugProtocol.SetExceptionBreakpointsResponse | undefined;
    await launch({ kernel: K.callKernel(), stopOnEntry: true }, async () => {
      resp = await dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: 'pageFault', condition: 'stvall > 1' }],
      });
    });
    assert.equal(resp?.body?.breakpoints?.[0]?.verified, false);
    assert.match(resp?.body?.breakpoints?.[0]?.message ?? '', /unknown name 'stvall'/);
  });

  it('stops on panic with the message and prints the backtrace', async () => {
    const lines: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => lines.push(e.body.output));
    const ev = await launch({ kernel: K.panicKernel() });
    assert.equal(ev?.body.reason, 'exception');
    assert.equal(ev?.body.description, `panic: ${K.PANIC_MESSAGE}`);
    const text = lines.join('');
    assert.match(text, /#0 panic at 0x0000000080000030/);
    assert.match(text, /#1 caller\+20 at 0x0000000080000028/);
    assert.match(text, /#2 _entry\+16 at 0x0000000080000010/);
  });
});

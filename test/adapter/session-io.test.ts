/**
 * End-to-end tests of the adapter's I/O paths: the guest console as `output` and
 * `xv6.console` events, console input, memory read and write through translation,
 * disassembly, changing a register, instruction breakpoints, terminate, and the TCP
 * server mode (`--server=PORT`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as K from './kernels';
import * as C from './client';

/** Collect console text until it contains `want`. */
function consoleUntil(dc: DebugClient, want: string, event = 'xv6.console'): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no '${want}' on the console; got ${JSON.stringify(text)}`)),
      5000,
    );
    dc.on(event, (e: DebugProtocol.Event) => {
      text += (e.body as { text?: string; output?: string; category?: string }).text ?? '';
      if (event === 'output') {
        const o = e.body as DebugProtocol.OutputEvent['body'];
        if (o.category === 'stdout') text += o.output;
      }
      if (text.includes(want)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

describe('debug adapter I/O (end to end)', function () {
  this.timeout(30_000);
  let dc: DebugClient;
  C.clientPerTest((c) => (dc = c));

  it('sends the guest console as output and xv6.console events, and types console input', async () => {
    const greeting = consoleUntil(dc, K.GREETING);
    const stdout = consoleUntil(dc, K.GREETING, 'output');
    await C.launch(dc, { kernel: K.echoKernel() }, undefined, false);
    assert.equal(await greeting, K.GREETING);
    assert.equal(await stdout, K.GREETING);
    const echoed = consoleUntil(dc, 'ls\n');
    await dc.customRequest('xv6.consoleInput', { text: 'ls\n' });
    assert.match(await echoed, /ls\n/);
  });

  it('reads and writes memory through the hart, and reports unreadable bytes', async () => {
    await C.launch(dc, { kernel: K.echoKernel(), stopOnEntry: true });
    const buf = `0x${(K.BASE + 0x80).toString(16)}`;
    const r = await C.readMemory(dc, { memoryReference: buf, count: 8 });
    assert.deepEqual([...Buffer.from(r.body!.data!, 'base64')], [1, 2, 3, 4, 5, 6, 7, 8]);
    await C.writeMemory(dc, {
      memoryReference: buf,
      offset: 2,
      data: Buffer.from([0xaa, 0xbb]).toString('base64'),
    });
    const r2 = await C.readMemory(dc, { memoryReference: buf, count: 5 });
    assert.deepEqual([...Buffer.from(r2.body!.data!, 'base64')], [1, 2, 0xaa, 0xbb, 5]);
    // Just below RAM there is nothing: all unreadable, no error.
    const r3 = await C.readMemory(dc, { memoryReference: '0x7ffffffc', count: 8 });
    assert.equal(r3.body?.unreadableBytes, 8);
  });

  it('disassembles around the pc with symbols', async () => {
    await C.launch(dc, { kernel: K.callKernel(), stopOnEntry: true });
    const d = await dc.disassembleRequest({
      memoryReference: '0x80000014',
      instructionOffset: -2,
      instructionCount: 4,
    });
    const rows = d.body!.instructions.map((i) => [i.address, i.instruction, i.symbol]);
    assert.deepEqual(rows[0], ['0x8000000c', 'addi    t0,t0,1', '_entry']);
    assert.equal(rows[1]?.[0], '0x80000010');
    assert.deepEqual(rows[2], ['0x80000014', 'addi    sp,sp,-16', 'foo']);
    assert.deepEqual(rows[3], ['0x80000018', 'sd      ra,8(sp)', 'foo']);
  });

  it('stops at an instruction breakpoint and changes a register', async () => {
    const ev = await C.launch(dc, { kernel: K.callKernel() }, async () => {
      const r = await C.setInstructionBreakpoints(dc, {
        breakpoints: [{ instructionReference: '0x80000024' }],
      });
      assert.equal(r.body.breakpoints[0]?.verified, true);
    });
    // The breakpoint sits on `addi a1, a0, 1` inside foo.
    assert.equal(ev?.body.reason, 'instruction breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0]!.id });
    const ref = scopes.body.scopes[0]!.variablesReference;
    const set = await dc.setVariableRequest({ variablesReference: ref, name: 'a0', value: '0x100 + 1' });
    assert.equal(set.body.value, '0x0000000000000101');
    const stepped = dc.waitForEvent('stopped');
    await dc.stepInRequest({ threadId: 1 });
    await stepped;
    const regs = await C.registers(dc);
    assert.equal(regs.get('pc'), '0x0000000080000028 <foo+20>');
    assert.equal(regs.get('a1'), '0x0000000000000102');
    await assert.rejects(
      dc.setVariableRequest({ variablesReference: ref, name: 'zero', value: '1' }),
      /hard-wired/,
    );
  });

  it('continues past a breakpoint that a step landed on', async () => {
    await C.launch(dc, { kernel: K.callKernel(), stopOnEntry: true }, () =>
      C.setInstructionBreakpoints(dc, { breakpoints: [{ instructionReference: '0x8000000c' }] }),
    );
    // The loop: 0x0c addi t0,t0,1 (breakpoint); 0x10 jal back to 0x0c.
    const hit = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    assert.equal(((await hit) as DebugProtocol.StoppedEvent).body.reason, 'instruction breakpoint');
    const t0 = BigInt((await C.registers(dc)).get('t0')!);
    for (let i = 0; i < 2; i++) {
      const step = dc.waitForEvent('stopped');
      await dc.stepInRequest({ threadId: 1 });
      await step;
    }
    // Two steps: addi, then the jump back onto the breakpoint.
    assert.equal((await C.registers(dc)).get('pc'), '0x000000008000000c <_entry+12>');
    // Continuing runs the breakpoint's instruction and one more round before stopping.
    const again = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    assert.equal(((await again) as DebugProtocol.StoppedEvent).body.reason, 'instruction breakpoint');
    assert.equal(BigInt((await C.registers(dc)).get('t0')!), t0 + 2n);
  });

  it('answers a bad request with an error, not a crash, and still serves the next one', async () => {
    await C.launch(dc, { kernel: K.callKernel(), stopOnEntry: true });
    await assert.rejects(
      C.readMemory(dc, { memoryReference: 'main', count: 4 }),
      /not a memory address: main/,
    );
    await assert.rejects(dc.customRequest('xv6.noSuchThing', {}), /unknown request 'xv6.noSuchThing'/);
    await assert.rejects(dc.evaluateRequest({ expression: '$nosuch' }), /unknown name '\$nosuch'/);
    await assert.rejects(dc.stackTraceRequest({ threadId: 7 }), /there is no thread 7/);
    const src = await dc.setBreakpointsRequest({
      source: { path: '/x/proc.c' },
      breakpoints: [{ line: 12 }],
    });
    assert.equal(src.body.breakpoints[0]?.verified, false);
    // A handler that throws (no arguments at all) answers with one line, not a stack trace.
    await assert.rejects(
      dc.send('scopes'),
      (e: Error) => /^scopes failed: /.test(e.message) && !e.message.includes('\n'),
    );
    const threads = await dc.threadsRequest();
    assert.equal(threads.body.threads.length, 1);
  });

  it('ends on terminate with a terminated event', async () => {
    await C.launch(dc, { kernel: K.callKernel(), stopOnEntry: true });
    const done = dc.waitForEvent('terminated');
    await dc.terminateRequest({});
    await done;
  });

  for (const persist of [true, false]) {
    it(`${persist ? 'writes' : 'does not write'} the disk back on terminate when persistDisk is ${persist}`, async () => {
      const disk = K.diskImage(`disk-${persist}.img`);
      const before = statSync(disk).ino;
      await C.launch(dc, { kernel: K.callKernel(), disk, persistDisk: persist, stopOnEntry: true });
      const done = dc.waitForEvent('terminated');
      await dc.terminateRequest({});
      await done;
      // persist() writes a new file and renames it over the old one.
      assert.equal(statSync(disk).ino !== before, persist);
    });
  }
});

describe('debug adapter over TCP', function () {
  this.timeout(30_000);

  it('serves a session on the port given with --server', async () => {
    const child = spawn(process.execPath, [C.adapterJs, '--server=0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on port (\d+)/.exec(err);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', () => reject(new Error(`adapter exited: ${err}`)));
      });
      const dc = new DebugClient('node', C.adapterJs, 'xv6');
      await dc.start(port);
      const ev = await C.launch(dc, { kernel: K.callKernel(), stopOnEntry: true });
      assert.equal(ev?.body.reason, 'entry');
      await dc.stop();
    } finally {
      child.kill();
    }
  });
});

/**
 * Line breakpoints and line stepping in a user program's C source: with the committed
 * `_lazytests` ELF as the `userPrograms` folder, a breakpoint on a line of
 * kernel/user/lazytests.c is verified, is hit while lazytests runs, the stack's top
 * frame is that user function at that line of that file, and `next` goes line by line
 * through the user function (over the `sbrk` system call: its ecall runs in the kernel
 * and the step stops back in user code on the next line).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as C from './client';

const lazytestsC = join(__dirname, '..', '..', 'kernel', 'user', 'lazytests.c');
/** `char *before = sbrk(0);`, the first line of sparse_memory. */
const FIRST_LINE = 33;
/** `char *base = sbrk(REGION);`: the line after it. */
const SBRK_LINE = 34;

describe('line breakpoints and stepping in a user program', function () {
  this.timeout(180_000);
  const client = C.consoleClientPerTest();
  let dc: DebugClient;
  beforeEach(() => {
    dc = client.dc;
  });
  const shell = (cmd: string): Promise<void> => client.shell(cmd);

  const top = async (): Promise<DebugProtocol.StackFrame> =>
    (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!;
  const stopped = (): Promise<DebugProtocol.StoppedEvent> => C.nextStop(dc);
  const priv = async (): Promise<string | undefined> => (await C.registers(dc)).get('priv');

  it('verifies and hits a line of lazytests.c, shows the user frame and steps by line', async () => {
    let verified: DebugProtocol.Breakpoint | undefined;
    const ev = stopped();
    await C.launch(
      dc,
      { disk: undefined, userPrograms: join(__dirname, 'user') },
      async () => {
        const r = await dc.setBreakpointsRequest({
          source: { path: lazytestsC },
          breakpoints: [{ line: FIRST_LINE }],
        });
        verified = r.body.breakpoints[0];
      },
      false,
    );
    assert.equal(verified?.verified, true, verified?.message);
    assert.equal(verified.line, FIRST_LINE);

    await shell('lazytests sparse_memory');
    const hit = await ev;
    assert.equal(hit.body.reason, 'breakpoint');
    assert.deepEqual(hit.body.hitBreakpointIds, [verified.id]);
    assert.equal(await priv(), 'U-mode');
    let f = await top();
    assert.equal(f.name, 'sparse_memory (lazytests)');
    assert.equal(f.line, FIRST_LINE);
    assert.equal(f.source?.name, 'lazytests.c');
    assert.equal(f.source?.path, lazytestsC);

    // Step over the line: sbrk(0) is a call into the stub whose ecall runs the system
    // call in the kernel; the step comes back to user code on the next line.
    await dc.setBreakpointsRequest({ source: { path: lazytestsC }, breakpoints: [] });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = stopped();
      await dc.nextRequest({ threadId: 1 });
      assert.equal((await s).body.reason, 'step');
      assert.equal(await priv(), 'U-mode', 'next stays in the user program');
      f = await top();
      assert.equal(f.name, 'sparse_memory (lazytests)');
      assert.equal(f.source?.path, lazytestsC);
      seen.push(f.line);
    }
    assert.equal(seen[0], SBRK_LINE);
    // Then the CHECK lines (35, 36, ...), always forward within sparse_memory.
    assert.ok(
      seen.every((l, i) => l > (seen[i - 1] ?? FIRST_LINE) && l < FIRST_LINE + 10),
      seen.join(', '),
    );

    // By instruction: stepIn follows the call into the sbrk stub (assembly, no lines),
    // `next` over its ecall runs the system call and stops at the next user instruction.
    const pcNow = async (): Promise<bigint> => BigInt((await C.registers(dc)).get('pc')!.split(' ')[0]!);
    const insnAt = async (pc: bigint): Promise<string> => {
      const d = await C.disassemble(dc, { memoryReference: '0x' + pc.toString(16), instructionCount: 1 });
      return d.body?.instructions[0]?.instruction.trim() ?? '';
    };
    let pc = await pcNow();
    for (let i = 0; i < 40 && (await insnAt(pc)) !== 'ecall'; i++) {
      const s = stopped();
      await dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
      assert.equal((await s).body.reason, 'step');
      assert.equal(await priv(), 'U-mode');
      const next = await pcNow();
      assert.notEqual(next, pc, 'each instruction step moves the pc');
      pc = next;
    }
    assert.equal(await insnAt(pc), 'ecall', 'reached the system call stub');
    assert.match((await top()).name, /^sbrk\b.*\(lazytests\)$/);
    const over = stopped();
    await dc.nextRequest({ threadId: 1, granularity: 'instruction' });
    assert.equal((await over).body.reason, 'step');
    assert.equal(await priv(), 'U-mode');
    assert.equal(await pcNow(), pc + 4n);
  });
});

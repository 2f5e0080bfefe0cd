/**
 * Pause on a machine with several harts: every hart stops together (all-stop), and the
 * stopped event names the thread the client asked to pause, as gdb's all-stop mode keeps
 * the selected thread current (runtime.ts `pausedHart`). A thread id that names no hart
 * still pauses, and the stop then names a real hart.
 */
import assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as C from './client';

describe('pause with several harts', function () {
  this.timeout(180_000);
  const client = C.consoleClientPerTest();
  let dc: DebugClient;
  beforeEach(() => {
    dc = client.dc;
  });
  const prompt = (): Promise<void> => client.prompt();

  async function pause(threadId: number): Promise<DebugProtocol.StoppedEvent> {
    const ev = dc.waitForEvent('stopped', 30_000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.pauseRequest({ threadId });
    const e = await ev;
    assert.equal(e.body.reason, 'pause');
    assert.equal(e.body.allThreadsStopped, true);
    return e;
  }

  it('reports the hart asked for, on a 3-hart machine, idle or busy', async () => {
    await C.launch(dc, { disk: undefined, harts: 3 }, async () => {}, false);
    await prompt();
    const threads = (await dc.threadsRequest()).body.threads;
    assert.deepEqual(
      threads.map((t) => t.id),
      [1, 2, 3],
    );

    // At the prompt (the harts idle in the scheduler or wfi).
    for (const id of [3, 2, 1]) {
      const e = await pause(id);
      assert.equal(e.body.threadId, id);
      const st = await dc.stackTraceRequest({ threadId: id });
      assert.ok(st.body.stackFrames.length > 0);
      await dc.continueRequest({ threadId: id });
    }

    // While a program runs on one of them.
    await dc.customRequest('xv6.consoleInput', { text: 'lazytests\n' });
    await new Promise((r) => setTimeout(r, 200));
    const e = await pause(2);
    assert.equal(e.body.threadId, 2);
    await dc.continueRequest({ threadId: 2 });

    // A thread id that is no hart: still a pause, naming one of the harts.
    const other = await pause(99);
    assert.ok([1, 2, 3].includes(other.body.threadId ?? 0), `thread ${other.body.threadId}`);
  });
});

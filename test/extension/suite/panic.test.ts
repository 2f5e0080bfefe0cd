/**
 * In-host check of a staged kernel's panic: the stage-1 kernel (uvmunmap does not yet
 * skip pages that were never allocated) panics when `lazytests` frees its sparse memory;
 * the session stops with the panic message, the stack names the lab's functions, and the
 * backtrace is printed in the debug console.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  AdapterRecorder,
  extensionApi,
  frames,
  startSession,
  stopAllSessions,
  typeAtPrompt,
} from './helpers';

/** Must match LAUNCH_STAGE1 in test/extension/harness/workspace.ts. */
const LAUNCH_STAGE1 = 'xv6: stage 1 (uvmunmap panic)';

describe('a staged kernel panics', () => {
  let recorder: AdapterRecorder;
  let stopped: vscode.DebugSession | undefined;
  before(() => {
    recorder = new AdapterRecorder();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });
  after(async () => {
    await stopAllSessions();
    recorder.dispose();
  });

  it('stage 1 + lazytests stops on "panic: uvmunmap" with its backtrace', async () => {
    const api = await extensionApi();
    const session = await startSession(LAUNCH_STAGE1);
    const consoleTail = (): string => `console so far:\n${api.consoleText(session).slice(-1500)}`;
    const panic = recorder.next(session, 'the panic', 180_000, consoleTail);
    await typeAtPrompt(api, session, 'lazytests');
    const stop = await panic;
    assert.equal(stop.body.reason, 'exception');
    assert.match(`${stop.body.description ?? ''} ${stop.body.text ?? ''}`, /panic: uvmunmap/);
    const names = (await frames(session, stop.body.threadId ?? 1)).map((f) => f.name);
    assert.equal(names[0], 'panic', `frames: ${names.join(' < ')}`);
    for (const fn of ['uvmunmap', 'uvmdealloc', 'growproc', 'sys_sbrk']) {
      assert.ok(names.includes(fn), `${fn} in frames: ${names.join(' < ')}`);
    }
    const out = recorder.output(session);
    assert.match(
      out,
      /#0 panic at kernel\/printf\.c:\d+/,
      `backtrace in the debug console:\n${out.slice(-1500)}`,
    );
    assert.match(out, /#\d+ uvmunmap at kernel\/vm\.c:\d+/);
    stopped = session;
  });

  it('xv6: Copy Backtrace puts the panic backtrace on the clipboard', async () => {
    assert.ok(stopped, 'an earlier step failed: no session stopped on the panic');
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('xv6.copyBacktrace');
    const text = await vscode.env.clipboard.readText();
    assert.match(text, /panic/, `clipboard: ${text.slice(0, 500)}`);
    assert.match(text, /uvmunmap/, `clipboard: ${text.slice(0, 500)}`);
  });
});

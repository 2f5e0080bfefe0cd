/**
 * The extension's own commands (the views register theirs): `xv6.openDemo` starts the
 * bundled teaching kernel and opens its trap.c, `xv6.runTestProgram` types a test program
 * into the guest's shell, `xv6.copyBacktrace` puts the stopped hart's backtrace on the
 * clipboard, `xv6.gettingStarted` opens the walkthrough. Also: the bundled kernel
 * sources open read-only, since they belong to the installed extension.
 */
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DEBUG_TYPE } from '../adapter/protocol';
import type { ConsoleTerminals } from './console';
import { backtraceLines } from './format';
import type { HartStatus } from './status';
import { DEMO_NAME, isInside } from './workspace';

/** Staged kernels in kernel/prebuilt (kernel-stage1 ... kernel-stage5). */
const STAGES = 5;
const READONLY_COMMAND = 'workbench.action.files.setActiveEditorReadonlyInSession';

/** Run a command body; an error becomes one message. */
function command(fn: (...args: unknown[]) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      void vscode.window.showErrorMessage(`xv6: ${msg.split('\n')[0]}`);
    }
  };
}

function activeXv6Session(): vscode.DebugSession {
  const s = vscode.debug.activeDebugSession;
  if (!s || s.type !== DEBUG_TYPE) throw new Error('start an xv6 debug session first');
  return s;
}

/** The bundled kernel's sources folder (kernel/kernel/*.c is inside it). */
export function bundledSources(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.extensionUri, 'kernel');
}

/** The demo's launch configuration: the bundled kernel, or staged kernel `stage` (1 to 5). */
function demoConfiguration(context: vscode.ExtensionContext, stage: unknown): vscode.DebugConfiguration {
  const config: vscode.DebugConfiguration = { type: DEBUG_TYPE, request: 'launch', name: DEMO_NAME };
  if (stage === undefined) return config;
  if (typeof stage !== 'number' || !Number.isInteger(stage) || stage < 1 || stage > STAGES)
    throw new Error(
      `there is no staged kernel ${JSON.stringify(stage) ?? typeof stage}: the stages are 1 to ${STAGES}`,
    );
  const kernel = vscode.Uri.joinPath(bundledSources(context), 'prebuilt', `kernel-stage${stage}`);
  return { ...config, name: `${DEMO_NAME} (stage ${stage})`, kernel: kernel.fsPath };
}

/** The thread to take a backtrace of: the selected one, else the last stopped, else the first. */
async function threadOf(session: vscode.DebugSession, status: HartStatus): Promise<number> {
  // `debug.activeStackItem` (VS Code 1.90+) is read only when present.
  const item = (vscode.debug as { activeStackItem?: unknown }).activeStackItem;
  if (typeof item === 'object' && item !== null) {
    const it = item as { session?: unknown; threadId?: unknown };
    if (it.session === session && typeof it.threadId === 'number') return it.threadId;
  }
  const stopped = status.stoppedThread(session);
  if (stopped !== undefined) return stopped;
  const res = (await session.customRequest('threads', {})) as
    DebugProtocol.ThreadsResponse['body'] | undefined;
  const first = res?.threads[0];
  if (!first) throw new Error('the session has no threads yet');
  return first.id;
}

const TEST_PROGRAMS = [
  { label: 'lazytests', description: 'the lazy page allocation tests' },
  { label: 'usertests', description: "the kernel's full test suite (takes minutes)" },
  { label: 'Other…', description: 'type a command line for the shell', other: true },
];

export function registerCommands(
  context: vscode.ExtensionContext,
  consoles: ConsoleTerminals,
  status: HartStatus,
): vscode.Disposable[] {
  const reg = (id: string, fn: (...args: unknown[]) => Promise<void>): vscode.Disposable =>
    vscode.commands.registerCommand(id, command(fn));

  return [
    reg('xv6.openDemo', async (stage) => {
      const trap = vscode.Uri.joinPath(bundledSources(context), 'kernel', 'trap.c');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(trap), {
        preview: false,
      });
      // No folder: the configuration provider adds nothing, so the adapter runs the
      // bundled kernel (or the staged one named) and finds the bundled disk beside it.
      const ok = await vscode.debug.startDebugging(undefined, demoConfiguration(context, stage));
      if (!ok) throw new Error('the demo did not start (see the Debug Console)');
    }),

    reg('xv6.runTestProgram', async () => {
      const session = activeXv6Session();
      const pick = await vscode.window.showQuickPick(TEST_PROGRAMS, {
        placeHolder: "Run which program in the guest's shell?",
      });
      if (!pick) return;
      let line: string | undefined = pick.label;
      if (pick.other) {
        line = await vscode.window.showInputBox({
          prompt: "A command line for the guest's shell",
          placeHolder: 'ls',
          validateInput: (v) => (/[\r\n]/.test(v) ? 'one line only' : undefined),
        });
      }
      if (!line?.trim()) return;
      consoles.show(session);
      await session.customRequest('xv6.consoleInput', { text: `${line.trim()}\n` });
    }),

    reg('xv6.copyBacktrace', async () => {
      const session = activeXv6Session();
      const threadId = await threadOf(session, status);
      const body = (await session.customRequest('stackTrace', { threadId, levels: 64 })) as
        DebugProtocol.StackTraceResponse['body'] | undefined;
      const frames = body?.stackFrames ?? [];
      if (!frames.length) throw new Error('no stack: pause the guest first');
      const roots = [
        ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
        bundledSources(context).fsPath,
      ];
      const lines = backtraceLines(frames, roots);
      await vscode.env.clipboard.writeText(lines.join('\n') + '\n');
      void vscode.window.setStatusBarMessage(
        `Copied the backtrace of hart ${threadId - 1} (${lines.length} frames)`,
        3000,
      );
    }),

    reg('xv6.gettingStarted', async () => {
      await vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        `${context.extension.id}#xv6.gettingStarted`,
        false,
      );
    }),

    readOnlyBundledSources(context),
  ];
}

/** Make an editor of the installed kernel sources read-only when it becomes active. */
function readOnlyBundledSources(context: vscode.ExtensionContext): vscode.Disposable {
  const folder = bundledSources(context).fsPath;
  let available: Thenable<boolean> | undefined;
  const check = (editor: vscode.TextEditor | undefined): void => {
    const uri = editor?.document.uri;
    if (uri?.scheme !== 'file' || !isInside(uri.fsPath, folder)) return;
    const has = (available ??= vscode.commands.getCommands(true).then(
      (all) => all.includes(READONLY_COMMAND),
      () => false,
    ));
    void Promise.resolve(has).then(async (ok) => {
      if (ok && vscode.window.activeTextEditor === editor)
        await vscode.commands.executeCommand(READONLY_COMMAND).then(undefined, () => undefined);
    });
  };
  check(vscode.window.activeTextEditor);
  return vscode.window.onDidChangeActiveTextEditor(check);
}

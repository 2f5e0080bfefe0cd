/**
 * "Debug Anyway" after a failed build: VS Code then starts the session on the kernel of
 * the last build that worked, and without a word its stops point at lines that may no
 * longer hold that code. This shows one warning notification per session when the
 * preLaunchTask `xv6: make` of the session's folder ended with a non-zero exit code
 * just before it started (tasks.onDidEndTaskProcess), or when the adapter reported the
 * kernel older than a source file (the `xv6.staleKernel` event, adapter/staleness.ts).
 * The wording is format.ts's `buildWarningText`.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE, type StaleKernelEventBody } from '../adapter/protocol';
import { buildWarningText, type BuildFacts } from './format';
import { MAKE_TASK_LABEL, MAKE_TASK_TYPE } from './workspace';

/** A make that failed this long before the session started is another story. */
const FAILED_BUILD_WINDOW_MS = 10 * 60_000;

function folderKey(scope: vscode.TaskScope | vscode.WorkspaceFolder | undefined): string {
  return typeof scope === 'object' && 'uri' in scope ? scope.uri.toString() : '';
}

export class BuildWarnings implements vscode.Disposable {
  /** The latest failed `xv6: make` of each folder: exit code and when it ended. */
  private readonly failed = new Map<string, { exit: number; at: number }>();
  /** Sessions already warned. */
  private readonly warned = new Set<string>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly show = (text: string) => vscode.window.showWarningMessage(text)) {
    this.disposables = [
      vscode.tasks.onDidEndTaskProcess((e) => {
        const task = e.execution.task;
        if (task.definition.type !== MAKE_TASK_TYPE) return;
        const key = folderKey(task.scope);
        if (e.exitCode === undefined || e.exitCode === 0) this.failed.delete(key);
        else this.failed.set(key, { exit: e.exitCode, at: Date.now() });
      }),
      vscode.debug.onDidStartDebugSession((s) => {
        if (s.type !== DEBUG_TYPE) return;
        const exit = this.failedMake(s);
        if (exit !== undefined) this.warn(s, { makeExit: exit });
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type !== DEBUG_TYPE || e.event !== 'xv6.staleKernel') return;
        const body = e.body as Partial<StaleKernelEventBody> | undefined;
        const exit = this.failedMake(e.session);
        if (exit !== undefined) this.warn(e.session, { makeExit: exit });
        else if (typeof body?.message === 'string') this.warn(e.session, { stale: body.message });
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.warned.delete(s.id)),
    ];
  }

  /** make's exit code when the session's preLaunchTask is `xv6: make` and it just failed. */
  private failedMake(s: vscode.DebugSession): number | undefined {
    if (s.configuration.preLaunchTask !== MAKE_TASK_LABEL) return undefined;
    const f = this.failed.get(folderKey(s.workspaceFolder));
    return f && Date.now() - f.at < FAILED_BUILD_WINDOW_MS ? f.exit : undefined;
  }

  private warn(s: vscode.DebugSession, facts: BuildFacts): void {
    if (this.warned.has(s.id)) return;
    const text = buildWarningText(facts);
    if (!text) return;
    this.warned.add(s.id);
    void this.show(text);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

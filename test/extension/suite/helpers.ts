/**
 * What the in-host tests share: the extension's API, a DebugAdapterTracker that records
 * every `stopped` event so a test can await the next one, waits that fail with a clear
 * message after a timeout, starting and stopping xv6 sessions, typing into the console
 * terminal, and reading a TreeDataProvider's rows as text.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Xv6ExtensionApi } from '../../../extension/api';

export const EXTENSION_ID = 'xv6-debugger.xv6-kernel-debugger';

export async function extensionApi(): Promise<Xv6ExtensionApi> {
  const ext = vscode.extensions.getExtension<Xv6ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this VS Code`);
  const api = await ext.activate();
  assert.ok(api, 'activate() returned no API');
  return api;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms` saying `what`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 60_000,
  detail?: () => string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${ms / 1000} s waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    }
    await sleep(100);
  }
}

export type StoppedEvent = DebugProtocol.StoppedEvent & { sessionId: string };

/**
 * Records what the xv6 adapter sends through a DebugAdapterTracker: every `stopped`
 * event, and the debug console's output per session.
 */
export class AdapterRecorder implements vscode.Disposable {
  readonly stops: StoppedEvent[] = [];
  private readonly outputs = new Map<string, string>();
  private readonly sub: vscode.Disposable;
  constructor() {
    this.sub = vscode.debug.registerDebugAdapterTrackerFactory('xv6', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => {
          if (m.type !== 'event') return;
          const e = m as DebugProtocol.Event;
          if (e.event === 'stopped') {
            this.stops.push({ ...(m as DebugProtocol.StoppedEvent), sessionId: session.id });
          } else if (e.event === 'output') {
            const text = (m as DebugProtocol.OutputEvent).body.output;
            this.outputs.set(session.id, (this.outputs.get(session.id) ?? '') + text);
          }
        },
      }),
    });
  }
  /** The debug console output of `session` so far. */
  output(session: vscode.DebugSession): string {
    return this.outputs.get(session.id) ?? '';
  }
  /**
   * A promise for the first stop of `session` recorded after this call (make it before
   * doing what causes the stop). It never rejects unhandled: await it to see a timeout.
   */
  next(
    session: vscode.DebugSession,
    what: string,
    ms = 120_000,
    detail?: () => string,
  ): Promise<StoppedEvent> {
    const from = this.stops.length;
    const p = waitFor(
      `a stop: ${what}`,
      () => this.stops.slice(from).find((s) => s.sessionId === session.id),
      ms,
      detail,
    );
    p.catch(() => undefined);
    return p;
  }
  dispose(): void {
    this.sub.dispose();
  }
}

/** The frames of a stopped thread, through the session's DAP `stackTrace`. */
export async function frames(
  session: vscode.DebugSession,
  threadId: number,
): Promise<DebugProtocol.StackFrame[]> {
  const body = (await session.customRequest('stackTrace', { threadId, levels: 40 })) as
    DebugProtocol.StackTraceResponse['body'] | undefined;
  return body?.stackFrames ?? [];
}

/** Starts an xv6 session in the first workspace folder and resolves with it. */
export async function startSession(
  config: string | vscode.DebugConfiguration,
  ms = 60_000,
): Promise<vscode.DebugSession> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  let started: vscode.DebugSession | undefined;
  const sub = vscode.debug.onDidStartDebugSession((s) => {
    if (s.type === 'xv6') started = s;
  });
  try {
    const ok = await vscode.debug.startDebugging(folder, config);
    assert.ok(
      ok,
      `startDebugging(${typeof config === 'string' ? config : JSON.stringify(config)}) returned false`,
    );
    return await waitFor('the xv6 debug session to start', () => started, ms);
  } finally {
    sub.dispose();
  }
}

/** Stops every debug session and waits until they are gone. */
export async function stopAllSessions(ms = 30_000): Promise<void> {
  if (!vscode.debug.activeDebugSession) return;
  await vscode.debug.stopDebugging();
  await waitFor('the debug sessions to end', () => vscode.debug.activeDebugSession === undefined, ms);
}

/** The console terminal of a session (a Pseudoterminal named after it). */
export function consoleTerminal(session: vscode.DebugSession): vscode.Terminal | undefined {
  return vscode.window.terminals.find((t) => t.name.includes(session.name));
}

/** Waits for the guest's shell prompt in the console text, then types `line` into the terminal. */
export async function typeAtPrompt(
  api: Xv6ExtensionApi,
  session: vscode.DebugSession,
  line: string,
): Promise<void> {
  await waitFor(
    'the shell prompt "$ " in the console',
    () => api.consoleText(session).endsWith('$ ') || api.consoleText(session).includes('\n$ '),
    90_000,
    () => `console so far:\n${api.consoleText(session).slice(-1500)}`,
  );
  const term = await waitFor(
    `a terminal named after session "${session.name}"`,
    () => consoleTerminal(session),
    10_000,
    () => `terminals: ${vscode.window.terminals.map((t) => t.name).join(', ')}`,
  );
  term.sendText(line, true);
}

/** One row of a tree view, as text. */
export interface RowText<T> {
  element: T;
  label: string;
  description: string;
  tooltip: string;
  contextValue: string;
  collapsible: boolean;
}

function plain(v: string | vscode.MarkdownString | vscode.TreeItemLabel | boolean | undefined): string {
  if (v === undefined || typeof v === 'boolean') return '';
  if (typeof v === 'string') return v;
  if ('label' in v) return v.label;
  return v.value;
}

export async function rows<T>(provider: vscode.TreeDataProvider<T>, parent?: T): Promise<RowText<T>[]> {
  const children = (await provider.getChildren(parent)) ?? [];
  const out: RowText<T>[] = [];
  for (const element of children) {
    const item = await provider.getTreeItem(element);
    out.push({
      element,
      label: plain(item.label),
      description: plain(item.description),
      tooltip: plain(item.tooltip ?? undefined),
      contextValue: item.contextValue ?? '',
      collapsible: (item.collapsibleState ?? 0) !== vscode.TreeItemCollapsibleState.None,
    });
  }
  return out;
}

export const show = (rs: readonly RowText<unknown>[]): string =>
  rs.map((r) => `  ${r.label} | ${r.description}`).join('\n') || '  (no rows)';

/**
 * Runs `body` under the V8 CPU profiler (sampling every `intervalUs` µs) of this process (the extension host) and writes
 * the `.cpuprofile` to `file`, when a file is given (XV6_EXT_TEST_PROFILE=FILE: to see what
 * blocks the event loop; open it in Chrome's DevTools or VS Code).
 */
export async function profiled<T>(
  file: string | undefined,
  intervalUs: number,
  body: () => Promise<T>,
): Promise<T> {
  if (!file) return body();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: intervalUs });
  await post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

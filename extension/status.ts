/**
 * The status bar item of an xv6 session: after each stop it asks the adapter for the
 * harts (`xv6.harts`) and shows the stopped one as `hart 0 of 3 · pid 3 sh · S-mode`;
 * while the guest runs it says so with the hart count (`xv6 · 3 harts · running`, from
 * the moment VS Code sends configurationDone, which starts the machine); with no xv6
 * session it is hidden. It follows the active
 * debug session, and remembers which thread each session last stopped on (for
 * `xv6: Copy Backtrace`). A DebugAdapterTracker sees the adapter's stops and the
 * requests that set the guest running.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE, type HartsResponse } from '../adapter/protocol';
import { configuredHarts, hartCount, runStatus, statusLine, statusTooltip, stoppedHart } from './format';
import { RUN_COMMANDS, type DapMessage } from './dapMessages';

interface SessionState {
  text: string;
  tooltip: string;
  /** Bumped on every stop and run: an answer to an older stop is dropped. */
  seq: number;
  /** The thread of the latest stop. */
  threadId: number | undefined;
  order: number;
}

export class HartStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('xv6.status', vscode.StatusBarAlignment.Left, 10);
  private readonly states = new Map<string, SessionState>();
  private readonly disposables: vscode.Disposable[] = [];
  private counter = 0;
  private shown = '';

  constructor() {
    this.item.name = 'xv6 hart';
    this.item.command = 'xv6.harts.focus';
    this.disposables.push(
      this.item,
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (s) => ({
          onDidSendMessage: (m: DapMessage) => {
            if (m.type !== 'event') return;
            if (m.event === 'stopped') this.stopped(s, m.body?.threadId);
            else if (m.event === 'continued') this.running(s);
          },
          onWillReceiveMessage: (m: DapMessage) => {
            if (m.type !== 'request' || !m.command) return;
            // configurationDone starts the machine (or reports stopOnEntry's stop right after).
            if (RUN_COMMANDS.has(m.command) || m.command === 'configurationDone') this.running(s);
          },
        }),
      }),
      vscode.debug.onDidStartDebugSession((s) => {
        if (s.type !== DEBUG_TYPE) return;
        const n = configuredHarts(s.configuration);
        this.set(s, {
          text: runStatus('starting', n),
          tooltip: `xv6: ${s.name} is starting on ${hartCount(n)}`,
        });
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        this.states.delete(s.id);
        this.render();
      }),
      vscode.debug.onDidChangeActiveDebugSession(() => this.render()),
    );
  }

  /** The status bar text now ('' when hidden). */
  get text(): string {
    return this.shown;
  }

  /** The thread `session` last stopped on. */
  stoppedThread(session: vscode.DebugSession): number | undefined {
    return this.states.get(session.id)?.threadId;
  }

  private state(s: vscode.DebugSession): SessionState {
    let st = this.states.get(s.id);
    if (!st) {
      st = { text: '', tooltip: '', seq: 0, threadId: undefined, order: 0 };
      this.states.set(s.id, st);
    }
    return st;
  }

  private set(s: vscode.DebugSession, v: { text: string; tooltip: string }): SessionState {
    const st = this.state(s);
    st.text = v.text;
    st.tooltip = v.tooltip;
    st.order = ++this.counter;
    this.render();
    return st;
  }

  private running(s: vscode.DebugSession): void {
    const st = this.state(s);
    st.seq++;
    const n = configuredHarts(s.configuration);
    this.set(s, {
      text: runStatus('running', n),
      tooltip: `xv6: ${s.name} is running on ${hartCount(n)}`,
    });
  }

  private stopped(s: vscode.DebugSession, threadId: number | undefined): void {
    const st = this.state(s);
    const seq = ++st.seq;
    st.threadId = threadId;
    const hart = threadId !== undefined && threadId > 0 ? threadId - 1 : 0;
    const n = configuredHarts(s.configuration);
    this.set(s, { text: `hart ${hart} of ${n} · stopped`, tooltip: `xv6: ${s.name} stopped` });
    s.customRequest('xv6.harts', {}).then(
      (body: HartsResponse | undefined) => {
        if (st.seq !== seq || !this.states.has(s.id)) return;
        const harts = Array.isArray(body?.harts) ? body.harts : [];
        const h = stoppedHart(harts, threadId);
        if (h) this.set(s, { text: statusLine(h, harts.length), tooltip: statusTooltip(h, harts.length) });
      },
      () => undefined,
    );
  }

  /** Show the active xv6 session's state, else the latest one's, else hide. */
  private render(): void {
    const active = vscode.debug.activeDebugSession;
    let st = active ? this.states.get(active.id) : undefined;
    if (!st) {
      for (const s of this.states.values()) if (!st || s.order > st.order) st = s;
    }
    if (!st || !st.text) {
      this.shown = '';
      this.item.hide();
      return;
    }
    this.shown = st.text;
    this.item.text = `$(debug) ${st.text}`;
    this.item.tooltip = st.tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

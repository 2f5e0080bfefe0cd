/**
 * Which xv6 debug session the views show, and when it stops and runs: a
 * DebugAdapterTracker for type `xv6` sees the adapter's `stopped` events (and the
 * requests that set the guest running), `xv6.trap` custom events arrive through
 * `onDidReceiveDebugSessionCustomEvent`. Requests go through `customRequest` only;
 * an answer from a session that is no longer shown is rejected with StaleSession.
 */
import * as vscode from 'vscode';
import {
  DEBUG_TYPE,
  type TrapEventBody,
  type Xv6RequestArgs,
  type Xv6RequestName,
  type Xv6ResponseBody,
} from '../../adapter/protocol';
import { StaleSession } from './node';
import { RUN_COMMANDS, type DapMessage } from '../dapMessages';

export class SessionWatch implements vscode.Disposable {
  session: vscode.DebugSession | undefined;
  running = false;
  /** Sessions whose adapter has answered launch (or attach): their machine can be asked. */
  private readonly launched = new WeakSet<vscode.DebugSession>();
  /** The hart of the latest stop (thread ids are hart + 1 in the adapter). */
  stoppedHart: number | undefined;
  private readonly stopEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly runEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly sessionEmitter = new vscode.EventEmitter<vscode.DebugSession | undefined>();
  private readonly trapEmitter = new vscode.EventEmitter<TrapEventBody>();
  /** The shown session stopped (after `session` and `stoppedHart` are set). */
  readonly onDidStop = this.stopEmitter.event;
  /** The shown session runs again: what the views show is stale. */
  readonly onDidRun = this.runEmitter.event;
  /** Another session is shown, or none, or the shown one has just launched. */
  readonly onDidChangeSession = this.sessionEmitter.event;
  /** Traps reported by the shown session while it runs. */
  readonly onTraps = this.trapEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    const active = vscode.debug.activeDebugSession;
    if (active?.type === DEBUG_TYPE) {
      this.session = active;
      this.launched.add(active);
    }
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (s) => ({
          onDidSendMessage: (m: DapMessage) => this.fromAdapter(s, m),
          onWillReceiveMessage: (m: DapMessage) => {
            if (m.type === 'request' && m.command && RUN_COMMANDS.has(m.command)) this.ran(s);
          },
          onWillStopSession: () => this.ended(s),
        }),
      }),
      vscode.debug.onDidChangeActiveDebugSession((s) => {
        if (s?.type === DEBUG_TYPE && s !== this.session) this.show(s);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.ended(s)),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session === this.session && e.event === 'xv6.trap' && isTrapBody(e.body))
          this.trapEmitter.fire(e.body);
      }),
      this.stopEmitter,
      this.runEmitter,
      this.sessionEmitter,
      this.trapEmitter,
    );
  }

  private fromAdapter(s: vscode.DebugSession, m: DapMessage): void {
    if (m.type === 'response' && (m.command === 'launch' || m.command === 'attach') && m.success) {
      this.launched.add(s);
      if (this.session === undefined) this.show(s);
      else if (this.session === s) {
        this.running = true;
        this.forget();
        this.sessionEmitter.fire(s);
      }
      return;
    }
    if (m.type !== 'event') return;
    if (m.event === 'stopped') {
      if (this.session !== s) {
        const active = vscode.debug.activeDebugSession;
        // A stop of another session only takes over when it is the one the user looks at.
        if (this.session && active !== s && active?.type === DEBUG_TYPE) return;
        this.show(s);
      }
      this.running = false;
      this.launched.add(s);
      const tid = m.body?.threadId;
      this.stoppedHart = typeof tid === 'number' && tid > 0 ? tid - 1 : undefined;
      this.forget();
      this.stopEmitter.fire(s);
    } else if (m.event === 'continued') this.ran(s);
  }

  private ran(s: vscode.DebugSession): void {
    if (s !== this.session || this.running) return;
    this.running = true;
    this.forget();
    this.runEmitter.fire(s);
  }

  private show(s: vscode.DebugSession | undefined): void {
    this.session = s;
    this.running = s !== undefined && this.launched.has(s);
    this.stoppedHart = undefined;
    this.forget();
    this.sessionEmitter.fire(s);
  }

  /** The shown session's machine exists (its launch succeeded). */
  get ready(): boolean {
    return this.session !== undefined && this.launched.has(this.session);
  }

  private ended(s: vscode.DebugSession): void {
    if (s !== this.session) return;
    const next = vscode.debug.activeDebugSession;
    this.show(next && next !== s && next.type === DEBUG_TYPE ? next : undefined);
  }

  /** Answers shared by the views until the machine runs, stops or the session changes. */
  private readonly snapshots = new Map<string, Promise<unknown>>();

  /** Forget the shared answers (the refresh commands ask afresh). */
  forget(): void {
    this.snapshots.clear();
  }

  /**
   * `xv6.processes` or `xv6.harts`, asked once per stop however many views show it. A
   * failed answer is not kept.
   */
  snapshot<K extends 'xv6.processes' | 'xv6.harts'>(name: K): Promise<Xv6ResponseBody<K>> {
    let p = this.snapshots.get(name) as Promise<Xv6ResponseBody<K>> | undefined;
    if (!p) {
      const mine = this.request(name, {});
      p = mine;
      this.snapshots.set(name, mine);
      mine.catch(() => {
        if (this.snapshots.get(name) === mine) this.snapshots.delete(name);
      });
    }
    return p;
  }

  /** A custom request to the shown session; rejects with StaleSession if it changed meanwhile. */
  async request<K extends Xv6RequestName>(name: K, args: Xv6RequestArgs<K>): Promise<Xv6ResponseBody<K>> {
    return (await this.dap(name, args)) as Xv6ResponseBody<K>;
  }

  /** Any DAP request (readMemory, disassemble) to the shown session. */
  async dap(command: string, args: unknown): Promise<unknown> {
    const s = this.session;
    if (!s) throw new StaleSession('no xv6 debug session');
    if (!this.launched.has(s)) throw new StaleSession('the xv6 debug session is starting');
    let body: unknown;
    try {
      body = await s.customRequest(command, args);
    } catch (e) {
      if (this.session !== s) throw new StaleSession('the debug session ended');
      throw e;
    }
    if (this.session !== s) throw new StaleSession('the debug session changed');
    return body;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function isTrapBody(b: unknown): b is TrapEventBody {
  return typeof b === 'object' && b !== null && Array.isArray((b as TrapEventBody).traps);
}

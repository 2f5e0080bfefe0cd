/**
 * The guest's console as a VS Code terminal: each xv6 debug session gets a
 * Pseudoterminal named `xv6 console (<session name>)`, opened when the session starts,
 * fed by the adapter's `xv6.console` events and closed when the session ends. What is
 * typed goes to the guest's UART through the `xv6.consoleInput` request; the guest
 * echoes it itself, so nothing is echoed here. The text of each session is kept for
 * `consoleText()` (consoleBuffer.ts does the buffering and newline conversion).
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE, type ConsoleEventBody } from '../adapter/protocol';
import { ConsoleBuffer, terminalInput } from './consoleBuffer';

/** Ended sessions whose text is still kept (for consoleText after the end). */
const KEEP_ENDED = 4;

class SessionConsole implements vscode.Disposable {
  readonly buffer = new ConsoleBuffer();
  private readonly writes = new vscode.EventEmitter<string>();
  private readonly closes = new vscode.EventEmitter<void>();
  terminal: vscode.Terminal | undefined;
  ended = false;

  constructor(readonly session: vscode.DebugSession) {}

  /** Create the terminal if there is none (the user may have closed it). */
  open(show: boolean): vscode.Terminal {
    if (!this.terminal) {
      const pty: vscode.Pseudoterminal = {
        onDidWrite: this.writes.event,
        onDidClose: this.closes.event,
        open: () => {
          // A terminal reopened by the user starts with everything the guest printed.
          const missed = this.buffer.open();
          if (missed) this.writes.fire(missed);
        },
        close: () => {
          this.buffer.close();
          this.terminal = undefined;
        },
        handleInput: (data) => this.input(data),
      };
      this.terminal = vscode.window.createTerminal({
        name: `xv6 console (${this.session.name})`,
        pty,
        iconPath: new vscode.ThemeIcon('terminal'),
      });
    }
    if (show) this.terminal.show(true);
    return this.terminal;
  }

  output(text: string): void {
    const now = this.buffer.write(text);
    if (now) this.writes.fire(now);
  }

  private input(data: string): void {
    if (this.ended) return;
    this.session.customRequest('xv6.consoleInput', { text: terminalInput(data) }).then(undefined, (e) => {
      const why = e instanceof Error ? e.message : String(e);
      this.writes.fire(`\r\n\x1b[2m[xv6: input not sent: ${why.split('\n')[0]}]\x1b[0m\r\n`);
    });
  }

  /** The session ended: the terminal closes; the text stays readable. */
  end(): void {
    this.ended = true;
    if (this.terminal) this.closes.fire();
    this.terminal = undefined;
    this.buffer.close();
  }

  dispose(): void {
    this.end();
    this.writes.dispose();
    this.closes.dispose();
  }
}

export class ConsoleTerminals implements vscode.Disposable {
  /** By session id, oldest first. */
  private readonly consoles = new Map<string, SessionConsole>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => {
        if (s.type === DEBUG_TYPE) this.live(s, true);
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type !== DEBUG_TYPE || e.event !== 'xv6.console') return;
        const body = e.body as Partial<ConsoleEventBody> | undefined;
        if (typeof body?.text === 'string') this.live(e.session, false).output(body.text);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.ended(s)),
    );
  }

  private of(session: vscode.DebugSession): SessionConsole {
    let c = this.consoles.get(session.id);
    if (!c) {
      c = new SessionConsole(session);
      this.consoles.set(session.id, c);
      this.prune();
    }
    return c;
  }

  /**
   * The console of a running session. A session that ended and runs again (a restart)
   * gets a terminal again; `open` also opens one when there is none (at the start, not
   * for output after the user closed it).
   */
  private live(session: vscode.DebugSession, open: boolean): SessionConsole {
    const c = this.of(session);
    if (c.ended) {
      c.ended = false;
      c.open(true);
    } else if (open && !c.terminal) c.open(true);
    return c;
  }

  private ended(session: vscode.DebugSession): void {
    const c = this.consoles.get(session.id);
    if (!c) return;
    c.end();
    this.prune();
  }

  /** Forget the oldest ended sessions beyond KEEP_ENDED. */
  private prune(): void {
    const ended = [...this.consoles.values()].filter((c) => c.ended);
    for (const c of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) {
      this.consoles.delete(c.session.id);
      c.dispose();
    }
  }

  /**
   * The guest's console text of `session`; without one, of the active xv6 session, else
   * of the latest session that printed anything ('' when there is none).
   */
  text(session?: vscode.DebugSession): string {
    const s = session ?? vscode.debug.activeDebugSession;
    const c = s ? this.consoles.get(s.id) : undefined;
    if (c || session) return c?.buffer.text ?? '';
    const all = [...this.consoles.values()].reverse();
    return all.find((x) => x.buffer.text)?.buffer.text ?? '';
  }

  /** Show the console terminal of `session` (opening a new one if the user closed it). */
  show(session: vscode.DebugSession): void {
    const c = this.consoles.get(session.id);
    if (c && !c.ended) c.open(true);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const c of this.consoles.values()) c.dispose();
    this.consoles.clear();
  }
}

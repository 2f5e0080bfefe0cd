/**
 * The guest console of one debug session, without VS Code: it keeps what the guest
 * printed (for `consoleText()` and for a terminal opened late), turns the guest's bare
 * '\n' into the '\r\n' a terminal needs, holds output until the terminal is open, and
 * turns what the terminal sends into what the guest's UART expects.
 */

/** Text kept per session; older text is dropped first. */
export const MAX_CONSOLE_TEXT = 1 << 20;

export class ConsoleBuffer {
  private kept = '';
  private pending = '';
  private opened = false;
  /** The last character given to the terminal was '\r' (a '\n' after it needs none). */
  private afterCr = false;

  constructor(private readonly limit = MAX_CONSOLE_TEXT) {}

  /** What the guest printed so far (its own echo included), newest `limit` characters. */
  get text(): string {
    return this.kept;
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /**
   * Record guest output. Returns the terminal text to write now, or '' while the
   * terminal is not open (it is kept for `open()`).
   */
  write(guest: string): string {
    if (!guest) return '';
    this.kept += guest;
    if (this.kept.length > this.limit) this.kept = this.kept.slice(this.kept.length - this.limit);
    const out = this.toTerminal(guest);
    if (this.opened) return out;
    this.pending += out;
    if (this.pending.length > this.limit) this.pending = this.pending.slice(this.pending.length - this.limit);
    return '';
  }

  /** The terminal opened: the text it missed, once. */
  open(): string {
    this.opened = true;
    const p = this.pending;
    this.pending = '';
    return p;
  }

  /** The terminal closed: a terminal opened later starts with all the text kept. */
  close(): void {
    this.opened = false;
    this.pending = crlf(this.kept);
    this.afterCr = this.kept.endsWith('\r');
  }

  private toTerminal(s: string): string {
    let out = '';
    for (const ch of s) {
      if (ch === '\n' && !this.afterCr) out += '\r';
      out += ch;
      this.afterCr = ch === '\r';
    }
    return out;
  }
}

/** Guest text as a terminal shows it: a bare '\n' becomes '\r\n'. */
export function crlf(s: string): string {
  return s.replace(/\r?\n/g, '\r\n');
}

/**
 * Terminal input as the guest's UART should receive it. Enter arrives as '\r', which
 * xv6's console turns into '\n' itself; a pasted '\r\n' becomes one '\r' so a line is not
 * entered twice. Everything else (Backspace as 0x7f, ^U, ^P) passes through.
 */
export function terminalInput(data: string): string {
  return data.replace(/\r\n/g, '\r');
}

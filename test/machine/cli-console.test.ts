/**
 * xv6emu's console on a terminal: Ctrl-A h lists the escape keys on a line of its own,
 * Ctrl-A Ctrl-A types a Ctrl-A, Ctrl-A x quits leaving the terminal on a fresh line, and
 * `--stats` starts its line after the guest's prompt (on a terminal and with piped input).
 * The keys only work in raw mode on a TTY, so those cases run dist/cli.js under
 * util-linux `script`, which gives it a pseudo-terminal; the key handler's logic is also
 * covered without one in test/unit/console-keys.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
/** A hang guard only: every step normally takes a second or two. */
const WAIT_MS = 90_000;

/** dist/cli.js on a pseudo-terminal, with its output (the terminal's view) collected. */
class Terminal {
  out = '';
  readonly exit: Promise<number | null>;
  private readonly p: ChildProcessWithoutNullStreams;
  private waiting: (() => void) | undefined;
  private closed = false;

  constructor(args: string[]) {
    const quote = (s: string): string => {
      assert.ok(!s.includes("'"), `no quote in ${s}`);
      return `'${s}'`;
    };
    const cmd = [process.execPath, cli, ...args].map(quote).join(' ');
    this.p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: 'pipe' });
    this.p.stdout.on('data', (d: Buffer) => {
      this.out += d.toString('utf8');
      this.waiting?.();
    });
    this.exit = new Promise((resolve) =>
      this.p.on('close', (code) => {
        this.closed = true;
        this.waiting?.();
        resolve(code);
      }),
    );
  }

  /** Waits until the output (from `from` on) matches; resolves with the end of the match. */
  async until(re: RegExp, from = 0): Promise<number> {
    for (;;) {
      const m = re.exec(this.out.slice(from));
      if (m) return from + m.index + m[0].length;
      if (this.closed) throw new Error(`the CLI ended before ${re} in:\n${JSON.stringify(this.out)}`);
      const woke = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), WAIT_MS);
        this.waiting = () => {
          clearTimeout(t);
          resolve(true);
        };
      });
      this.waiting = undefined;
      if (!woke) throw new Error(`no ${re} after ${WAIT_MS} ms of silence in:\n${JSON.stringify(this.out)}`);
    }
  }

  type(keys: string): void {
    this.p.stdin.write(Buffer.from(keys, 'latin1'));
  }

  kill(): void {
    if (this.p.exitCode === null) this.p.kill();
  }
}

describe('xv6emu console on a terminal', function () {
  let term: Terminal | undefined;

  before(function () {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build`);
    if (spawnSync('script', ['--version']).error) {
      console.log('    (util-linux `script` is not installed: no pseudo-terminal for these cases)');
      this.skip();
    }
  });
  afterEach(() => term?.kill());

  it('Ctrl-A h lists the escape keys, Ctrl-A Ctrl-A types Ctrl-A, Ctrl-A x quits on a new line', async () => {
    const t = (term = new Terminal([]));
    let at = await t.until(/\$ $/);
    t.type('\x01h');
    at = await t.until(/C-a C-a[^\n]*\n/, at);
    // Help starts on its own line after the prompt, and lists the keys we handle.
    const help = t.out.slice(t.out.lastIndexOf('$ '), at).replace(/\r\n/g, '\n');
    assert.equal(
      help,
      '$ \nxv6emu escape keys (press Ctrl-A, then the key):\n' +
        '  C-a h    list these keys\n' +
        '  C-a x    quit the emulator\n' +
        '  C-a C-a  type a Ctrl-A into the guest console\n',
    );
    // The guest's console echoes the Ctrl-A it received; Ctrl-U then erases the line.
    t.type('\x01\x01');
    at = await t.until(/\x01/, at);
    t.type('\x15echo hi\r');
    at = await t.until(/hi\r\n\$ $/, at);
    t.type('\x01x');
    assert.equal(await t.exit, 0);
    assert.equal(t.out.slice(at), '\r\n', 'the prompt line is ended before the shell gets the terminal back');
  });

  it('--stats starts its line after the prompt when Ctrl-A x quits', async () => {
    const t = (term = new Terminal(['--stats']));
    const at = await t.until(/\$ $/);
    t.type('\x01x');
    assert.equal(await t.exit, 0);
    assert.match(t.out.slice(at), /^\r\n\{"instret":\d+,"seconds":[\d.]+,"mips":[\d.e+-]+,/);
  });
});

describe('xv6emu --stats with piped input', () => {
  it('ends the prompt line on stdout before the statistics', () => {
    const r = spawnSync(process.execPath, [cli, '--stats'], {
      input: 'echo hi\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /hi\n\$ \n$/);
    const stats = JSON.parse(r.stderr.trim().split('\n').pop()!) as { instret: number };
    assert.ok(stats.instret > 0);
  });
});

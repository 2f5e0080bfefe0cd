/**
 * The options of `xv6emu` (cli.ts): the usage text and the parser that turns argv into
 * `CliOptions`, raising `UsageError` with one line for anything it cannot take.
 */
import type { VirtioChoice } from './boot';

export const USAGE = `usage: xv6emu [--kernel ELF] [--disk IMG] [--harts N] [--memory MiB] [--persist] [--realtime]
              [--virtio legacy|modern|auto] [--run "CMD" [--expect REGEX]] [--timeout-insns N]
              [--stats] [--htif] [--no-jit]
With no arguments it boots the bundled teaching kernel and disk. Ctrl-A x quits,
Ctrl-A h lists the other escape keys. --run types CMD at the first shell prompt and exits
at the next; with --expect it exits 1 unless CMD's output matches REGEX.`;

export interface CliOptions {
  kernel?: string;
  disk?: string;
  harts?: number;
  memory?: number;
  persist: boolean;
  realtime: boolean;
  virtio: VirtioChoice;
  run?: string;
  /** Checked against the output of `run` (JavaScript syntax, `m` flag: ^ and $ match at lines). */
  expect?: RegExp;
  timeoutInsns?: number;
  stats: boolean;
  htif: boolean;
  jit: boolean;
  panicSymbol: string;
}

/** Bad usage: one line on stderr, followed by the usage text when `showUsage`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** `--help` asked for: print USAGE and exit 0. */
export class HelpRequested extends Error {}

export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
    persist: false,
    realtime: false,
    virtio: 'auto',
    stats: false,
    htif: false,
    jit: true,
    panicSymbol: 'panic',
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const int = (s: string, flag: string): number => {
    if (!/^\d+$/.test(s)) throw new UsageError(`${flag} takes a whole number, not '${s}'`);
    return Number(s);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--kernel':
        o.kernel = value(i++, a);
        break;
      case '--disk':
        o.disk = value(i++, a);
        break;
      case '--harts':
        o.harts = int(value(i++, a), a);
        break;
      case '--memory':
        o.memory = int(value(i++, a), a);
        break;
      case '--persist':
        o.persist = true;
        break;
      case '--realtime':
        o.realtime = true;
        break;
      case '--virtio': {
        const v = value(i++, a);
        if (v !== 'legacy' && v !== 'modern' && v !== 'auto')
          throw new UsageError(`--virtio takes legacy, modern or auto`);
        o.virtio = v;
        break;
      }
      case '--run':
        o.run = value(i++, a);
        break;
      case '--expect':
        o.expect = regex(value(i++, a));
        break;
      case '--timeout-insns':
        o.timeoutInsns = int(value(i++, a), a);
        break;
      case '--stats':
        o.stats = true;
        break;
      case '--htif':
        o.htif = true;
        break;
      case '--no-jit':
        o.jit = false;
        break;
      case '--panic-symbol':
        o.panicSymbol = value(i++, a);
        break;
      case '-h':
      case '--help':
        throw new HelpRequested();
      default:
        if (o.htif && !a.startsWith('-') && o.kernel === undefined) o.kernel = a;
        else throw new UsageError(`unknown option '${a}'`);
    }
  }
  if (o.htif && o.kernel === undefined)
    throw new UsageError('--htif needs a program: xv6emu --htif FILE.elf');
  if (o.expect && o.run === undefined)
    throw new UsageError('--expect checks the output of --run "CMD": give both');
  if (o.persist && o.disk === undefined && o.kernel === undefined) {
    throw new UsageError(
      '--persist writes back to the disk image given with --disk; the bundled image is never changed',
    );
  }
  return o;
}

function regex(source: string): RegExp {
  try {
    return new RegExp(source, 'm');
  } catch (e) {
    // V8's message repeats the pattern: "Invalid regular expression: /(/m: Unterminated group".
    const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /s, '');
    throw new UsageError(`--expect: not a regular expression: ${JSON.stringify(source)}: ${why}`, false);
  }
}

/**
 * `xv6emu`: the headless command line front end of the emulator. It boots a kernel with
 * the console on the terminal (raw mode; Ctrl-A x quits, as QEMU's -nographic), or types
 * one command at the shell prompt and exits when the next prompt appears (`--run`), or runs
 * a bare-metal HTIF program and exits with its code (`--htif`). When the kernel enters its
 * `panic` function the CLI prints the message and a backtrace and exits with status 3.
 *
 * Exit statuses: 0 success, 1 guest failure (test finisher fail code, HTIF failure code is
 * passed through), 2 bad usage or input, 3 kernel panic, 4 timeout or a guest stuck idle.
 */
import { boot, BootError, type VirtioChoice } from './boot';
import { fpBacktrace, formatFrame, readCString } from './inspect';
import { MachineConfigError } from './machine';
import { CpuShared } from './cpu/shared';
import type { StopReason } from './types';
import { TIMEBASE_HZ } from './memmap';
import { relaunchWithHugePages } from './hugepages';

const USAGE = `usage: xv6emu [--kernel ELF] [--disk IMG] [--harts N] [--memory MiB] [--persist] [--realtime]
              [--virtio legacy|modern|auto] [--run "CMD"] [--timeout-insns N] [--stats] [--htif] [--no-jit]
With no arguments it boots the bundled teaching kernel and disk. Ctrl-A x quits.`;

interface CliOptions {
  kernel?: string;
  disk?: string;
  harts?: number;
  memory?: number;
  persist: boolean;
  realtime: boolean;
  virtio: VirtioChoice;
  run?: string;
  timeoutInsns?: number;
  stats: boolean;
  htif: boolean;
  jit: boolean;
  panicSymbol: string;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): CliOptions {
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
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        if (o.htif && !a.startsWith('-') && o.kernel === undefined) o.kernel = a;
        else throw new UsageError(`unknown option '${a}'`);
    }
  }
  if (o.htif && o.kernel === undefined)
    throw new UsageError('--htif needs a program: xv6emu --htif FILE.elf');
  if (o.persist && o.disk === undefined && o.kernel === undefined) {
    throw new UsageError(
      '--persist writes back to the disk image given with --disk; the bundled image is never changed',
    );
  }
  return o;
}

/** The line the console is on, to spot the shell prompt `$ ` at the start of a line. */
class PromptWatcher {
  private line = '';
  prompts = 0;
  onPrompt: () => void = () => {};
  feed(byte: number): void {
    if (byte === 10 || byte === 13) this.line = '';
    else if (this.line.length < 8) {
      this.line += String.fromCharCode(byte);
      if (this.line === '$ ') {
        this.prompts++;
        this.onPrompt();
      }
    }
  }
}

async function main(): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`xv6emu: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }

  const out: number[] = [];
  const watcher = new PromptWatcher();
  const flush = (): void => {
    if (out.length) {
      process.stdout.write(Buffer.from(out));
      out.length = 0;
    }
  };
  let booted;
  try {
    booted = boot({
      kernel: opts.kernel,
      disk: opts.disk,
      harts: opts.harts,
      memoryMiB: opts.memory,
      virtio: opts.virtio,
      realtime: opts.realtime,
      htif: opts.htif,
      jit: opts.jit,
      console: (b) => {
        out.push(b);
        watcher.feed(b);
      },
    });
  } catch (e) {
    if (e instanceof BootError || e instanceof MachineConfigError) {
      process.stderr.write(`xv6emu: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { machine, elf } = booted;

  const panicSym = opts.htif ? undefined : elf.symbol(opts.panicSymbol);
  if (panicSym) machine.shared.breakpoints.add(panicSym.value);

  // --run: type the command at the first prompt; done at the next one. The pause makes the
  // moment the input arrives depend only on the guest, so runs are repeatable.
  let typed = false;
  let finishedRun = false;
  if (opts.run !== undefined) {
    watcher.onPrompt = () => {
      if (!typed || watcher.prompts > 1) machine.requestPause();
    };
  }

  const started = Date.now();
  let restoreTty = (): void => {};
  const finish = (code: number): number => {
    flush();
    restoreTty();
    if (opts.persist && booted.diskPath) {
      try {
        machine.disk?.persist(booted.diskPath);
      } catch (e) {
        process.stderr.write(`xv6emu: could not write the disk image back: ${(e as Error).message}\n`);
        code = code || 1;
      }
    }
    if (opts.stats) {
      const seconds = (Date.now() - started) / 1000;
      const instret = machine.instret;
      const shared = machine.shared;
      const jit =
        shared instanceof CpuShared ? { jitCompiled: shared.jitCompiled, jitRetired: shared.jitRetired } : {};
      process.stderr.write(
        JSON.stringify({ instret, seconds, mips: seconds > 0 ? instret / seconds / 1e6 : 0, ...jit }) + '\n',
      );
    }
    return code;
  };

  // Interactive console: raw terminal, Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A.
  const interactive = opts.run === undefined && !opts.htif;
  let stdinEnded = !interactive;
  let wake: (() => void) | undefined;
  let quit = false;
  if (!stdinEnded) {
    const stdin = process.stdin;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      restoreTty = () => stdin.setRawMode(false);
    }
    let ctrlA = false;
    stdin.on('data', (chunk: Buffer) => {
      const pass: number[] = [];
      for (const b of chunk) {
        if (ctrlA) {
          ctrlA = false;
          if (b === 0x78 /* x */) quit = true;
          else if (b === 0x01) pass.push(b);
          continue;
        }
        if (b === 0x01 && stdin.isTTY) ctrlA = true;
        else pass.push(b);
      }
      if (pass.length) machine.consoleInput(Uint8Array.from(pass));
      wake?.();
    });
    stdin.on('end', () => {
      stdinEnded = true;
      wake?.();
    });
  }

  let idleTicks = 0;
  const limit = opts.timeoutInsns ?? (opts.htif ? 2_000_000_000 : Infinity);
  for (;;) {
    if (quit) return finish(0);
    const left = limit - machine.instret;
    if (left <= 0) {
      flush();
      process.stderr.write(
        `\nxv6emu: timeout: ${machine.instret} instructions executed (--timeout-insns ${limit})\n`,
      );
      return finish(4);
    }
    const skippedBefore = machine.skippedTicks;
    const stop: StopReason = machine.run(Math.min(left, 50_000_000), { deadlineMs: 25 });
    flush();
    // An interactive guest idling at its prompt skips through timer ticks; wait about as
    // long as those ticks stand for (10 MHz), so an idle console does not spin a host core.
    const skipped = machine.skippedTicks - skippedBefore;
    const idleMs = interactive && !stdinEnded ? Math.min(50, skipped / 10_000) : 0;
    // Piped input has run out and the guest only waits for timer ticks: it is done.
    idleTicks = skipped > 0 ? idleTicks + skipped : 0;
    if (interactive && stdinEnded && idleTicks >= 5 * TIMEBASE_HZ) return finish(0);
    switch (stop.kind) {
      case 'budget':
        break;
      case 'pause':
        if (opts.run !== undefined) {
          if (!typed) {
            typed = true;
            machine.consoleInput(Buffer.from(opts.run + '\n', 'latin1'));
          } else finishedRun = true;
        }
        break;
      case 'breakpoint':
        if (panicSym && Number(stop.pc) === panicSym.value) return finish(reportPanic(booted, stop.hart));
        machine.harts[stop.hart]!.skipBreakpointOnce();
        break;
      case 'poweroff':
        if (stop.code !== 0)
          process.stderr.write(`xv6emu: the guest powered off with failure code ${stop.code}\n`);
        return finish(stop.code === 0 ? 0 : 1);
      case 'reboot':
        process.stderr.write('xv6emu: the guest asked for a reboot; stopping\n');
        return finish(0);
      case 'htif':
        if (stop.code !== 0) process.stderr.write(`xv6emu: test failed with code ${stop.code}\n`);
        return finish(stop.code === 0 ? 0 : Math.min(stop.code, 255) || 1);
      case 'idle':
        if (opts.htif) {
          process.stderr.write(
            'xv6emu: the program went idle (wfi with nothing to wake it) without writing tohost\n',
          );
          return finish(4);
        }
        if (stdinEnded) {
          if (opts.run !== undefined) {
            process.stderr.write('\nxv6emu: every hart is idle and no input is coming\n');
            return finish(4);
          }
          return finish(0);
        }
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        break;
      case 'step':
      case 'trap':
        break;
    }
    if (finishedRun) {
      process.stdout.write('\n');
      return finish(0);
    }
    // Let terminal input in between slices.
    if (idleMs >= 1) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, idleMs);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      wake = undefined;
    } else await new Promise<void>((r) => setImmediate(r));
  }
}

function reportPanic(booted: ReturnType<typeof boot>, hartId: number): number {
  const { machine, elf } = booted;
  const hart = machine.harts[hartId]!;
  const msg = readCString(machine, hart, hart.getReg(10)) ?? '(unreadable message)';
  const lines = [`\npanic: ${msg}`, `xv6emu: kernel panic on hart ${hartId}; backtrace:`];
  fpBacktrace(machine, hart, elf, true).forEach((f, i) => lines.push(formatFrame(i, f)));
  process.stdout.write(lines.join('\n') + '\n');
  return 3;
}

// Guest RAM on huge pages when the host can (hugepages.ts): the process starts itself again.
relaunchWithHugePages()
  .then((code) => code ?? main())
  .then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(
        `xv6emu: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exit(70);
    },
  );

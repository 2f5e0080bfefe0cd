/**
 * `xv6emu`: the headless command line front end of the emulator. It boots a kernel with
 * the console on the terminal (raw mode; Ctrl-A x quits and Ctrl-A h lists the escape
 * keys, as QEMU's -nographic), or types one command at the shell prompt and exits when the
 * next prompt appears (`--run`, with `--expect REGEX` to check what the command printed),
 * or runs a bare-metal HTIF program and exits with its code (`--htif`). When the kernel
 * enters its `panic` function the CLI prints the message and a backtrace and exits with
 * status 3.
 *
 * The machine knows no DWARF: the backtrace is the frame-pointer chain named by ELF symbols
 * (`function+offset`) unless the entry point passes a source-level one in `CliHooks`
 * (adapter/xv6emu.ts, the bundle's entry, wires in the debug adapter's DWARF unwinder).
 *
 * Exit statuses: 0 success, 1 guest failure (test finisher fail code, output not matching
 * --expect; an HTIF failure code is passed through), 2 bad usage or input, 3 kernel panic,
 * 4 timeout or a guest stuck idle.
 */
import { boot, BootError, type Booted } from './boot';
import { fpBacktrace, formatFrame, readCString } from './inspect';
import { MachineConfigError } from './machine';
import { CpuShared } from './cpu/shared';
import type { StopReason } from './types';
import { TIMEBASE_HZ } from './memmap';
import { relaunchWithHugePages } from './hugepages';
import { HelpRequested, parseArgs, USAGE, UsageError, type CliOptions } from './cli-args';
import { ESCAPE_HELP, EscapeKeys } from './console-keys';

export interface CliHooks {
  /**
   * Source-level backtrace of the hart stopped at the panic function's entry, one line per
   * frame (gdb's `bt` shape). Absent, empty or throwing: the frame-pointer chain is shown.
   */
  backtrace?: (booted: Booted, hart: number) => string[];
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

/** Guest console bytes on their way to stdout, and whether the terminal is at a line start. */
class ConsoleOut {
  private bytes: number[] = [];
  private lastByte = 10;
  push(b: number): void {
    this.bytes.push(b);
  }
  flush(): void {
    if (!this.bytes.length) return;
    process.stdout.write(Buffer.from(this.bytes));
    this.lastByte = this.bytes[this.bytes.length - 1]!;
    this.bytes.length = 0;
  }
  /** Our own text on stdout, starting on a fresh line. */
  say(text: string): void {
    this.endLine();
    process.stdout.write(text);
    if (text) this.lastByte = text.charCodeAt(text.length - 1);
  }
  /** Ends the guest's unfinished line (a prompt, say) so what follows starts on its own. */
  endLine(): void {
    this.flush();
    if (this.lastByte !== 10 && this.lastByte !== 13) {
      process.stdout.write('\n');
      this.lastByte = 10;
    }
  }
}

/** The most output of a --run command kept for --expect (the latest bytes are kept). */
const MAX_CAPTURE = 4 << 20;

/** What the --run command printed: from the moment it is typed to the next prompt. */
class RunCapture {
  private chunks: number[] = [];
  dropped = 0;
  on = false;
  push(b: number): void {
    if (!this.on) return;
    this.chunks.push(b);
    if (this.chunks.length > MAX_CAPTURE + 4096) {
      const cut = this.chunks.length - MAX_CAPTURE;
      this.chunks.splice(0, cut);
      this.dropped += cut;
    }
  }
  /** The output without the echo of the command line and without the closing prompt. */
  text(cmd: string): string {
    let t = Buffer.from(this.chunks).toString('latin1').replace(/\r\n?/g, '\n');
    if (this.dropped === 0 && t.startsWith(cmd + '\n')) t = t.slice(cmd.length + 1);
    return t.endsWith('$ ') ? t.slice(0, -2) : t;
  }
}

export async function runCli(argv: readonly string[], hooks: CliHooks = {}): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`xv6emu: ${e.message}\n${e.showUsage ? USAGE + '\n' : ''}`);
      return 2;
    }
    throw e;
  }

  const out = new ConsoleOut();
  const watcher = new PromptWatcher();
  const capture = new RunCapture();
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
        capture.push(b);
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
      if (typed) capture.on = false;
      if (!typed || watcher.prompts > 1) machine.requestPause();
    };
  }

  const started = Date.now();
  let restoreTty = (): void => {};
  const finish = (code: number): number => {
    out.endLine();
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

  // Interactive console: raw terminal with escape keys behind Ctrl-A. Piped input goes to
  // the guest as it is, Ctrl-A included.
  const interactive = opts.run === undefined && !opts.htif;
  let stdinEnded = !interactive;
  let wake: (() => void) | undefined;
  let quit = false;
  if (!stdinEnded) {
    const stdin = process.stdin;
    const keys = stdin.isTTY ? new EscapeKeys() : undefined;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      restoreTty = () => stdin.setRawMode(false);
    }
    stdin.on('data', (chunk: Buffer) => {
      const { input, commands } = keys ? keys.feed(chunk) : { input: chunk, commands: [] };
      if (input.length) machine.consoleInput(Uint8Array.from(input));
      for (const c of commands) {
        if (c === 'quit') quit = true;
        else out.say(ESCAPE_HELP + '\n');
      }
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
      out.endLine();
      process.stderr.write(
        `xv6emu: timeout: ${machine.instret} instructions executed (--timeout-insns ${limit})\n`,
      );
      return finish(4);
    }
    const skippedBefore = machine.skippedTicks;
    const stop: StopReason = machine.run(Math.min(left, 50_000_000), { deadlineMs: 25 });
    out.flush();
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
            capture.on = true;
            machine.consoleInput(Buffer.from(opts.run + '\n', 'latin1'));
          } else finishedRun = true;
        }
        break;
      case 'breakpoint':
        if (panicSym && Number(stop.pc) === panicSym.value) {
          out.endLine();
          return finish(reportPanic(booted, stop.hart, hooks));
        }
        machine.harts[stop.hart]!.skipBreakpointOnce();
        break;
      case 'poweroff':
        if (stop.code !== 0) {
          out.endLine();
          process.stderr.write(`xv6emu: the guest powered off with failure code ${stop.code}\n`);
        }
        return finish(stop.code === 0 ? 0 : 1);
      case 'reboot':
        out.endLine();
        process.stderr.write('xv6emu: the guest asked for a reboot; stopping\n');
        return finish(0);
      case 'htif':
        if (stop.code !== 0) {
          out.endLine();
          process.stderr.write(`xv6emu: test failed with code ${stop.code}\n`);
        }
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
            out.endLine();
            process.stderr.write('xv6emu: every hart is idle and no input is coming\n');
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
    if (finishedRun) return finish(checkExpect(opts, capture));
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

/** 0, or 1 with one line on stderr when the --run command's output misses --expect. */
function checkExpect(opts: CliOptions, capture: RunCapture): number {
  if (!opts.expect || opts.run === undefined) return 0;
  if (opts.expect.test(capture.text(opts.run))) return 0;
  const part = capture.dropped ? ` (its last ${MAX_CAPTURE >> 20} MiB)` : '';
  process.stderr.write(
    `xv6emu: the output of '${opts.run}'${part} does not match --expect ${JSON.stringify(opts.expect.source)}\n`,
  );
  return 1;
}

function reportPanic(booted: Booted, hartId: number, hooks: CliHooks): number {
  const { machine, elf } = booted;
  const hart = machine.harts[hartId]!;
  const msg = readCString(machine, hart, hart.getReg(10)) ?? '(unreadable message)';
  const lines = [`panic: ${msg}`, `xv6emu: kernel panic on hart ${hartId}; backtrace:`];
  let frames: string[] = [];
  try {
    frames = hooks.backtrace?.(booted, hartId) ?? [];
  } catch (e) {
    lines.push(`xv6emu: no source-level backtrace (${(e as Error).message}); symbols only:`);
  }
  if (!frames.length) frames = fpBacktrace(machine, hart, elf, true).map((f, i) => formatFrame(i, f));
  process.stdout.write([...lines, ...frames].join('\n') + '\n');
  return 3;
}

/**
 * Run `xv6emu` with this process's arguments and exit with its status. Guest RAM goes on
 * huge pages when the host can (hugepages.ts): the process starts itself again for that.
 */
export function startCli(hooks: CliHooks = {}): void {
  relaunchWithHugePages()
    .then((code) => code ?? runCli(process.argv.slice(2), hooks))
    .then(
      (code) => process.exit(code),
      (e: unknown) => {
        process.stderr.write(
          `xv6emu: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
        );
        process.exit(70);
      },
    );
}

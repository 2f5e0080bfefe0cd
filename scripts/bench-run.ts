/**
 * The two ways the benchmarks time a guest: booting a kernel in this process until the
 * shell's first prompt `$ ` (wall and CPU seconds, instructions retired), and spawning a
 * program (QEMU, or `xv6emu` from process start), optionally typing a command at its
 * first prompt, until its output says it is done (wall seconds from the spawn).
 */
import { spawn } from 'node:child_process';
import { boot, type BootOptions } from '../emulator/boot';

/** Wall and CPU seconds of a boot (the adapter bench's boots have these too). */
export interface BootTime {
  seconds: number;
  cpuSeconds: number;
}

export interface PromptBoot extends BootTime {
  instret: number;
}

/** Boot in this process until the first `$ `; gives up after `maxInsns` instructions. */
export function bootToPrompt(opts: Omit<BootOptions, 'console'> = {}, maxInsns = 5e9): PromptBoot {
  let line = '';
  let seen = false;
  const { machine } = boot({
    ...opts,
    console: (b) => {
      if (b === 10 || b === 13) line = '';
      else if (line.length < 4 && (line += String.fromCharCode(b)) === '$ ') {
        seen = true;
        machine.requestPause();
      }
    },
  });
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  while (!seen) {
    const stop = machine.run(1e9);
    if (stop.kind !== 'budget' && stop.kind !== 'pause') throw new Error(`boot stopped: ${stop.kind}`);
    if (machine.instret > maxInsns) throw new Error(`no shell prompt after ${maxInsns} instructions`);
  }
  const c = process.cpuUsage(c0);
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    instret: machine.instret,
    cpuSeconds: (c.user + c.system) / 1e6,
  };
}

/** The shell's prompt at the start of a line. */
export const atPrompt = (out: string): boolean => /(^|\n)\$ /.test(out);

export interface SpawnRun {
  /** Typed at the first prompt; the output seen so far is then forgotten. */
  input?: string;
  /** True once the output (since the input, if any) shows the run is done. */
  done: (out: string) => boolean;
  limitMs: number;
  /** The program ending is the end of the run (else it is an error). */
  exitEnds?: boolean;
}

/** Spawn `cmd args` and resolve with the wall seconds from the spawn to the end of the run. */
export function timeSpawn(cmd: string, args: string[], run: SpawnRun): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    let typed = run.input === undefined;
    let finished = false;
    const end = (error?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      p.kill('SIGKILL');
      if (error) reject(error);
      else resolve(Number(process.hrtime.bigint() - t0) / 1e9);
    };
    const timer = setTimeout(
      () => end(new Error(`${cmd} did not finish within ${run.limitMs / 1000} s:\n${out.slice(-300)}`)),
      run.limitMs,
    );
    p.stdout.on('data', (d: Buffer) => {
      if (finished) return;
      out += d.toString('latin1');
      if (out.length > 1 << 20) out = out.slice(-(1 << 16));
      if (!typed && atPrompt(out)) {
        typed = true;
        out = '';
        p.stdin.write(run.input);
      } else if (typed && run.done(out)) end();
    });
    p.on('exit', () => end(run.exitEnds ? undefined : new Error(`${cmd} ended early:\n${out.slice(-300)}`)));
    p.on('error', (e) => end(e));
  });
}

/**
 * The debug adapter's figures for `npm run bench`, measured on the bundled kernel with the
 * session running in this process, as it runs inline in the extension host: requests go
 * in through `handleMessage`, responses and events come back through `onDidSendMessage`.
 * - step: stopped in `usertrap` on a lazy page fault of lazytests, the time from a `next`
 *   (source line) or a `stepIn` by instruction to its `stopped` event, median and max of 20;
 * - never-hit breakpoints: boot to the first prompt (best of 3, wall and CPU time) with the
 *   session's own breakpoint only (the panic filter's, on by default) and with function and
 *   line breakpoints in system calls the boot never makes, beside the bare emulator's boot
 *   (bench.ts) run in turn with them, so background load weighs on all three alike;
 * - event-loop blocking: the delay of this process's event loop (perf_hooks, 10 ms
 *   resolution) while lazytests runs flat out in the adapter, with the number of JIT
 *   functions compiled meanwhile (compiling is the costly part of the JIT);
 * - never-hit breakpoints while a program runs: the session (with them set) and a bare
 *   machine run the same guest instructions in turn, window by window (paired windows:
 *   load from elsewhere comes and goes over seconds, and weighs on both sides of a pair
 *   alike), CPU time per instruction compared; the median of the pairs is the figure. The
 *   same method on two bare machines gives its noise floor, printed beside it.
 * Figures only: nothing here asserts a time, but a breakpoint hit during the boot, a
 * missing program or a stop that does not come is an error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Xv6DebugSession } from '../adapter/session';
import { nodeHost } from '../adapter/host';
import type { ConsoleEventBody, HartInfo, HartsResponse } from '../adapter/protocol';
import { boot, packageRoot } from '../emulator/boot';
import type { Machine } from '../emulator/machine';
import { jitFunctionCount } from '../emulator/cpu/jit';
import type { BootTime } from './bench-run';

const STEPS = 20;
const BOOTS = 3;
const LOOP_WATCH_MS = 2500;
/** A long-running test program of the bundled disk, run while the event loop is watched. */
const LOOP_PROGRAM = 'lazytests';
/**
 * What is typed: the program several times over, so it outlasts the watch (the console
 * holds 128 bytes, the shell 16 commands).
 */
const LOOP_COMMAND = Array.from({ length: 10 }, () => LOOP_PROGRAM).join('; ');
const WAIT_MS = 120_000;

/** Kernel functions nothing calls before the first prompt: breakpoints here are never hit. */
const NEVER_CALLED = [
  'sys_link',
  'sys_unlink',
  'sys_kill',
  'sys_chdir',
  'sys_mkdir',
  'sys_pipe',
  'sys_sleep',
  'kill',
  'pipealloc',
];
/** Line breakpoints a few lines into the body of some of them (file, function). */
const NEVER_CALLED_LINES: [file: string, fn: string][] = [
  ['sysfile.c', 'sys_link'],
  ['sysfile.c', 'sys_unlink'],
  ['sysfile.c', 'sys_chdir'],
  ['sysfile.c', 'sys_mkdir'],
  ['sysproc.c', 'sys_kill'],
];

type Message = DebugProtocol.ProtocolMessage;

const isEvent = (m: Message, name: string): m is DebugProtocol.Event =>
  m.type === 'event' && (m as DebugProtocol.Event).event === name;
const isResponseTo = (m: Message, seq: number): m is DebugProtocol.Response =>
  m.type === 'response' && (m as DebugProtocol.Response).request_seq === seq;

/** A debug session in this process, driven as a client would drive it. */
class InProcessClient {
  private readonly session = new Xv6DebugSession(nodeHost);
  private seq = 1;
  private readonly listeners = new Set<(m: Message) => void>();
  /** Guest console output so far. */
  console = '';
  /** Stopped events so far. */
  stops = 0;

  constructor() {
    this.session.setRunAsServer(true);
    this.session.onDidSendMessage((m) => {
      const msg = m as Message;
      if (isEvent(msg, 'xv6.console')) this.console += (msg.body as ConsoleEventBody).text;
      if (isEvent(msg, 'stopped')) this.stops++;
      for (const l of [...this.listeners]) l(msg);
    });
  }

  /** Resolves with the first message `pick` returns a value for. */
  private wait<T>(what: string, pick: (m: Message) => T | undefined, timeoutMs = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`${what} did not come within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const listener = (m: Message): void => {
        const v = pick(m);
        if (v === undefined) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(v);
      };
      this.listeners.add(listener);
    });
  }

  /** The next event named `name` (listen before causing it). */
  event<T extends DebugProtocol.Event>(name: string, timeoutMs?: number): Promise<T> {
    return this.wait(`the ${name} event`, (m) => (isEvent(m, name) ? (m as T) : undefined), timeoutMs);
  }

  request<T extends DebugProtocol.Response>(command: string, args?: unknown): Promise<T> {
    const seq = this.seq++;
    const done = this.wait(`the response to ${command}`, (m) =>
      isResponseTo(m, seq) ? (m as T) : undefined,
    ).then((r) => {
      if (!r.success) throw new Error(`${command} failed: ${r.message ?? 'no message'}`);
      return r;
    });
    const req: DebugProtocol.Request = { seq, type: 'request', command, arguments: args };
    this.session.handleMessage(req);
    return done;
  }

  /** The first of: a shell prompt in the console output after `from` characters, or a stop. */
  promptOrStop(from = 0): Promise<DebugProtocol.StoppedEvent | 'prompt'> {
    const seen = (): boolean => /(^|\n)\$ /.test(this.console.slice(from));
    if (seen()) return Promise.resolve('prompt');
    return this.wait('the shell prompt', (m) =>
      isEvent(m, 'stopped')
        ? (m as DebugProtocol.StoppedEvent)
        : isEvent(m, 'xv6.console') && seen()
          ? 'prompt'
          : undefined,
    );
  }

  /** Resolves at the shell prompt; any stop before it is an error. */
  async prompt(from = 0): Promise<void> {
    const r = await this.promptOrStop(from);
    if (r !== 'prompt')
      throw new Error(
        `the guest stopped (${r.body.reason}) before the shell prompt: no breakpoint should be hit`,
      );
  }

  /** Launch the bundled kernel and disk; `setup` runs between initialized and configurationDone. */
  async launch(setup: () => Promise<unknown> = async () => {}): Promise<void> {
    await this.request('initialize', {
      adapterID: 'xv6',
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: 'path',
    });
    const initialized = this.event('initialized');
    await this.request('launch', { type: 'xv6', request: 'launch' });
    await initialized;
    await setup();
  }

  async close(): Promise<void> {
    await this.request('disconnect', {});
    this.listeners.clear();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---- (a) step time ---------------------------------------------------------------------

interface StepFigures {
  next: number[];
  instruction: number[];
  /** Where the steps started: `usertrap at trap.c:NN`. */
  where: string;
}

async function stepTimes(): Promise<StepFigures> {
  const c = new InProcessClient();
  try {
    await c.launch(() =>
      c.request('setFunctionBreakpoints', {
        breakpoints: [{ name: 'usertrap', condition: '$scause == 13 || $scause == 15' }],
      }),
    );
    await c.request('configurationDone');
    await c.prompt();
    const from = c.console.length;
    await c.request('xv6.consoleInput', { text: 'lazytests\n' });
    const stop = await c.promptOrStop(from);
    if (stop === 'prompt')
      throw new Error(
        `lazytests ran without a lazy page fault: ${JSON.stringify(c.console.slice(from, from + 80))}`,
      );
    if (stop.body.reason !== 'function breakpoint')
      throw new Error(`lazytests stopped for '${stop.body.reason}', not at the usertrap breakpoint`);
    const threadId = stop.body.threadId ?? 1;
    const frames = await c.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId });
    const f0 = frames.body.stackFrames[0];
    const where = f0 ? `${f0.name} at ${f0.source?.name ?? '?'}:${f0.line}` : '?';
    const time = async (command: string, args: object): Promise<number> => {
      const stopped = c.event<DebugProtocol.StoppedEvent>('stopped');
      const t0 = process.hrtime.bigint();
      await c.request(command, { threadId, ...args });
      await stopped;
      const t = ms(t0);
      // What VS Code asks after every stop, outside the figure.
      await c.request('stackTrace', { threadId, startFrame: 0, levels: 20 });
      return t;
    };
    const next: number[] = [];
    for (let i = 0; i < STEPS; i++) next.push(await time('next', {}));
    const instruction: number[] = [];
    for (let i = 0; i < STEPS; i++) instruction.push(await time('stepIn', { granularity: 'instruction' }));
    return { next, instruction, where };
  } finally {
    await c.close();
  }
}

// ---- (b) boot with never-hit breakpoints ----------------------------------------------

/** Line breakpoints on the first `if` or `return` line of each function of NEVER_CALLED_LINES. */
function neverHitLines(): { path: string; lines: number[] }[] {
  const byFile = new Map<string, number[]>();
  for (const [file, fn] of NEVER_CALLED_LINES) {
    const path = join(packageRoot(), 'kernel', 'kernel', file);
    const text = readFileSync(path, 'latin1').split('\n');
    const def = text.findIndex((l) => new RegExp(`^(uint64\\s+)?${fn}\\(void\\)`).test(l));
    const at = def < 0 ? -1 : text.findIndex((l, i) => i > def && /^\s+(if|return)\b/.test(l));
    if (at < 0) throw new Error(`no function ${fn} with an if or a return in ${path}`);
    byFile.set(path, [...(byFile.get(path) ?? []), at + 1]);
  }
  return [...byFile].map(([path, lines]) => ({ path, lines }));
}

/** A boot to the first prompt: wall seconds, and CPU seconds of this process meanwhile. */
/** From configurationDone to the first prompt; with breakpoints, how many were set. */
/** Set the function and line breakpoints the boot and usertests never hit; how many. */
async function setNeverHit(c: InProcessClient): Promise<number> {
  let n = 0;
  const verify = (what: string, bps: DebugProtocol.Breakpoint[]): void => {
    const bad = bps.find((b) => !b.verified);
    if (bad) throw new Error(`${what}: a breakpoint was not set: ${bad.message ?? 'no reason given'}`);
    n += bps.length;
  };
  const fns = await c.request<DebugProtocol.SetFunctionBreakpointsResponse>('setFunctionBreakpoints', {
    breakpoints: NEVER_CALLED.map((name) => ({ name })),
  });
  verify('function breakpoints', fns.body.breakpoints);
  for (const { path, lines } of neverHitLines()) {
    const r = await c.request<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', {
      source: { path },
      breakpoints: lines.map((line) => ({ line })),
    });
    verify(path, r.body.breakpoints);
  }
  return n;
}

async function adapterBoot(withBreakpoints: boolean): Promise<BootTime & { breakpoints: number }> {
  const c = new InProcessClient();
  let breakpoints = 0;
  try {
    await c.launch(async () => {
      if (withBreakpoints) breakpoints = await setNeverHit(c);
    });
    const prompt = c.prompt();
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    await c.request('configurationDone');
    await prompt;
    const cpu = process.cpuUsage(c0);
    return { seconds: ms(t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, breakpoints };
  } finally {
    await c.close();
  }
}

// ---- (c) event-loop blocking -----------------------------------------------------------

interface LoopFigures {
  maxMs: number;
  p99Ms: number;
  /** New JIT functions compiled meanwhile. */
  compiled: number;
  /** The program ended before the end of the watch: the guest was not busy throughout. */
  ended: boolean;
}

async function eventLoopDelay(): Promise<LoopFigures> {
  const c = new InProcessClient();
  try {
    await c.launch(() => setNeverHit(c));
    await c.request('configurationDone');
    await c.prompt();
    const from = c.console.length;
    await c.request('xv6.consoleInput', { text: `${LOOP_COMMAND}\n` });
    const jit0 = jitFunctionCount();
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    await sleep(LOOP_WATCH_MS);
    h.disable();
    if (c.stops > 0) {
      const st = await c.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1, levels: 1 });
      const where = st.body.stackFrames[0]?.name ?? 'an unknown place';
      throw new Error(`${LOOP_PROGRAM} hit a breakpoint meant never to be hit, in ${where}`);
    }
    const out = c.console.slice(from);
    // It started when it printed its first test's name (the shell says `exec … failed` otherwise).
    if (!out.includes('test '))
      throw new Error(
        `${LOOP_PROGRAM} did not start on the bundled disk: ${JSON.stringify(out.slice(0, 80))}`,
      );
    // The histogram counts the delay beyond the sampling interval (resolution).
    return {
      maxMs: h.max / 1e6,
      p99Ms: h.percentile(99) / 1e6,
      compiled: jitFunctionCount() - jit0,
      ended: /(^|\n)\$ /.test(out),
    };
  } finally {
    await c.close();
  }
}

// ---- (d) never-hit breakpoints while a program runs: paired windows --------------------

/** Paired windows per measurement, and the length of one (wall time of the leading side). */
const PAIRS = 100;
const PAIR_MS = 300;
/** Instructions per window of the noise-floor measurement (about PAIR_MS of guest work). */
const PAIR_INSNS = 50_000_000;

/** A bare machine booted to the shell prompt with LOOP_COMMAND typed. */
function bareMachineAtPrompt(): Machine {
  let line = '';
  let seen = false;
  const { machine } = boot({
    console: (b) => {
      if (b === 10 || b === 13) line = '';
      else if (line.length < 4 && (line += String.fromCharCode(b)) === '$ ' && !seen) {
        seen = true;
        machine.requestPause();
      }
    },
  });
  while (!seen) {
    const stop = machine.run(1e9);
    if (stop.kind !== 'budget' && stop.kind !== 'pause') throw new Error(`boot stopped: ${stop.kind}`);
  }
  machine.consoleInput(new TextEncoder().encode(`${LOOP_COMMAND}\n`));
  return machine;
}

/** Run a bare machine until it has retired `target` instructions; CPU microseconds used. */
function runTo(m: Machine, target: number): number {
  const c0 = process.cpuUsage();
  while (m.instret < target) {
    const stop = m.run(Math.min(2e6, target - m.instret));
    if (stop.kind !== 'budget') throw new Error(`${LOOP_PROGRAM} stopped the emulator: ${stop.kind}`);
  }
  return cpuMicros(c0);
}

/**
 * CPU time per instruction of the session (never-hit breakpoints set, running in its
 * slices as in the extension host) over a bare machine's, on the same guest instructions,
 * one ratio per window (1.03 = 3 % more time per instruction). The side that runs a stretch
 * of guest code first pays a little more for it (the host's caches and predictors, V8's
 * feedback), so the two take turns: the session runs PAIR_MS and the bare machine follows
 * to the same guest point, then the bare machine runs as many instructions ahead and the
 * session follows.
 */
async function pairedAdapter(): Promise<number[]> {
  const bare = bareMachineAtPrompt();
  const c = new InProcessClient();
  const instret = async (): Promise<number> => {
    const r = await c.request<DebugProtocol.Response>('xv6.harts', {});
    return (r.body as HartsResponse).harts.reduce((n: number, h: HartInfo) => n + h.instret, 0);
  };
  try {
    await c.launch(() => setNeverHit(c));
    await c.request('configurationDone');
    await c.prompt();
    await c.request('xv6.consoleInput', { text: `${LOOP_COMMAND}\n` });
    // The same guest point: the bare machine's count when its command went in, against the
    // session's (the two idled at the prompt for different numbers of instructions).
    const offset = bare.instret - (await instret());
    const ratios: number[] = [];
    let ahead = 0; // instructions of the last window the session led
    for (let w = 0; w < PAIRS; w++) {
      const i0 = await instret();
      runTo(bare, i0 + offset); // catch up, not measured
      if (w % 2 === 0 || ahead === 0) {
        const c0 = process.cpuUsage();
        await sleep(PAIR_MS);
        const i1 = await instret();
        const sessionCpu = cpuMicros(c0);
        ratios.push(sessionCpu / runTo(bare, i1 + offset));
        ahead = i1 - i0;
      } else {
        const bareCpu = runTo(bare, i0 + offset + ahead);
        const c0 = process.cpuUsage();
        await sleep(PAIR_MS * 0.9);
        let i1 = await instret();
        while (i1 < i0 + ahead) {
          await sleep(2);
          i1 = await instret();
        }
        const sessionCpu = cpuMicros(c0);
        // The session overshoots the bare machine's window by up to a slice: compare rates.
        ratios.push(sessionCpu / (i1 - i0) / (bareCpu / ahead));
      }
    }
    if (c.stops > 0) throw new Error(`${LOOP_PROGRAM} hit a breakpoint meant never to be hit`);
    return ratios;
  } finally {
    await c.close();
  }
}

/**
 * The same method on two bare machines running the same instructions, taking turns to
 * lead: its noise floor.
 */
function pairedBare(): number[] {
  const a = bareMachineAtPrompt();
  const b = bareMachineAtPrompt();
  const ratios: number[] = [];
  for (let w = 0; w < PAIRS; w++) {
    const target = a.instret + PAIR_INSNS;
    if (w % 2 === 0) ratios.push(runTo(a, target) / runTo(b, target));
    else {
      const bCpu = runTo(b, target);
      ratios.push(runTo(a, target) / bCpu);
    }
  }
  return ratios;
}

/** CPU microseconds (user + system) this process used since `c0`. */
function cpuMicros(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return c.user + c.system;
}

// ---- all of it -------------------------------------------------------------------------

export interface AdapterFigures {
  steps: StepFigures;
  /** Best of BOOTS (wall and CPU each). */
  emuBoot: BootTime;
  adapterBoot: BootTime;
  breakpointBoot: BootTime;
  breakpoints: number;
  loop: LoopFigures;
  /** Paired windows, session over bare machine: time-per-instruction ratios. */
  paired: number[];
  /** The same, bare machine over bare machine (the method's noise floor). */
  floor: number[];
}

const best = (xs: BootTime[]): BootTime => ({
  seconds: Math.min(...xs.map((x) => x.seconds)),
  cpuSeconds: Math.min(...xs.map((x) => x.cpuSeconds)),
});

/** Run the three measurements; `bareBoot` is bench.ts's boot of the emulator alone. */
export async function adapterBench(bareBoot: () => BootTime): Promise<AdapterFigures> {
  const steps = await stepTimes();
  const emu: BootTime[] = [];
  const plain: BootTime[] = [];
  const withBps: BootTime[] = [];
  let breakpoints = 0;
  // In turn, so that load from elsewhere weighs on all three alike.
  for (let i = 0; i < BOOTS; i++) {
    emu.push(bareBoot());
    plain.push(await adapterBoot(false));
    const b = await adapterBoot(true);
    withBps.push(b);
    breakpoints = b.breakpoints;
  }
  // The first run of the job compiles most of its blocks (the cache of compiled functions
  // is shared by every machine of the process): it gives the event-loop figures, the worst
  // case. The paired windows come after, equally warm on both sides.
  const loop = await eventLoopDelay();
  const paired = await pairedAdapter();
  const floor = pairedBare();
  return {
    steps,
    emuBoot: best(emu),
    adapterBoot: best(plain),
    breakpointBoot: best(withBps),
    breakpoints,
    loop,
    paired,
    floor,
  };
}

/** The median of time ratios, as percent more time (1.03: +3). */
const medianPercent = (ratios: number[]): number => (median(ratios) - 1) * 100;

/** Percent more time than `base`. */
const over = (t: number, base: number): number => (t / base - 1) * 100;

/** The keys bench.ts adds to its JSON line. */
export function adapterJson(f: AdapterFigures): Record<string, number> {
  return {
    stepMs: median(f.steps.next),
    stepMaxMs: Math.max(...f.steps.next),
    instructionStepMs: median(f.steps.instruction),
    instructionStepMaxMs: Math.max(...f.steps.instruction),
    emuBootBestSeconds: f.emuBoot.seconds,
    adapterBootSeconds: f.adapterBoot.seconds,
    bootWithBreakpointsSeconds: f.breakpointBoot.seconds,
    // Never-hit breakpoints against none (the session's panic breakpoint is in both) ...
    breakpointOverheadPercent: over(f.breakpointBoot.seconds, f.adapterBoot.seconds),
    // ... and against the emulator running free (no debugger at all).
    breakpointVsEmulatorPercent: over(f.breakpointBoot.seconds, f.emuBoot.seconds),
    emuBootCpuSeconds: f.emuBoot.cpuSeconds,
    adapterBootCpuSeconds: f.adapterBoot.cpuSeconds,
    bootWithBreakpointsCpuSeconds: f.breakpointBoot.cpuSeconds,
    runOverheadPercent: medianPercent(f.paired),
    runOverheadFloorPercent: medianPercent(f.floor),
    eventLoopMaxMs: f.loop.maxMs,
    eventLoopP99Ms: f.loop.p99Ms,
  };
}

/** Rows of the adapter table: what, measured, target. */
export function adapterRows(f: AdapterFigures): string[][] {
  const ms1 = (n: number): string => `${n.toFixed(1)} ms`;
  const spread = (xs: number[]): string => `median ${ms1(median(xs))}, max ${ms1(Math.max(...xs))}`;
  const pct = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)} %`;
  const boot = (b: BootTime): string => {
    const e = f.emuBoot;
    if (b === e) return `${b.seconds.toFixed(2)} s (cpu ${b.cpuSeconds.toFixed(2)} s)`;
    return (
      `${b.seconds.toFixed(2)} s = ${pct(over(b.seconds, e.seconds))} ` +
      `(cpu ${b.cpuSeconds.toFixed(2)} s = ${pct(over(b.cpuSeconds, e.cpuSeconds))})`
    );
  };
  return [
    ['debug adapter, in process', 'measured', 'target'],
    [`step over a line (next x${STEPS}, from ${f.steps.where})`, spread(f.steps.next), '< 20 ms'],
    [`step one instruction (stepIn x${STEPS})`, spread(f.steps.instruction), '< 20 ms'],
    [`boot to first prompt, best of ${BOOTS}: emulator alone`, boot(f.emuBoot), ''],
    [`  in the adapter, no breakpoint but the panic filter's`, boot(f.adapterBoot), ''],
    [`  in the adapter, ${f.breakpoints} breakpoints never hit`, boot(f.breakpointBoot), ''],
    [
      `${LOOP_PROGRAM}, ${f.breakpoints} breakpoints never hit: adapter over bare machine (${PAIRS} paired windows)`,
      `median ${pct(medianPercent(f.paired))} time per instruction`,
      'within 5 %',
    ],
    [
      '  the same method, bare machine over bare machine (its noise floor)',
      `median ${pct(medianPercent(f.floor))}`,
      '',
    ],
    [
      `event-loop delay, ${LOOP_PROGRAM} running ${LOOP_WATCH_MS / 1000} s` +
        `${f.loop.ended ? ' (it ended early)' : ''}, ${f.loop.compiled} JIT functions compiled`,
      `max ${ms1(f.loop.maxMs)}, p99 ${ms1(f.loop.p99Ms)}`,
      'max < 50 ms',
    ],
  ];
}

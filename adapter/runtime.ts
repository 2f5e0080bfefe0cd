/**
 * The debugger's runtime: it drives a booted Machine on behalf of the session and knows
 * nothing of the Debug Adapter Protocol (vscode-mock-debug's `mockRuntime` layer). It runs
 * the machine in short slices (`run(budget, { deadlineMs })`, then `setImmediate`) so the
 * session can answer requests between them; keeps the breakpoint set (function,
 * instruction, the panic symbol, the temporary ones of the steps in linestep.ts); decides
 * which traps stop the run (exception filters with conditions); single-steps one hart; and
 * keeps a log of recent traps; data watchpoint hits go to `onWatchpoint` (watch.ts). It
 * reports through the `RuntimeEvents` callbacks.
 */
import {
  Priv,
  type CpuSharedApi,
  type HartApi,
  type StopReason,
  type TrapInfo,
  type WatchHit,
} from '../emulator/types';
import type { PhysReader } from '../emulator/inspect';
import type { ElfFile } from '../emulator/elf';
import { readCString } from '../emulator/inspect';
import { hex64 } from './csr';
import { callStack } from './views';
import { identify, type UserProgram } from './userprogs';
import { TrapLog, filterCauses, filterMatches, trapDescription, trapDetails } from './traps';
import { PRIV_CONSTANTS, TRAP_NAMES, parseCondition, type Condition, type Env } from './condition';
import type { ExceptionFilterId } from './protocol';

/** The Machine as the runtime uses it (emulator/machine.ts implements it). */
export interface MachineLike extends PhysReader {
  readonly harts: readonly HartApi[];
  readonly shared: CpuSharedApi;
  readonly instret: number;
  run(budget: number, opts?: { deadlineMs?: number }): StopReason;
  consoleInput(bytes: Uint8Array): void;
  writePhys(paddr: number, bytes: Uint8Array): boolean;
}

export type StopKind =
  | 'entry'
  | 'breakpoint'
  | 'function breakpoint'
  | 'instruction breakpoint'
  | 'data breakpoint'
  | 'step'
  | 'pause'
  | 'exception';

export interface StopInfo {
  kind: StopKind;
  hart: number;
  /** Short, shown in the call stack view ("Store/AMO page fault at 0x..."). */
  description?: string;
  /** Longer details (exception info). */
  details?: string;
  /** The exception filter that fired. */
  filter?: ExceptionFilterId;
  /** Ids of the user breakpoints hit. */
  hitBreakpointIds?: number[];
}

export interface RuntimeEvents {
  stopped(s: StopInfo): void;
  /** Guest console output (latin1 text). */
  console(text: string): void;
  /** The guest powered off or otherwise ended. */
  exited(code: number, why: string): void;
  /** A message for the debug console. */
  message(text: string): void;
}

export interface UserBreakpoint {
  id: number;
  addr: number;
  kind: 'breakpoint' | 'function breakpoint' | 'instruction breakpoint';
  /** Line breakpoints: the source file they were set for (replaced together). */
  source?: string;
  condition?: Condition;
  /** A breakpoint in a user program: hit only while that program's code is at the address. */
  program?: UserProgram;
  /** A C condition evaluated in the hart's innermost frame (false or an error: go on). */
  check?: (hart: number) => boolean;
  /** Stop only on hits the hit condition accepts ("5", ">= 5", "% 3"); counted after `check`. */
  hitCondition?: (hits: number) => boolean;
  hits?: number;
  /** A logpoint: print this text (expressions interpolated) and go on. */
  log?: (hart: number) => string;
}

interface ExceptionFilter {
  id: ExceptionFilterId;
  condition?: Condition;
}

export interface TempBreakpoint {
  addr: number;
  hart: number;
  /** Stop only once the stack pointer is above this (the frame returned). */
  spAbove?: bigint;
  /** Only with exactly this stack pointer (the same kernel thread after an interrupt). */
  spExact?: bigint;
  /** Only in this address space (satp) and privilege mode. */
  satp?: bigint;
  priv?: Priv;
  /** Instead of reporting a stop, call this (a line step goes on from there). */
  then?: () => void;
}

const SLICE_BUDGET = 20_000_000;
const SLICE_MS = 20;
const SP = 2;
const A0 = 10;

export class Runtime {
  private running = false;
  private scheduled: NodeJS.Immediate | undefined;
  private waitingForInput = false;
  private ended = false;
  private consoleBytes: number[] = [];
  private userBps = new Map<number, UserBreakpoint[]>();
  private temp: TempBreakpoint | undefined;
  private filters: ExceptionFilter[] = [];
  private pendingTrapStop: StopInfo | undefined;
  /** Prints the source backtrace of a hart (the session provides it; else ELF symbols). */
  backtrace: ((hart: number) => string[]) | undefined;
  /** The hart that last stopped at a breakpoint PC: it executes that instruction on resume. */
  private lastStopHart: number | undefined;
  /**
   * A store hit a data watchpoint (watch.ts): the stop to report, or undefined to go on
   * (a false condition, a hit count not reached). The hart is past the store already.
   */
  onWatchpoint: ((hart: number, hit: WatchHit) => StopInfo | undefined) | undefined;
  readonly panicAddr: number | undefined;
  /** Every trap taken, for the trap log view. */
  readonly traps: TrapLog;

  constructor(
    readonly machine: MachineLike,
    readonly elf: ElfFile | undefined,
    private readonly events: RuntimeEvents,
    panicSymbol: string,
  ) {
    const p = elf?.symbol(panicSymbol);
    this.panicAddr = p ? p.value : undefined;
    this.traps = new TrapLog(elf);
    // Every trap goes to the log without a call; the hook sees the exceptions a filter may
    // stop on (none until filters are set).
    machine.shared.trapRing = this.traps.ring;
    machine.shared.onTrapCauses = 0;
    machine.shared.onTrapInterrupts = false;
    machine.shared.onTrap = (t) => this.onTrap(t);
  }

  /** User program ELFs (launch.json `userPrograms`), for user-space symbols. */
  userPrograms: UserProgram[] = [];

  /**
   * The symbols that name `addr` as `hart` sees it: the kernel's when it has a function
   * there, else the user program whose code is at that address (if any is loaded).
   */
  symbolsFor(hart: HartApi, addr: bigint): { elf: ElfFile | undefined; program?: UserProgram } {
    if (this.userPrograms.length === 0 || this.elf?.symbolAt(Number(BigInt.asIntN(64, addr))))
      return { elf: this.elf };
    const program = identify(this.userPrograms, this.machine, hart, addr);
    return program ? { elf: program.elf, program } : { elf: this.elf };
  }

  /** Bytes the guest printed: the machine's console callback feeds this. */
  consoleByte(b: number): void {
    this.consoleBytes.push(b);
  }

  get isRunning(): boolean {
    return this.running;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  // ---- breakpoints -----------------------------------------------------------------

  setUserBreakpoints(kind: UserBreakpoint['kind'], bps: UserBreakpoint[], source?: string): void {
    for (const [addr, list] of this.userBps) {
      const keep = list.filter((b) => b.kind !== kind || b.source !== source);
      if (keep.length) this.userBps.set(addr, keep);
      else this.userBps.delete(addr);
    }
    for (const b of bps) {
      const list = this.userBps.get(b.addr) ?? [];
      list.push(b);
      this.userBps.set(b.addr, list);
    }
    this.syncBreakpoints();
  }

  /** Parse and install exception filters; returns one message per bad condition. */
  setExceptionFilters(filters: { id: ExceptionFilterId; condition?: string }[]): (string | undefined)[] {
    this.filters = [];
    const errors = filters.map((f) => {
      try {
        const condition = f.condition?.trim()
          ? parseCondition(f.condition, TRAP_NAMES, PRIV_CONSTANTS)
          : undefined;
        this.filters.push({ id: f.id, condition });
        return undefined;
      } catch (e) {
        this.filters.push({ id: f.id });
        return (e as Error).message;
      }
    });
    this.machine.shared.onTrapCauses = this.filters.reduce((m, f) => m | filterCauses(f.id), 0);
    this.syncBreakpoints();
    return errors;
  }

  private syncBreakpoints(): void {
    const set = this.machine.shared.breakpoints;
    set.clear();
    for (const addr of this.userBps.keys()) set.add(addr);
    if (this.panicAddr !== undefined && this.filters.some((f) => f.id === 'panic')) set.add(this.panicAddr);
    if (this.temp) set.add(this.temp.addr);
  }

  // ---- execution control -----------------------------------------------------------

  continue(): void {
    if (this.running || this.ended) return;
    const h = this.lastStopHart;
    if (h !== undefined) {
      const hart = this.machine.harts[h];
      if (hart && this.machine.shared.breakpoints.has(Number(hart.getPc()))) hart.skipBreakpointOnce();
    }
    this.lastStopHart = undefined;
    this.running = true;
    this.schedule();
  }

  /** Stop every hart; the stop names `hart` when it is one (see `pausedHart`). */
  pause(hart?: number): void {
    if (!this.running) return;
    this.halt();
    this.stop({ kind: 'pause', hart: this.pausedHart(hart) });
  }

  /**
   * The hart a pause reports. All harts stop together (all-stop), so the choice is only
   * which thread gets the focus. gdb's all-stop mode keeps the thread the user selected
   * current when it interrupts the program, so we report the hart the client asked to
   * pause (DAP pause's threadId: the thread focused in the UI). Without one, the hart a
   * student most likely wants to see: the first in user mode (running a process), else
   * the first not idling in wfi, else hart 0.
   */
  private pausedHart(requested: number | undefined): number {
    const harts = this.machine.harts;
    if (requested !== undefined && harts[requested]) return requested;
    const user = harts.findIndex((h) => h.priv === Priv.U);
    if (user >= 0) return user;
    const busy = harts.findIndex((h) => !h.waiting);
    return busy >= 0 ? busy : 0;
  }

  /** Stop running without reporting (terminate, disconnect). */
  halt(): void {
    this.running = false;
    this.waitingForInput = false;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
  }

  /**
   * Execute one instruction on `hartId` for a line step: returns the traps it took and
   * the stop an exception filter asked for (if any). Nothing is reported.
   */
  singleStep(hartId: number): { traps: TrapInfo[]; filterStop?: StopInfo } {
    const hart = this.machine.harts[hartId]!;
    if (this.machine.shared.breakpoints.has(Number(hart.getPc()))) hart.skipBreakpointOnce();
    const from = this.traps.total;
    try {
      hart.run(1);
    } finally {
      this.flushConsole();
    }
    const traps = this.traps.ring.since(from);
    const hit = this.machine.shared.takeWatchHit?.();
    const filterStop = this.pendingTrapStop ?? (hit ? this.onWatchpoint?.(hartId, hit) : undefined);
    this.pendingTrapStop = undefined;
    return filterStop ? { traps, filterStop } : { traps };
  }

  /** Report a stop of a step (or any stop) that the line stepper decided on. */
  report(s: StopInfo): void {
    this.lastStopHart = s.hart;
    this.stop(s);
  }

  /** Run until `t` is reached (then report a step stop, or call `t.then`). */
  runTo(t: TempBreakpoint, hartId: number): void {
    this.temp = t;
    this.syncBreakpoints();
    this.lastStopHart = hartId;
    this.continue();
  }

  consoleInput(text: string): void {
    this.machine.consoleInput(Buffer.from(text, 'latin1'));
    if (this.waitingForInput) {
      this.waitingForInput = false;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.scheduled || !this.running) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.slice();
    });
  }

  private slice(): void {
    if (!this.running) return;
    let stop: StopReason;
    try {
      stop = this.machine.run(SLICE_BUDGET, { deadlineMs: SLICE_MS });
    } catch (e) {
      // The emulator should never throw on guest behaviour; if it does, stop cleanly.
      this.flushConsole();
      this.halt();
      this.events.message(`emulator error: ${(e as Error).message}`);
      this.stop({ kind: 'pause', hart: 0, description: 'emulator error' });
      return;
    }
    this.flushConsole();
    this.traps.notePass();
    this.handle(stop);
    if (this.running && !this.waitingForInput) this.schedule();
  }

  private handle(stop: StopReason): void {
    switch (stop.kind) {
      case 'budget':
      case 'step':
        return;
      case 'pause':
        this.halt();
        this.stop({ kind: 'pause', hart: this.pausedHart(undefined) });
        return;
      case 'idle':
        // Every hart waits and nothing will wake one: wait for console input or a pause.
        this.waitingForInput = true;
        return;
      case 'trap': {
        const s = this.pendingTrapStop ?? {
          kind: 'exception',
          hart: stop.hart,
          description: trapDescription(stop.trap),
        };
        this.pendingTrapStop = undefined;
        this.halt();
        this.stop(s);
        return;
      }
      case 'breakpoint':
        this.onBreakpoint(stop.hart, Number(stop.pc));
        return;
      case 'watchpoint': {
        // Not lastStopHart: the hart is past the store, and a breakpoint at its pc is still due.
        const s = this.onWatchpoint?.(stop.hart, stop.hit);
        if (s) {
          this.halt();
          this.stop(s);
        }
        return;
      }
      case 'poweroff':
        this.end(
          stop.code,
          stop.code === 0 ? 'the guest powered off' : `the guest powered off with failure code ${stop.code}`,
        );
        return;
      case 'reboot':
        this.end(0, 'the guest asked for a reboot; the session ends');
        return;
      case 'htif':
        this.end(stop.code, `the program exited with code ${stop.code}`);
        return;
    }
  }

  private onBreakpoint(hartId: number, pc: number): void {
    const hart = this.machine.harts[hartId];
    if (!hart) return;
    const env = this.envFor(hartId);
    if (pc === this.panicAddr) {
      const f = this.filters.find((x) => x.id === 'panic');
      if (f && (!f.condition || f.condition.test(env))) {
        this.halt();
        this.lastStopHart = hartId;
        this.stop(this.panicStop(hartId));
        return;
      }
    }
    const hits = (this.userBps.get(pc) ?? []).filter(
      (b) =>
        (!b.program || identify([b.program], this.machine, hart, BigInt(pc)) === b.program) &&
        (!b.condition || b.condition.test(env)) &&
        (!b.check || b.check(hartId)),
    );
    const stopping = hits.filter((b) => {
      b.hits = (b.hits ?? 0) + 1;
      if (b.hitCondition && !b.hitCondition(b.hits)) return false;
      if (b.log) {
        this.events.message(b.log(hartId));
        return false;
      }
      return true;
    });
    hits.length = 0;
    hits.push(...stopping);
    if (hits.length) {
      this.halt();
      this.temp = undefined;
      this.syncBreakpoints();
      this.lastStopHart = hartId;
      this.stop({ kind: hits[0]!.kind, hart: hartId, hitBreakpointIds: hits.map((b) => b.id) });
      return;
    }
    const t = this.temp;
    if (
      t &&
      t.addr === pc &&
      t.hart === hartId &&
      (t.spAbove === undefined || hart.getReg(SP) > t.spAbove) &&
      (t.spExact === undefined || hart.getReg(SP) === t.spExact) &&
      (t.priv === undefined || hart.priv === t.priv) &&
      (t.satp === undefined || hart.readCsr(0x180) === t.satp)
    ) {
      this.halt();
      this.temp = undefined;
      this.syncBreakpoints();
      this.lastStopHart = hartId;
      if (t.then) t.then();
      else this.stop({ kind: 'step', hart: hartId });
      return;
    }
    // Not ours to stop at (another hart, a recursion, a false condition): go on.
    hart.skipBreakpointOnce();
  }

  private panicStop(hartId: number): StopInfo {
    const hart = this.machine.harts[hartId]!;
    const msg = readCString(this.machine, hart, hart.getReg(A0)) ?? '(unreadable message)';
    const lines = [`panic: ${msg}`, `kernel panic on hart ${hartId}; backtrace:`];
    if (this.backtrace) lines.push(...this.backtrace(hartId));
    else
      for (const f of callStack(this.machine, hart, this.elf))
        lines.push(`#${f.index} ${f.name} at ${hex64(f.pc)}`);
    this.events.message(lines.join('\n'));
    return {
      kind: 'exception',
      hart: hartId,
      filter: 'panic',
      description: `panic: ${msg}`,
      details: lines.join('\n'),
    };
  }

  private envFor(hartId: number, t?: TrapInfo): Env {
    const hart = this.machine.harts[hartId]!;
    const csr = (n: number): bigint => hart.readCsr(n) ?? 0n;
    if (t) {
      return {
        scause: (t.interrupt ? 1n << 63n : 0n) | BigInt(t.cause),
        cause: BigInt(t.cause),
        interrupt: t.interrupt ? 1n : 0n,
        stval: t.tval,
        sepc: t.epc,
        pc: hart.getPc(),
        priv: BigInt(t.fromPriv),
        hart: BigInt(hartId),
      };
    }
    const scause = csr(0x142);
    return {
      scause,
      cause: scause & ~(1n << 63n),
      interrupt: scause >> 63n,
      stval: csr(0x143),
      sepc: csr(0x141),
      pc: hart.getPc(),
      priv: BigInt(hart.priv),
      hart: BigInt(hartId),
    };
  }

  // ---- traps -------------------------------------------------------------------------

  /** Exceptions of the causes some filter may match (onTrapCauses): the first that does stops. */
  private onTrap(t: TrapInfo): boolean {
    for (const f of this.filters) {
      if (f.id === 'panic' || !filterMatches(f.id, t)) continue;
      if (f.condition && !f.condition.test(this.envFor(t.hart, t))) continue;
      this.pendingTrapStop = {
        kind: 'exception',
        hart: t.hart,
        filter: f.id,
        description: trapDescription(t),
        details: trapDetails(t),
      };
      this.lastStopHart = t.hart;
      return true;
    }
    return false;
  }

  // ---- helpers -----------------------------------------------------------------------

  private stop(s: StopInfo): void {
    // Any stop ends a step over/out in progress (a pause, an exception, a breakpoint).
    if (this.temp) {
      this.temp = undefined;
      this.syncBreakpoints();
    }
    this.events.stopped(s);
  }

  /** Report a stop that did not come from running (stopOnEntry). */
  reportEntry(): void {
    this.lastStopHart = 0;
    this.stop({ kind: 'entry', hart: 0 });
  }

  private end(code: number, why: string): void {
    this.halt();
    this.ended = true;
    this.events.exited(code, why);
  }

  private flushConsole(): void {
    if (this.consoleBytes.length === 0) return;
    const text = Buffer.from(this.consoleBytes).toString('latin1');
    this.consoleBytes = [];
    this.events.console(text);
  }
}

/**
 * Stepping by source line (DAP next / stepIn / stepOut with granularity "line"), and by
 * instruction with calls stepped over. A line step single-steps the hart until it
 * reaches the start of a line-table row of a different line; a call it should not enter
 * (next, or a callee without line information) runs at full speed to the return address
 * with the stack pointer exactly where it was (the same thread and activation, so
 * neither recursion nor another process's kernel thread stops it); a trap taken on the way (a timer interrupt, a lazy page fault) runs to the
 * trapped instruction again in the same address space and goes on stepping.
 *
 * At the user/kernel boundary the choice is what a student expects:
 * - stepIn on an `ecall` in user code lands at the first line of `usertrap`;
 * - next over an `ecall` runs the whole system call and stops back in user code;
 * - stepping over `sret` (userret, no line information) stops at the user pc;
 * - at the trap vector after a trap from user space (a page-fault stop, which shows the
 *   faulting user line), stepIn goes to usertrap's first line and next steps that user
 *   line with the trap's handling run at full speed.
 * Inlined calls follow gdb (inlinestep.ts): `next` steps over them, `stepIn` enters one
 * without running, `stepOut` of an inlined frame runs to the end of its instance.
 * A step never runs away: after MAX_SYNC instructions stepped one by one it stops where
 * it is, with reason `step` and a description saying so.
 */
import { Priv, type HartApi } from '../emulator/types';
import type { Runtime, StopInfo } from './runtime';
import type { Symbols } from './symbols';
import { fetchInsn } from './views';
import { hartReader, hartRegs, symbolsOf } from './debuginfo';
import { sourceStack, userFrameAtVector } from './stack';
import { frameAt, inlinedCallsStartingAt, inlineVerdict, type InlineFrame } from './inlinestep';

export type StepMode = 'over' | 'in' | 'out';
/** Internal: step out of an inlined frame (run until the pc leaves its instance). */
type LoopMode = StepMode | 'outInline';

const MAX_SYNC = 100_000;
const SP = 2;
const SATP = 0x180;
const ECALL = 0x00000073;

/** jal/jalr writing ra or t0, or c.jalr (unprivileged spec 2.5, 16.5): a call. */
export function isCall(insn: number): boolean {
  if ((insn & 3) !== 3) return (insn & 0xf07f) === 0x9002 && ((insn >> 7) & 0x1f) !== 0;
  const op = insn & 0x7f;
  const rd = (insn >> 7) & 0x1f;
  return (op === 0x6f || op === 0x67) && (rd === 1 || rd === 5);
}

/** xv6's trampoline page (MAXVA - 4096): a "call" there (userret) never returns. */
const TRAMPOLINE = 2n ** 38n - 4096n;

/** A jalr into the trampoline: stepped into (it ends in sret to user code), never over. */
function intoTrampoline(hart: HartApi, insn: number): boolean {
  if ((insn & 3) !== 3) {
    const v = hart.getReg((insn >> 7) & 0x1f);
    return v >= TRAMPOLINE && v < 2n ** 38n;
  }
  if ((insn & 0x7f) !== 0x67) return false;
  const target = hart.getReg((insn >> 15) & 0x1f) + BigInt(insn >> 20);
  return BigInt.asUintN(64, target) >= TRAMPOLINE && BigInt.asUintN(64, target) < 2n ** 38n;
}

interface Start {
  syms: Symbols | undefined;
  /** The stepping frame: its inline chain, depth and line (inlinestep.ts). */
  frame: InlineFrame;
  /** sp at the start: a frame deeper than this is a callee, higher is a caller. */
  sp: bigint;
  satp: bigint | undefined;
  priv: Priv;
  instruction: boolean;
}

/** The DWARF reader for code at `pc` on `hart`: the kernel's, else the user program's. */
export function symbolsAtPc(rt: Runtime, hart: HartApi, pc: number): Symbols | undefined {
  const k = symbolsOf(rt.elf);
  if (k && (k.lineAt(pc) || rt.elf?.symbolAt(pc))) return k;
  return symbolsOf(rt.symbolsFor(hart, BigInt(pc)).program?.elf);
}

/** Inlined frames a stop at the hart's pc hides: the calls that start there (gdb's rule). */
export function defaultHide(rt: Runtime, hart: HartApi): number {
  const pc = Number(BigInt.asUintN(64, hart.getPc()));
  return inlinedCallsStartingAt(symbolsAtPc(rt, hart, pc), pc);
}

/**
 * Inlined frames a stop hides: a step's own choice; at a line or function breakpoint
 * those whose call starts at the pc (the caller's line is where it stopped); none at
 * exceptions, watchpoints and pauses (the instruction there is the inlined one's).
 */
export function hideAtStop(rt: Runtime, s: StopInfo, stepper: LineStepper | undefined): number {
  const hart = rt.machine.harts[s.hart];
  if (!hart) return 0;
  if (s.kind === 'step' && stepper) return stepper.hideAt(s.hart);
  if (s.kind === 'step' || s.kind === 'breakpoint' || s.kind === 'function breakpoint')
    return defaultHide(rt, hart);
  return 0;
}

export class LineStepper {
  /** The inlined frames the latest step stop hides, and where it stopped. */
  private decided: { hart: number; pc: number; hide: number } | undefined;

  constructor(
    private readonly rt: Runtime,
    private readonly kernelPath: () => string | undefined,
  ) {}

  private symbolsAt(hart: HartApi, pc: number): Symbols | undefined {
    return symbolsAtPc(this.rt, hart, pc);
  }

  /** Inlined frames to hide at a step stop of `hartId`: the step's decision, else gdb's rule. */
  hideAt(hartId: number): number {
    const hart = this.rt.machine.harts[hartId];
    if (!hart) return 0;
    const d = this.decided;
    if (d && d.hart === hartId && d.pc === Number(hart.getPc())) return d.hide;
    return defaultHide(this.rt, hart);
  }

  /**
   * One step of `mode` on `hartId`; `hide` is how many inlined frames the current stop
   * hides (the stepping frame is the one shown on top).
   */
  step(hartId: number, mode: StepMode, instruction: boolean, hide = 0): void {
    const hart = this.rt.machine.harts[hartId];
    if (!hart || this.rt.isRunning || this.rt.hasEnded) return;
    this.decided = undefined;
    const pc = Number(hart.getPc());
    const syms = this.symbolsAt(hart, pc);
    const frame = frameAt(syms, pc, instruction ? 0 : hide);
    if (mode === 'out') {
      if (!instruction && frame.depth > 0) return this.stepOutInline(hartId, hart, syms, frame);
      return this.stepOut(hartId, hart);
    }
    // At the call site of an inlined call: step into it without running (gdb does so).
    if (mode === 'in' && !instruction && hide > 0) return this.done(hartId, undefined, hide - 1);
    if (!instruction && this.stepFromTrapVector(hartId, hart, mode)) return;
    if (instruction) frame.line = undefined;
    const start: Start = {
      syms,
      frame,
      sp: hart.getReg(SP),
      satp: hart.readCsr(SATP),
      priv: hart.priv,
      instruction,
    };
    this.loop(hartId, hart, mode, start, MAX_SYNC, 0);
  }

  /**
   * At the trap vector after a trap from user space (an exception filter's stop, which
   * shows the faulting user line): stepIn goes into the trap's handling, to the first
   * line of usertrap; next steps the user line, as over an ecall: the kernel handles the
   * trap at full speed, the faulting instruction runs again in the same address space
   * and the step goes on there until the line changes. False when not at such a stop.
   */
  private stepFromTrapVector(hartId: number, hart: HartApi, mode: 'over' | 'in'): boolean {
    const user = userFrameAtVector({
      mem: this.rt.machine,
      hart,
      kernel: this.rt.elf,
      kernelPath: this.kernelPath(),
      programs: this.rt.userPrograms,
    });
    if (!user) return false;
    if (mode === 'in') {
      const entry =
        symbolsOf(this.rt.elf)?.functionByName('usertrap')?.entry ?? this.rt.elf?.symbol('usertrap')?.value;
      if (entry === undefined) return false;
      this.rt.runTo({ addr: entry, hart: hartId }, hartId);
      return true;
    }
    if (!user.symbols || !user.line) return false;
    const satp = hart.readCsr(SATP);
    const start: Start = {
      syms: user.symbols,
      frame: frameAt(user.symbols, user.pc, 0),
      sp: user.regs[SP] ?? hart.getReg(SP),
      satp,
      priv: Priv.U,
      instruction: false,
    };
    const next = () => this.resume(hartId, hart, mode, start, MAX_SYNC, 0);
    this.rt.runTo(
      { addr: user.pc, hart: hartId, priv: Priv.U, ...(satp !== undefined ? { satp } : {}), then: next },
      hartId,
    );
    return true;
  }

  private done(hartId: number, description?: string, hide = 0): void {
    const hart = this.rt.machine.harts[hartId];
    if (hart) this.decided = { hart: hartId, pc: Number(hart.getPc()), hide };
    const s: StopInfo = { kind: 'step', hart: hartId };
    if (description) s.description = description;
    this.rt.report(s);
  }

  /**
   * Whether to stop at `pc` (reached by stepping): inside the stepping frame's function
   * the inline-aware rule decides; elsewhere the start of a row of a different line.
   */
  private verdict(
    syms: Symbols | undefined,
    pc: number,
    start: Start,
    mode: LoopMode,
  ): { stop: boolean; hide: number; inFrame: boolean } {
    const row = syms?.lineAt(pc);
    const rowStart = row?.address === pc;
    const v = inlineVerdict(syms, pc, start.frame, mode === 'out' ? 'over' : mode, rowStart);
    if (!('other' in v)) return { stop: v.stop, hide: v.stop ? v.hide : 0, inFrame: true };
    // Out of the function: an inlined frame's step out ends with its function.
    const stop = mode === 'outInline' || (rowStart && `${row.file}:${row.line}` !== start.frame.line);
    return { stop, hide: stop ? inlinedCallsStartingAt(syms, pc) : 0, inFrame: false };
  }

  private loop(
    hartId: number,
    hart: HartApi,
    mode: LoopMode,
    start: Start,
    budget: number,
    executed: number,
  ): void {
    const machine = this.rt.machine;
    while (budget-- > 0) {
      const pc = Number(hart.getPc());
      const insn = fetchInsn(machine, hart, BigInt(pc));
      const len = insn !== undefined && (insn & 3) !== 3 ? 2 : 4;
      // A system call from user space: into the kernel (stepIn) or over it (next).
      if (insn === ECALL && hart.priv === Priv.U) {
        if (mode !== 'in') {
          const next = () => this.resume(hartId, hart, mode, start, budget, executed + 1);
          this.rt.runTo(
            { addr: pc + 4, hart: hartId, priv: Priv.U, satp: hart.readCsr(SATP), then: next },
            hartId,
          );
          return;
        }
        const r = this.rt.singleStep(hartId);
        if (r.filterStop) return this.rt.report(r.filterStop);
        const entry =
          symbolsOf(this.rt.elf)?.functionByName('usertrap')?.entry ?? this.rt.elf?.symbol('usertrap')?.value;
        if (entry === undefined || start.instruction) return this.done(hartId);
        this.rt.runTo({ addr: entry, hart: hartId }, hartId);
        return;
      }
      const stepOverCall =
        insn !== undefined &&
        isCall(insn) &&
        !intoTrampoline(hart, insn) &&
        (mode !== 'in' || !this.calleeHasLines(hart, pc, insn));
      if (stepOverCall) {
        const sp = hart.getReg(SP);
        const next = () => this.resume(hartId, hart, mode, start, budget, executed + 1);
        this.rt.runTo(
          { addr: pc + len, hart: hartId, spExact: sp, satp: hart.readCsr(SATP), then: next },
          hartId,
        );
        return;
      }
      const spBefore = hart.getReg(SP);
      const privBefore = hart.priv;
      const satpBefore = hart.readCsr(SATP);
      const r = this.rt.singleStep(hartId);
      executed++;
      if (r.filterStop) return this.rt.report(r.filterStop);
      const trap = r.traps[0];
      if (trap) {
        // Go back to the trapped instruction in the same address space and go on.
        const next = () => this.resume(hartId, hart, mode, start, budget, executed);
        this.rt.runTo(
          {
            addr: Number(BigInt.asUintN(64, trap.epc)),
            hart: hartId,
            priv: privBefore,
            ...(satpBefore !== undefined ? { satp: satpBefore } : {}),
            // In the kernel, the same thread: its stack pointer is back where it was.
            ...(privBefore !== Priv.U ? { spExact: spBefore } : {}),
            then: next,
          },
          hartId,
        );
        return;
      }
      if (hart.waiting) return this.done(hartId, `hart ${hartId} waits for an interrupt (wfi)`);
      if (this.lineless(start, mode)) return this.done(hartId);
      const npc = Number(hart.getPc());
      if (hart.priv !== start.priv) return this.done(hartId);
      const syms = this.symbolsAt(hart, npc);
      const row = syms?.lineAt(npc);
      if (!row) {
        // No line information here (assembly, an unknown user program): stop.
        return this.done(hartId);
      }
      // Entered a function (stepIn): stop at its first line after the prologue.
      if (mode === 'in' && hart.getReg(SP) <= start.sp && syms?.functionAt(npc)?.low === npc) {
        const fn = syms.functionAt(npc);
        const entry = fn ? syms.functionByName(fn.name)?.entry : undefined;
        if (entry !== undefined && entry !== npc) {
          this.rt.runTo({ addr: entry, hart: hartId }, hartId);
          return;
        }
        return this.done(hartId);
      }
      const v = this.verdict(syms, npc, start, mode);
      if (v.stop) return this.done(hartId, undefined, v.hide);
      // Returned to the caller in the middle of its line: finish that line, as gdb does.
      if (hart.getReg(SP) > start.sp) {
        start.sp = hart.getReg(SP);
        if (!v.inFrame) {
          start.syms = syms;
          start.frame = frameAt(syms, npc, 0);
        }
      }
    }
    const fn = this.symbolsAt(hart, Number(hart.getPc()))?.functionAt(Number(hart.getPc()))?.name;
    this.done(
      hartId,
      `step: stopped after ${executed} instructions without reaching a new line${fn ? ` (in ${fn})` : ''}`,
    );
  }

  private resume(
    hartId: number,
    hart: HartApi,
    mode: LoopMode,
    start: Start,
    budget: number,
    executed: number,
  ): void {
    const pc = Number(hart.getPc());
    if (this.lineless(start, mode)) return this.done(hartId);
    const v = this.verdict(this.symbolsAt(hart, pc), pc, start, mode);
    if (v.stop) return this.done(hartId, undefined, v.hide);
    this.loop(hartId, hart, mode, start, budget, executed);
  }

  /** Stepping by instruction, or from code without line information: one instruction. */
  private lineless(start: Start, mode: LoopMode): boolean {
    return start.instruction || (start.frame.line === undefined && mode !== 'outInline');
  }

  /** Run until the pc leaves the inlined instance of the stepping frame (calls stepped over). */
  private stepOutInline(hartId: number, hart: HartApi, syms: Symbols | undefined, frame: InlineFrame): void {
    const start: Start = {
      syms,
      frame,
      sp: hart.getReg(SP),
      satp: hart.readCsr(SATP),
      priv: hart.priv,
      instruction: false,
    };
    this.loop(hartId, hart, 'outInline', start, MAX_SYNC, 0);
  }

  private calleeHasLines(hart: HartApi, pc: number, insn: number): boolean {
    // Only direct jal calls have a known target; jalr targets are looked up after the step.
    if ((insn & 0x7f) !== 0x6f) return true;
    const imm =
      (((insn >> 31) & 1) << 20) |
      (((insn >> 12) & 0xff) << 12) |
      (((insn >> 20) & 1) << 11) |
      (((insn >> 21) & 0x3ff) << 1);
    const target = pc + ((imm << 11) >> 11);
    return this.symbolsAt(hart, target)?.lineAt(target) !== undefined;
  }

  /** Run to the return address in the caller, with the stack back at this frame's CFA. */
  private stepOut(hartId: number, hart: HartApi): void {
    const frames = sourceStack(
      {
        mem: this.rt.machine,
        hart,
        kernel: this.rt.elf,
        kernelPath: this.kernelPath(),
        programs: this.rt.userPrograms,
      },
      8,
    );
    const physical = frames.filter((f, i) => i === 0 || f.inlineDepth === 0);
    const me = physical[0];
    const caller = physical.find((f) => f.index > 0 && f.pc !== me?.pc);
    if (!me || !caller || caller.label) {
      this.done(hartId, 'step out: no caller to return to; stopped where it was');
      return;
    }
    // Back in the caller, sp is this frame's CFA (the caller's unwound sp).
    const cfa =
      caller.regs[SP] ?? me.symbols?.cfa(me.lookupPc, hartRegs(hart), hartReader(this.rt.machine, hart));
    // The exact sp picks this thread and this activation (other kernel threads and
    // recursive calls of the same function return to the same address on other stacks).
    const target = cfa !== undefined ? { spExact: cfa } : { spAbove: hart.getReg(SP) };
    this.rt.runTo({ addr: caller.pc, hart: hartId, ...target, satp: hart.readCsr(SATP) }, hartId);
  }
}

/**
 * Source-level call stacks. Each physical frame is unwound with the CFI of the ELF that
 * holds its pc (DWARF 5 section 6.4; Symbols.unwind falls back to the frame-pointer
 * chain where there is no FDE), and split into one frame per inlined function at that pc
 * (the inlined instance's call site gives the line of the frame that contains it).
 * Caller frames look up their line at pc - 1: the return address may belong to the next
 * line or even the next function.
 *
 * A kernel stack entered from user space ends in `usertrap`: there the walk crosses the
 * boundary, adds a label frame `── trap from user: <cause> ──`, and goes on with the
 * user registers saved in the process's trap frame, unwinding through the user
 * program's ELF (launch.json `userPrograms`) read through the process's page table, or
 * showing a single frame at the user pc when the program is unknown. A stack through the
 * kernel's own trap vector (kernelvec, a trap taken in S-mode) goes on the same way, with
 * a label `── trap from kernel: <cause> ──` and the interrupted kernel code from sepc with
 * the registers the vector saved (vector-saves.ts).
 *
 * A hart stopped at its trap vector (pc = stvec: the stop of an exception filter is
 * taken as the trap is taken) has not saved anything yet: the stack is the vector frame
 * (no source, so the client focuses the next frame that has one), a label
 * `── trap from user: Load page fault at 0x… ──`, and the interrupted code's frames from
 * pc = sepc with the hart's registers, still those of the interrupted code (privileged
 * spec 4.1.1: sstatus.SPP says whether that was user or kernel code).
 *
 * Functions are named by their ELF symbol, or by the nearest code label before the pc
 * when that symbol has no size (assembly: system-call stubs, vectors). A leaf without
 * CFI at the innermost frame returns to ra with the same sp.
 */
import { Priv, type HartApi, type TrapInfo } from '../emulator/types';
import type { ElfFile } from '../emulator/elf';
import type { PhysReader } from '../emulator/inspect';
import { causeHasAddress, hex64 } from './csr';
import { REG_RA, REG_SP, type SourceLine, type Symbols, type UnwindResult } from './symbols';
import { unwindFramePointer } from './symbols/unwind';
import {
  codeSymbolAt,
  currentUser,
  hartReader,
  hartRegs,
  pageTableReader,
  symbolsOf,
  type Reader,
} from './debuginfo';
import { identifyIn, type UserProgram } from './userprogs';
import { csrTrap, userTrapOf, type StackTrap } from './stack-trap';
import { interruptedRegs, vectorSaves } from './vector-saves';

export type { StackTrap } from './stack-trap';

export interface SourceFrame {
  index: number;
  /** The frame's pc (a return address for caller frames). */
  pc: number;
  /** The pc to look lines, scopes and CFI up with (pc - 1 for caller frames). */
  lookupPc: number;
  /** Registers in DWARF numbering, undefined where the unwinder does not know them. */
  regs: (bigint | undefined)[];
  /** The frame's CFA when CFI gives one. */
  cfa: bigint | undefined;
  name: string;
  line: SourceLine | undefined;
  /** 0 for the function that owns the code, 1+ for functions it was inlined into. */
  inlineDepth: number;
  symbols: Symbols | undefined;
  elf: ElfFile | undefined;
  /** The ELF's file, to find the sources next to it. */
  elfPath: string | undefined;
  program: UserProgram | undefined;
  /** Reads the memory of this frame's address space. */
  read: Reader;
  /** A label row (the user/kernel boundary), not a real frame. */
  label?: boolean;
  /** On a label row: the trap it stands for. */
  trap?: StackTrap;
  user: boolean;
}

export interface StackContext {
  mem: PhysReader;
  hart: HartApi;
  kernel: ElfFile | undefined;
  kernelPath: string | undefined;
  programs: readonly UserProgram[];
  /** The latest traps on this hart (the trap log), newest first. */
  recentTraps?: (hart: number) => Iterable<TrapInfo>;
  /**
   * Innermost inlined frames of frame 0 to leave out: stopped where an inlined call starts
   * (a step or breakpoint at its call site), the caller at the call-site line is frame 0,
   * as in gdb; a step in then shows the inlined function without running.
   */
  hideInline?: number;
}

const MAX_FRAMES = 64;
const CSR_SSTATUS = 0x100;
const CSR_STVEC = 0x105;
const CSR_SEPC = 0x141;
const CSR_SCAUSE = 0x142;
const CSR_SATP = 0x180;
/** sstatus.SPP (privileged spec 4.1.1): the privilege a trap into S came from. */
const SSTATUS_SPP = 1n << 8n;
/** xv6's memlayout: the trampoline page at the top of every address space (MAXVA - 4096). */
const TRAMPOLINE = 2 ** 38 - 4096;
/** Functions a kernel stack from user space starts in (entered by a jump, not a call). */
const USER_TRAP_ENTRIES = new Set(['usertrap']);
/** Entry points of user programs: nothing called them. */
const OUTERMOST = new Set(['_start', 'start', '_main']);

function hexPc(pc: number): string {
  return '0x' + pc.toString(16);
}

/** At a function's first instruction (no CFI): the caller is at ra, with the same sp. */
function entryUnwind(regs: (bigint | undefined)[]): UnwindResult | undefined {
  const ra = regs[REG_RA];
  const sp = regs[REG_SP];
  if (!ra || sp === undefined) return undefined;
  return { pc: Number(ra), sp, fp: regs[8], regs: [...regs], cfa: sp, method: 'frame-pointer' };
}

/**
 * The innermost frame in code without CFI (assembly): a leaf that has not touched sp or
 * ra returns to ra, as at a function's first instruction; taken when ra is code of
 * another function, else the frame-pointer chain.
 */
function leafUnwind(
  elf: ElfFile | undefined,
  sym: { value: number } | undefined,
  regs: (bigint | undefined)[],
  read: Reader,
): UnwindResult | undefined {
  const up = entryUnwind(regs);
  const caller = up && up.pc > 0 ? codeSymbolAt(elf, up.pc - 1) : undefined;
  if (up && caller && caller.value !== sym?.value) return up;
  return unwindFramePointer(regs, read);
}

/** Frames of one address space, starting at `pc` with `regs`. */
function walk(
  out: SourceFrame[],
  start: { pc: number; regs: (bigint | undefined)[] },
  space: {
    max: number;
    elf: ElfFile | undefined;
    elfPath: string | undefined;
    program: UserProgram | undefined;
    read: Reader;
    user: boolean;
    /** The kernel's trap vector (link address): a caller frame there was interrupted. */
    vector?: number;
    hideInline?: number;
  },
): { stoppedAtUserTrap?: boolean; vectorRegs?: (bigint | undefined)[] } {
  const syms = symbolsOf(space.elf);
  let pc = start.pc;
  let regs = start.regs;
  let first = true;
  let lastCfa: bigint | undefined;
  while (out.length < space.max) {
    // The trampoline page runs at TRAMPOLINE but is linked inside the kernel image.
    const tramp =
      !space.user && pc >= TRAMPOLINE && pc < TRAMPOLINE + 4096 ? space.elf?.symbol('trampoline') : undefined;
    const shownPc = pc;
    if (tramp) pc = tramp.value + (pc - TRAMPOLINE);
    const lookupPc = first ? pc : pc - 1;
    const chain = syms?.inlineChainAt(lookupPc) ?? [];
    const sym = codeSymbolAt(space.elf, lookupPc);
    if (!first && chain.length === 0 && !sym) break; // a return address into no function
    const cfa = syms?.cfa(lookupPc, regs, space.read);
    const base = {
      pc: shownPc,
      lookupPc,
      regs,
      cfa,
      symbols: syms,
      elf: space.elf,
      elfPath: space.elfPath,
      program: space.program,
      read: space.read,
      user: space.user,
    };
    const suffix = space.program ? ` (${space.program.name})` : '';
    if (chain.length === 0) {
      // Code without DWARF functions (assembly): the symbol, with the offset where no line says more.
      const line = syms?.lineAt(lookupPc);
      const name = sym
        ? lookupPc === sym.value || line
          ? sym.name
          : `${sym.name}+${pc - sym.value}`
        : tramp
          ? `${tramp.name}+${pc - tramp.value}`
          : `?? ${hexPc(pc)}`;
      out.push({
        ...base,
        index: out.length,
        name: name + suffix,
        line,
        inlineDepth: 0,
      });
    } else {
      const hide = first ? Math.min(space.hideInline ?? 0, chain.length - 1) : 0;
      for (let i = chain.length - 1 - hide; i >= 0; i--) {
        const inner = chain[i + 1];
        const line: SourceLine | undefined = inner
          ? inner.callFile && inner.callLine
            ? { file: inner.callFile, line: inner.callLine, column: 0, address: lookupPc, compDir: undefined }
            : undefined
          : syms?.lineAt(lookupPc);
        out.push({
          ...base,
          index: out.length,
          name: chain[i]!.name + suffix,
          line,
          inlineDepth: chain.length - 1 - i,
        });
      }
    }
    const fname = chain[0]?.name ?? sym?.name;
    // A program's entry point has no caller.
    if (space.user && fname && OUTERMOST.has(fname)) break;
    if (!space.user && fname && USER_TRAP_ENTRIES.has(fname)) return { stoppedAtUserTrap: true };
    if (!space.user && !first && sym && sym.value === space.vector) return { vectorRegs: regs };
    const up =
      syms?.cfiAt(lookupPc) !== undefined
        ? syms.unwind(lookupPc, regs, space.read)
        : first
          ? leafUnwind(space.elf, sym, regs, space.read)
          : unwindFramePointer(regs, space.read);
    if (!up || up.pc === 0 || (up.pc === pc && up.cfa === lastCfa)) break;
    // The stack grows down: a caller's CFA is above its callee's.
    if (lastCfa !== undefined && up.cfa <= lastCfa) break;
    lastCfa = up.cfa;
    pc = up.pc;
    regs = up.regs;
    first = false;
  }
  return {};
}

/** The call stack of a stopped hart, across the user/kernel boundary. */
export function sourceStack(ctx: StackContext, max = MAX_FRAMES): SourceFrame[] {
  const { mem, hart } = ctx;
  const out: SourceFrame[] = [];
  const pc = Number(BigInt.asUintN(64, hart.getPc()));
  const read = hartReader(mem, hart);
  if (hart.priv === Priv.S && atTrapVector(hart, pc)) {
    trapVectorStack(out, ctx, pc, max);
    return out;
  }
  const inKernel = ctx.kernel?.symbolAt(pc) !== undefined || symbolsOf(ctx.kernel)?.lineAt(pc) !== undefined;
  if (hart.priv !== Priv.U || inKernel) {
    kernelStack(out, ctx, {
      pc,
      regs: hartRegs(hart),
      read,
      max,
      sepcIsUserPc: true,
      csrsFresh: true,
      hideInline: ctx.hideInline,
    });
    return out;
  }
  const program = identifyIn(ctx.programs, read, pc);
  walkUser(out, pc, hartRegs(hart), program, read, max, ctx.hideInline);
  return out;
}

/** pc is where stvec sends the trap just taken (privileged spec 4.1.2: direct or vectored). */
export function atTrapVector(hart: HartApi, pc: number): boolean {
  const stvec = hart.readCsr(CSR_STVEC);
  if (stvec === undefined) return false;
  const base = Number(BigInt.asUintN(64, stvec & ~3n));
  if (pc === base) return true;
  const scause = hart.readCsr(CSR_SCAUSE) ?? 0n;
  // Vectored mode: interrupts go to base + 4 * cause.
  return (stvec & 3n) === 1n && scause >> 63n === 1n && pc === base + 4 * Number(scause & 0xffffn);
}

/** ` at 0x5008` for causes with an address in stval, else ''. */
function faultAddress(t: Pick<StackTrap, 'interrupt' | 'cause' | 'stval'>): string {
  return t.cause !== undefined && t.stval !== undefined && causeHasAddress(t.interrupt ?? false, t.cause)
    ? ` at ${hexPc(Number(BigInt.asUintN(64, t.stval)))}`
    : '';
}

function labelFrame(index: number, trap: StackTrap, read: Reader): SourceFrame {
  return {
    index,
    pc: trap.sepc,
    lookupPc: trap.sepc,
    regs: [],
    cfa: undefined,
    name: `── trap from ${trap.fromUser ? 'user' : 'kernel'}: ${trap.causeText}${faultAddress(trap)} ──`,
    line: undefined,
    inlineDepth: 0,
    symbols: undefined,
    elf: undefined,
    elfPath: undefined,
    program: undefined,
    read,
    label: true,
    trap,
    user: trap.fromUser,
  };
}

/** The code a trampoline-page pc runs, at its link address in the kernel image. */
function kernelCodeAddr(kernel: ElfFile | undefined, pc: number): number {
  const tramp = pc >= TRAMPOLINE && pc < TRAMPOLINE + 4096 ? kernel?.symbol('trampoline') : undefined;
  return tramp ? tramp.value + (pc - TRAMPOLINE) : pc;
}

/**
 * The stack of a hart standing at its trap vector: the vector, the trap, and the
 * interrupted code from sepc with the hart's own registers (the vector saved nothing yet).
 */
function trapVectorStack(out: SourceFrame[], ctx: StackContext, pc: number, max: number): void {
  const { mem, hart, kernel } = ctx;
  const read = hartReader(mem, hart);
  const regs = hartRegs(hart);
  const linkPc = kernelCodeAddr(kernel, pc);
  const sym = codeSymbolAt(kernel, linkPc);
  out.push({
    index: 0,
    pc,
    lookupPc: linkPc,
    regs,
    cfa: undefined,
    name: sym ? (linkPc === sym.value ? sym.name : `${sym.name}+${linkPc - sym.value}`) : `?? ${hexPc(pc)}`,
    line: undefined,
    inlineDepth: 0,
    symbols: undefined,
    elf: kernel,
    elfPath: ctx.kernelPath,
    program: undefined,
    read,
    user: false,
  });
  if (out.length >= max) return;
  const fromUser = ((hart.readCsr(CSR_SSTATUS) ?? 0n) & SSTATUS_SPP) === 0n;
  const trap = csrTrap(hart, fromUser);
  const sepc = trap.sepc;
  out.push(labelFrame(out.length, trap, read));
  if (out.length >= max) return;
  if (!fromUser) {
    kernelStack(out, ctx, { pc: sepc, regs, read, max, sepcIsUserPc: false, csrsFresh: false });
    return;
  }
  // The user page table is still installed; read it directly (S-mode may not read U pages).
  const satp = hart.readCsr(CSR_SATP) ?? 0n;
  const uread = satp >> 60n === 8n ? pageTableReader(mem, Number(satp & 0xfff_ffff_ffffn) * 4096) : read;
  walkUser(out, sepc, regs, identifyIn(ctx.programs, uread, sepc), uread, max);
}

/**
 * A hart standing at its trap vector after a trap from user space (S-mode, sstatus.SPP
 * clear): the interrupted user frame (the faulting line, from sepc), else undefined.
 */
export function userFrameAtVector(ctx: StackContext): SourceFrame | undefined {
  const { hart } = ctx;
  const pc = Number(BigInt.asUintN(64, hart.getPc()));
  if (hart.priv !== Priv.S || !atTrapVector(hart, pc)) return undefined;
  if (((hart.readCsr(CSR_SSTATUS) ?? 0n) & SSTATUS_SPP) !== 0n) return undefined;
  return sourceStack(ctx, 3).find((f) => f.user && !f.label);
}

/**
 * Kernel frames from `pc`. A stack that ends in usertrap goes on with the trap from user
 * space and the user program's frames, from the registers in the process's trap frame;
 * one through the kernel's trap vector goes on with the trap from the kernel and the
 * interrupted kernel code, from the registers the vector saved (vector-saves.ts). The
 * CSRs describe the innermost trap only (`csrsFresh`).
 */
function kernelStack(
  out: SourceFrame[],
  ctx: StackContext,
  at: {
    pc: number;
    regs: (bigint | undefined)[];
    read: Reader;
    max: number;
    sepcIsUserPc: boolean;
    csrsFresh: boolean;
    /** Inlined frames of the innermost frame to leave out (StackContext.hideInline). */
    hideInline?: number;
  },
): void {
  const { mem, hart } = ctx;
  const from = out.length;
  const stvec = hart.readCsr(CSR_STVEC);
  const vecPc =
    stvec === undefined ? undefined : kernelCodeAddr(ctx.kernel, Number(BigInt.asUintN(64, stvec & ~3n)));
  const vector = vecPc === undefined ? undefined : codeSymbolAt(ctx.kernel, vecPc)?.value;
  const r = walk(
    out,
    { pc: at.pc, regs: at.regs },
    {
      max: at.max,
      elf: ctx.kernel,
      elfPath: ctx.kernelPath,
      program: undefined,
      read: at.read,
      user: false,
      vector,
      hideInline: at.hideInline,
    },
  );
  if (out.length >= at.max) return;
  if (r.vectorRegs && vector !== undefined) {
    if (!at.csrsFresh) {
      // An older trap: its cause and sepc are no longer in the CSRs.
      out.push(labelFrame(out.length, { fromUser: false, causeText: 'an earlier trap', sepc: 0 }, at.read));
      return;
    }
    const trap = csrTrap(hart, false);
    out.push(labelFrame(out.length, trap, at.read));
    const saves = vectorSaves(ctx.kernel, vector);
    const regs = saves && interruptedRegs(saves, r.vectorRegs, at.read);
    if (!regs || out.length >= at.max) return;
    kernelStack(out, ctx, {
      ...at,
      pc: trap.sepc,
      regs,
      sepcIsUserPc: false,
      csrsFresh: false,
      hideInline: 0,
    });
    return;
  }
  if (!r.stoppedAtUserTrap) return;
  const kernelFrames = out.slice(from);
  const kernel = symbolsOf(ctx.kernel);
  const user = kernel ? currentUser(kernel, mem, hart.id) : undefined;
  // The trampoline saves the registers but not the pc: usertrap itself stores sepc into
  // the trap frame. Until then (the stack is usertrap alone) sepc is the user pc.
  const sepc = hart.readCsr(CSR_SEPC);
  const alone = kernelFrames.every((f) => USER_TRAP_ENTRIES.has(f.name));
  if (user && sepc !== undefined && alone && at.sepcIsUserPc) user.pc = Number(sepc);
  const trap = userTrapOf(ctx, kernelFrames, user?.pc ?? 0, alone && at.sepcIsUserPc);
  out.push(labelFrame(out.length, trap, at.read));
  if (!user) return;
  const uread = pageTableReader(mem, user.pagetable);
  walkUser(out, user.pc, user.regs, identifyIn(ctx.programs, uread, user.pc), uread, at.max);
}

function walkUser(
  out: SourceFrame[],
  pc: number,
  regs: (bigint | undefined)[],
  program: UserProgram | undefined,
  read: Reader,
  max: number,
  hideInline?: number,
): void {
  if (program) {
    walk(
      out,
      { pc, regs },
      { max, elf: program.elf, elfPath: program.path, program, read, user: true, hideInline },
    );
    return;
  }
  out.push({
    index: out.length,
    pc,
    lookupPc: pc,
    regs,
    cfa: undefined,
    name: `user code at ${hexPc(pc)}`,
    line: undefined,
    inlineDepth: 0,
    symbols: undefined,
    elf: undefined,
    elfPath: undefined,
    program: undefined,
    read,
    user: true,
  });
}

/** `#0 panic at kernel/printf.c:NN` lines, gdb's `bt` shape. */
export function backtraceText(frames: readonly SourceFrame[]): string[] {
  let n = 0;
  return frames.map((f) => {
    if (f.label) return f.name;
    const where = f.line ? ` at ${f.line.file}:${f.line.line}` : ` at ${hex64(BigInt(f.pc))}`;
    return `#${n++} ${f.name}${where}`;
  });
}

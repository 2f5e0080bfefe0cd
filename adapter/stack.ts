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
 * showing a single frame at the user pc when the program is unknown.
 */
import { Priv, type HartApi } from '../emulator/types';
import type { ElfFile } from '../emulator/elf';
import type { PhysReader } from '../emulator/inspect';
import { causeName, hex64 } from './csr';
import { REG_RA, REG_SP, type SourceLine, type Symbols, type UnwindResult } from './symbols';
import { unwindFramePointer } from './symbols/unwind';
import { currentUser, hartReader, hartRegs, pageTableReader, symbolsOf, type Reader } from './debuginfo';
import { identifyIn, type UserProgram } from './userprogs';

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
  user: boolean;
}

export interface StackContext {
  mem: PhysReader;
  hart: HartApi;
  kernel: ElfFile | undefined;
  kernelPath: string | undefined;
  programs: readonly UserProgram[];
  /** The cause (in words) of the latest trap from user mode on this hart, if known. */
  lastUserTrap?: (hart: number) => string | undefined;
  /**
   * Innermost inlined frames of frame 0 to leave out: stopped where an inlined call starts
   * (a step or breakpoint at its call site), the caller at the call-site line is frame 0,
   * as in gdb; a step in then shows the inlined function without running.
   */
  hideInline?: number;
}

const MAX_FRAMES = 64;
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
    hideInline?: number;
  },
): { stoppedAtUserTrap: boolean } {
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
    const sym = space.elf?.symbolAt(lookupPc);
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
      const name = sym
        ? lookupPc - sym.value
          ? `${sym.name}+${pc - sym.value}`
          : sym.name
        : tramp
          ? `${tramp.name}+${pc - tramp.value}`
          : `?? ${hexPc(pc)}`;
      out.push({
        ...base,
        index: out.length,
        name: name + suffix,
        line: syms?.lineAt(lookupPc),
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
    const up = syms
      ? syms.unwind(lookupPc, regs, space.read)
      : first && sym?.value === pc
        ? entryUnwind(regs)
        : unwindFramePointer(regs, space.read);
    if (!up || up.pc === 0 || (up.pc === pc && up.cfa === lastCfa)) break;
    // The stack grows down: a caller's CFA is above its callee's.
    if (lastCfa !== undefined && up.cfa <= lastCfa) break;
    lastCfa = up.cfa;
    pc = up.pc;
    regs = up.regs;
    first = false;
  }
  return { stoppedAtUserTrap: false };
}

/** The call stack of a stopped hart, across the user/kernel boundary. */
export function sourceStack(ctx: StackContext, max = MAX_FRAMES): SourceFrame[] {
  const { mem, hart } = ctx;
  const out: SourceFrame[] = [];
  const pc = Number(BigInt.asUintN(64, hart.getPc()));
  const read = hartReader(mem, hart);
  const inKernel = ctx.kernel?.symbolAt(pc) !== undefined || symbolsOf(ctx.kernel)?.lineAt(pc) !== undefined;
  if (hart.priv !== Priv.U || inKernel) {
    const r = walk(
      out,
      { pc, regs: hartRegs(hart) },
      {
        max,
        elf: ctx.kernel,
        elfPath: ctx.kernelPath,
        program: undefined,
        read,
        user: false,
        hideInline: ctx.hideInline,
      },
    );
    if (!r.stoppedAtUserTrap || out.length >= max) return out;
    const kernel = symbolsOf(ctx.kernel);
    const user = kernel ? currentUser(kernel, mem, hart.id) : undefined;
    // The trampoline saves the registers but not the pc: usertrap itself stores sepc into
    // the trap frame. Until then (the stack is usertrap alone) sepc is the user pc.
    const sepc = hart.readCsr(0x141);
    if (user && sepc !== undefined && out.every((f) => USER_TRAP_ENTRIES.has(f.name))) user.pc = Number(sepc);
    // scause may since have been overwritten by the kernel's own traps: a stack through
    // syscall() came from an ecall; else the trap log's latest trap from U on this hart.
    const scause = hart.readCsr(0x142) ?? 0n;
    const cause = out.some((f) => f.name === 'syscall')
      ? causeName(false, 8)
      : (ctx.lastUserTrap?.(hart.id) ?? causeName(scause >> 63n === 1n, Number(scause & 0xffffn)));
    out.push({
      index: out.length,
      pc: user?.pc ?? 0,
      lookupPc: user?.pc ?? 0,
      regs: [],
      cfa: undefined,
      name: `── trap from user: ${cause} ──`,
      line: undefined,
      inlineDepth: 0,
      symbols: undefined,
      elf: undefined,
      elfPath: undefined,
      program: undefined,
      read,
      label: true,
      user: true,
    });
    if (!user) return out;
    const uread = pageTableReader(mem, user.pagetable);
    const program = identifyIn(ctx.programs, uread, user.pc);
    walkUser(out, user.pc, user.regs, program, uread, max);
    return out;
  }
  const program = identifyIn(ctx.programs, read, pc);
  walkUser(out, pc, hartRegs(hart), program, read, max, ctx.hideInline);
  return out;
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

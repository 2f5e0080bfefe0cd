/**
 * One step of stack unwinding on RISC-V: from a frame's pc and registers to its
 * caller's. The CFI row for the pc (DWARF 5 section 6.4) gives the CFA and where the
 * caller's registers were saved; registers without a rule keep their value (the RISC-V
 * psABI makes s0-s11, sp, gp and tp callee-saved, and ra holds the return address until
 * a prologue saves it). Without CFI, GCC's -fno-omit-frame-pointer layout is used:
 * s0 (fp) equals the CFA, with the return address at fp-8 and the caller's fp at fp-16.
 */
import { evaluate } from './expr';
import type { CfiRow } from './frame';

/** DWARF register numbers of RISC-V (psABI "DWARF Register Numbers"). */
export const REG_RA = 1;
export const REG_SP = 2;
export const REG_FP = 8;

export type ReadMemory = (addr: number, len: number) => Uint8Array | undefined;

export interface UnwindResult {
  /** The return address: where the caller resumes (use pc - 1 to find its line). */
  pc: number;
  /** The caller's stack pointer (= this frame's CFA). */
  sp: bigint;
  /** The caller's frame pointer (s0), if known. */
  fp: bigint | undefined;
  /** The caller's registers by DWARF number (0-63); undefined where unknown. */
  regs: (bigint | undefined)[];
  cfa: bigint;
  method: 'cfi' | 'frame-pointer';
}

function readU64(readMemory: ReadMemory, addr: bigint): bigint | undefined {
  if (addr < 0n || addr > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const b = readMemory(Number(addr), 8);
  if (!b || b.length < 8) return undefined;
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** The RISC-V caller-saved registers: not preserved across a call (psABI "Integer Register Convention"). */
const CALLER_SAVED = new Set([1, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31]);

/** The CFA of a frame per its CFI row; undefined if a needed register is unknown. */
export function cfaOf(
  row: CfiRow,
  regs: readonly (bigint | undefined)[],
  readMemory: ReadMemory,
): bigint | undefined {
  const ctx = { readReg: (n: number) => regs[n], readMemory };
  if (row.cfa.kind === 'regOffset') {
    const base = regs[row.cfa.reg];
    return base === undefined ? undefined : BigInt.asUintN(64, base + BigInt(row.cfa.offset));
  }
  const loc = evaluate(row.cfa.expr, ctx);
  return loc.kind === 'memory' ? loc.address : undefined;
}

/** Unwind one frame with a CFI row. Returns undefined at the outermost frame. */
export function unwindCfi(
  row: CfiRow,
  raReg: number,
  regs: readonly (bigint | undefined)[],
  readMemory: ReadMemory,
): UnwindResult | undefined {
  const cfa = cfaOf(row, regs, readMemory);
  if (cfa === undefined) return undefined;
  const ctx = { readReg: (n: number) => regs[n], readMemory, cfa };
  const caller: (bigint | undefined)[] = [];
  for (let n = 0; n < 64; n++) {
    const rule = row.regs.get(n);
    if (!rule) {
      // No rule: callee-saved registers are unchanged; ra still holds the return address.
      caller[n] = n === raReg || !CALLER_SAVED.has(n) ? regs[n] : undefined;
      continue;
    }
    switch (rule.kind) {
      case 'undefined':
        caller[n] = undefined;
        break;
      case 'same':
        caller[n] = regs[n];
        break;
      case 'offset':
        caller[n] = readU64(readMemory, cfa + BigInt(rule.offset));
        break;
      case 'valOffset':
        caller[n] = BigInt.asUintN(64, cfa + BigInt(rule.offset));
        break;
      case 'register':
        caller[n] = regs[rule.reg];
        break;
      case 'expression': {
        const loc = evaluate(rule.expr, ctx, 8, [cfa]);
        caller[n] = loc.kind === 'memory' ? readU64(readMemory, loc.address) : undefined;
        break;
      }
      case 'valExpression': {
        const loc = evaluate(rule.expr, ctx, 8, [cfa]);
        caller[n] = loc.kind === 'memory' ? loc.address : loc.kind === 'value' ? loc.value : undefined;
        break;
      }
    }
  }
  const ra = caller[raReg];
  caller[REG_SP] = cfa;
  if (ra === undefined || ra === 0n) return undefined;
  return { pc: Number(ra), sp: cfa, fp: caller[REG_FP], regs: caller, cfa, method: 'cfi' };
}

/** Unwind one frame through the frame pointer chain (GCC -fno-omit-frame-pointer). */
export function unwindFramePointer(
  regs: readonly (bigint | undefined)[],
  readMemory: ReadMemory,
): UnwindResult | undefined {
  const fp = regs[REG_FP];
  if (fp === undefined || fp < 16n) return undefined;
  const ra = readU64(readMemory, fp - 8n);
  const callerFp = readU64(readMemory, fp - 16n);
  if (ra === undefined || ra === 0n) return undefined;
  const caller: (bigint | undefined)[] = [];
  for (let n = 0; n < 64; n++) caller[n] = CALLER_SAVED.has(n) ? undefined : regs[n];
  caller[REG_RA] = ra;
  caller[REG_SP] = fp;
  caller[REG_FP] = callerFp;
  return { pc: Number(ra), sp: fp, fp: callerFp, regs: caller, cfa: fp, method: 'frame-pointer' };
}

/**
 * Where a kernel trap vector (xv6's kernelvec) saved the registers of the code it
 * interrupted, read from its own first instructions: `addi sp, sp, -N` makes the save
 * area and each `sd reg, off(sp)` until the call into C stores one register. With it, a
 * call stack crosses a trap taken in supervisor mode: the interrupted code resumes at
 * sepc with those registers and sp + N (the vector has no CFI to say so).
 */
import type { ElfFile } from '../emulator/elf';
import { ABI_NAMES, disassemble } from '../emulator/cpu/disasm';
import type { Reader } from './debuginfo';

export interface VectorSaves {
  /** Bytes the vector takes off sp. */
  frameSize: number;
  /** Register number to its offset from the vector's sp. */
  saved: Map<number, number>;
}

/** Instructions read before giving up on finding the call. */
const MAX_INSNS = 64;
const SP = 2;

const cache = new WeakMap<ElfFile, Map<number, VectorSaves | null>>();

function regNumber(name: string): number {
  return name === 'fp' ? 8 : ABI_NAMES.indexOf(name);
}

/** The save area of the vector at link address `addr`, or undefined when its code is not that shape. */
export function vectorSaves(elf: ElfFile | undefined, addr: number): VectorSaves | undefined {
  if (!elf) return undefined;
  let perElf = cache.get(elf);
  if (!perElf) cache.set(elf, (perElf = new Map<number, VectorSaves | null>()));
  let v = perElf.get(addr);
  if (v === undefined) {
    v = decode(elf, addr) ?? null;
    perElf.set(addr, v);
  }
  return v ?? undefined;
}

function decode(elf: ElfFile, addr: number): VectorSaves | undefined {
  const sec = elf.sections.find((s) => s.data.length > 0 && addr >= s.addr && addr < s.addr + s.data.length);
  if (!sec) return undefined;
  const code = sec.data;
  let off = addr - sec.addr;
  let frameSize = 0;
  const saved = new Map<number, number>();
  for (let n = 0; n < MAX_INSNS && off + 2 <= code.length; n++) {
    const lo = code[off]! | (code[off + 1]! << 8);
    const long = (lo & 3) === 3;
    if (long && off + 4 > code.length) return undefined;
    const insn = long ? (lo | (code[off + 2]! << 16) | (code[off + 3]! << 24)) >>> 0 : lo;
    const text = disassemble(insn, BigInt(sec.addr + off)).text.replace(/\s+/g, ' ');
    off += long ? 4 : 2;
    const grow = /^(?:c\.)?addi(?:16sp)? sp,(?:sp,)?(-\d+)$/.exec(text);
    if (grow && frameSize === 0) {
      frameSize = -Number(grow[1]);
      continue;
    }
    const store = /^(?:c\.)?sd(?:sp)? (\w+),(\d+)\(sp\)$/.exec(text);
    if (store && frameSize > 0) {
      const r = regNumber(store[1]!);
      if (r > 0 && r !== SP) saved.set(r, Number(store[2]));
      continue;
    }
    // The first other instruction (the call into C) ends the saving.
    break;
  }
  return frameSize > 0 && saved.size > 0 ? { frameSize, saved } : undefined;
}

/** The interrupted code's registers, from the vector frame's (its sp is the save area). */
export function interruptedRegs(
  saves: VectorSaves,
  regs: readonly (bigint | undefined)[],
  read: Reader,
): (bigint | undefined)[] | undefined {
  const sp = regs[SP];
  if (sp === undefined) return undefined;
  const out = [...regs];
  for (const [r, off] of saves.saved) {
    const b = read(Number(sp) + off, 8);
    out[r] = b && b.length === 8 ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : undefined;
  }
  out[SP] = sp + BigInt(saves.frameSize);
  return out;
}

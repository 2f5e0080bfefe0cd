/**
 * Symbols for user space without the process table: the user ELFs (xv6's user/_ls,
 * user/_sh, ..., from the disk image or the `userPrograms` folder: userprogs-load.ts).
 * Every user program is linked at the same virtual addresses, so an address alone
 * cannot say which one runs; the code can. `identify` compares the bytes around the pc,
 * read through the hart's translation, with each program's loaded image, and the first
 * program whose bytes match names the frames.
 */
import { PT_LOAD, type ElfFile } from '../emulator/elf';
import type { HartApi } from '../emulator/types';
import type { PhysReader } from '../emulator/inspect';
import { readVirtual } from './views';

export interface UserProgram {
  /** Display name: the file name without xv6's leading underscore. */
  name: string;
  /** The ELF file, or the disk image it was read from (sources are looked for near it). */
  path: string;
  origin: 'image' | 'folder';
  elf: ElfFile;
  bytes: Uint8Array;
}

/** Bytes compared at the pc: enough to tell programs apart, cheap to read. */
const WINDOW = 32;

/** The file bytes an ELF loads at `va`, or undefined outside its file-backed segments. */
function imageAt(p: UserProgram, va: number, len: number): Uint8Array | undefined {
  for (const s of p.elf.segments) {
    if (s.type !== PT_LOAD || va < s.vaddr || va + len > s.vaddr + s.filesz) continue;
    const off = s.offset + (va - s.vaddr);
    return p.bytes.subarray(off, off + len);
  }
  return undefined;
}

/** The user program whose code is at `pc` in the hart's address space. */
export function identify(
  programs: readonly UserProgram[],
  mem: PhysReader,
  hart: HartApi,
  pc: bigint,
): UserProgram | undefined {
  if (programs.length === 0 || pc < 0n || pc >= 1n << 38n) return undefined;
  const live = readVirtual(mem, hart, pc, WINDOW);
  if (live.length < 4) return undefined;
  for (const p of programs) {
    const image = imageAt(p, Number(pc), live.length);
    if (image && image.every((b, i) => b === live[i])) return p;
  }
  return undefined;
}

/** The user program whose code `read` (a process's memory) holds at `pc`. */
export function identifyIn(
  programs: readonly UserProgram[],
  read: (addr: number, len: number) => Uint8Array | undefined,
  pc: number,
): UserProgram | undefined {
  if (programs.length === 0 || pc < 0 || pc >= 2 ** 38) return undefined;
  const live = read(pc, WINDOW) ?? read(pc, 4);
  if (!live) return undefined;
  for (const p of programs) {
    const image = imageAt(p, pc, live.length);
    if (image && image.every((b, i) => b === live[i])) return p;
  }
  return undefined;
}

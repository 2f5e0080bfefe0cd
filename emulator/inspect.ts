/**
 * Reading the guest as a debugger does: virtual memory through a hart's translation,
 * C strings, and a frame-pointer backtrace. Nothing here has side effects on the machine
 * (no TLB fills, no A/D updates, no device reads), so the CLI and the debug adapter can
 * look at a stopped or running guest freely.
 *
 * Frame layout (RISC-V GCC with -fno-omit-frame-pointer, as xv6 builds): s0/fp holds the
 * frame's CFA (the caller's sp); the return address is saved at fp-8 and the caller's fp
 * at fp-16.
 */
import { Access, type HartApi } from './types';
import type { ElfFile } from './elf';

/** Physical memory as the inspector needs it (the Machine offers this). */
export interface PhysReader {
  readPhys(paddr: number, len: number): Uint8Array | undefined;
}

const PAGE = 4096;

/** Read `len` bytes at virtual address `va` as `hart` sees them (or through `satp`). */
export function readVirt(
  mem: PhysReader,
  hart: HartApi,
  va: bigint,
  len: number,
  satp?: bigint,
): Uint8Array | undefined {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const cur = va + BigInt(done);
    const t = hart.translate(cur, Access.Load, satp);
    if (!t.ok) return undefined;
    const inPage = Math.min(len - done, PAGE - Number(cur & 0xfffn));
    const chunk = mem.readPhys(t.paddr, inPage);
    if (!chunk) return undefined;
    out.set(chunk, done);
    done += inPage;
  }
  return out;
}

export function readU64(mem: PhysReader, hart: HartApi, va: bigint): bigint | undefined {
  const b = readVirt(mem, hart, va, 8);
  if (!b) return undefined;
  return new DataView(b.buffer).getBigUint64(0, true);
}

/** A NUL-terminated string of at most `max` bytes, or undefined if unreadable. */
export function readCString(mem: PhysReader, hart: HartApi, va: bigint, max = 256): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < max; i++) {
    const b = readVirt(mem, hart, va + BigInt(i), 1);
    if (!b) return bytes.length ? Buffer.from(bytes).toString('latin1') : undefined;
    if (b[0] === 0) break;
    bytes.push(b[0]!);
  }
  return Buffer.from(bytes).toString('latin1');
}

export interface RawFrame {
  /** Frame 0: the pc; outer frames: the return address (look it up as pc - 1). */
  pc: bigint;
  /** Frame pointer of this frame (undefined for frame 0 entered but not yet set up). */
  fp: bigint | undefined;
  func: string | undefined;
  offset: number;
}

const RA = 1;
const SP = 2;
const FP = 8;

/**
 * Walk the frame-pointer chain. `atEntry`: the hart stands on the first instruction of a
 * function (a breakpoint on a symbol), so frame 0's caller is in ra and fp still belongs
 * to the caller.
 */
export function fpBacktrace(
  mem: PhysReader,
  hart: HartApi,
  elf: ElfFile | undefined,
  atEntry: boolean,
  max = 32,
): RawFrame[] {
  // Outer frames hold return addresses: look them up one byte back, inside the call.
  const name = (pc: bigint, lookup = pc): { func: string | undefined; offset: number } => {
    const s = elf?.symbolAt(Number(lookup));
    return { func: s?.name, offset: s ? Number(pc) - s.value : 0 };
  };
  const frames: RawFrame[] = [];
  const pc0 = hart.getPc();
  let fp = hart.getReg(FP);
  frames.push({ pc: pc0, fp: atEntry ? undefined : fp, ...name(pc0) });
  if (atEntry) {
    const ra = hart.getReg(RA);
    if (ra === 0n) return frames;
    frames.push({ pc: ra, fp, ...name(ra, ra - 1n) });
  }
  const sp = hart.getReg(SP);
  while (frames.length < max) {
    // The chain must move up the stack, stay aligned and within one stack's reach.
    if (fp === 0n || fp & 7n || fp < sp) break;
    const ra = readU64(mem, hart, fp - 8n);
    const prev = readU64(mem, hart, fp - 16n);
    if (ra === undefined || prev === undefined || ra === 0n) break;
    const n = name(ra, ra - 1n);
    // A return address in no function means the chain has left real frames (for example
    // the boot stack's idle loop): stop rather than show garbage.
    if (elf && n.func === undefined) break;
    frames.push({ pc: ra, fp: prev, ...n });
    if (prev <= fp || prev - fp > 0x10000n) break;
    fp = prev;
  }
  return frames;
}

export function formatFrame(i: number, f: RawFrame): string {
  const where = f.func ? `${f.func}+${f.offset}` : '??';
  return `#${i} 0x${f.pc.toString(16).padStart(16, '0')} in ${where}`;
}

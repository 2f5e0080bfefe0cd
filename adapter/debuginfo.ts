/**
 * Shared plumbing of the source-level half of the adapter: one `Symbols` (DWARF reader)
 * per ELF file, built on first use and cached; memory readers for a stopped hart (kernel
 * addresses fall back to physical memory, since the kernel is identity-mapped from
 * KERNBASE and a hart in U-mode has no kernel mappings); a software Sv39 walk to read a
 * process's memory through its own page table while the hart runs the kernel
 * (privileged spec 4.3.2, the address-translation algorithm); the current process of a
 * hart and its trap frame, found through the kernel's DWARF (`cpus[h].proc`,
 * `struct proc.trapframe`, `struct trapframe` members named after the registers); and
 * the code symbol that names a pc, labels of assembly files (size 0) included.
 */
import { Access, type HartApi } from '../emulator/types';
import { STT_FUNC, type ElfFile, type ElfSymbol } from '../emulator/elf';
import type { PhysReader } from '../emulator/inspect';
import { ABI_NAMES } from '../emulator/cpu/disasm';
import { Symbols, strip, type Type } from './symbols';

export type Reader = (addr: number, len: number) => Uint8Array | undefined;

const cache = new WeakMap<ElfFile, Symbols | null>();

/** The DWARF reader of an ELF, or undefined when it has no usable debug information. */
export function symbolsOf(elf: ElfFile | undefined): Symbols | undefined {
  if (!elf) return undefined;
  let s = cache.get(elf);
  if (s === undefined) {
    try {
      s = new Symbols(elf);
      if (s.units.length === 0) s = null;
    } catch {
      s = null;
    }
    cache.set(elf, s);
  }
  return s ?? undefined;
}

const KERNBASE = 0x8000_0000;
const PAGE = 4096;

/** Reads memory as `hart` sees it; kernel addresses the hart cannot translate are read physically. */
export function hartReader(mem: PhysReader, hart: HartApi): Reader {
  return (addr, len) => {
    if (addr < 0 || len < 0) return undefined;
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const cur = addr + done;
      const n = Math.min(len - done, PAGE - (cur % PAGE));
      const t = hart.translate(BigInt(cur), Access.Load);
      const chunk = t.ok ? mem.readPhys(t.paddr, n) : cur >= KERNBASE ? mem.readPhys(cur, n) : undefined;
      if (!chunk || chunk.length < n) return undefined;
      out.set(chunk, done);
      done += n;
    }
    return out;
  };
}

/** Sv39 walk in software (privileged spec 4.3.2 with 4.4's three levels): VA to PA, or undefined. */
export function sv39Translate(mem: PhysReader, rootPa: number, va: number): number | undefined {
  if (va < 0 || va >= 2 ** 38) return undefined;
  let table = rootPa;
  for (let level = 2; level >= 0; level--) {
    const vpn = Math.floor(va / 2 ** (12 + 9 * level)) % 512;
    const b = mem.readPhys(table + vpn * 8, 8);
    if (!b) return undefined;
    const pte = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if ((pte & 1n) === 0n) return undefined;
    const ppn = Number((pte >> 10n) & ((1n << 44n) - 1n));
    if ((pte & 0xan) !== 0n) {
      // A leaf (R or X set): a superpage at levels 1 and 2.
      const span = 2 ** (12 + 9 * level);
      return ppn * PAGE + (va % span);
    }
    table = ppn * PAGE;
  }
  return undefined;
}

/** Reads a process's memory through its page table (root physical address). */
export function pageTableReader(mem: PhysReader, rootPa: number): Reader {
  return (addr, len) => {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const cur = addr + done;
      const n = Math.min(len - done, PAGE - (cur % PAGE));
      const pa = sv39Translate(mem, rootPa, cur);
      const chunk = pa === undefined ? undefined : mem.readPhys(pa, n);
      if (!chunk || chunk.length < n) return undefined;
      out.set(chunk, done);
      done += n;
    }
    return out;
  };
}

export function u64(b: Uint8Array | undefined, off = 0): bigint | undefined {
  if (!b || b.length < off + 8) return undefined;
  return new DataView(b.buffer, b.byteOffset + off, 8).getBigUint64(0, true);
}

/** The registers of a hart in DWARF numbering (x0-x31 are 0-31). */
export function hartRegs(hart: HartApi): (bigint | undefined)[] {
  const regs: (bigint | undefined)[] = [];
  for (let i = 0; i < 32; i++) regs.push(hart.getReg(i));
  return regs;
}

function member(t: Type | undefined, name: string): { offset: number; type: Type } | undefined {
  const s = t ? strip(t) : undefined;
  if (!s || (s.kind !== 'struct' && s.kind !== 'union')) return undefined;
  return s.members.find((m) => m.name === name);
}

export interface UserContext {
  /** Address of the `struct proc` the hart runs. */
  proc: number;
  /** Root of its page table (physical). */
  pagetable: number;
  /** The user registers saved in its trap frame (DWARF numbering) and the user pc. */
  regs: (bigint | undefined)[];
  pc: number;
}

/**
 * The process `hart` runs (`cpus[hart].proc`) with its page table and the user
 * registers its trap frame holds, or undefined when the kernel does not have them.
 */
export function currentUser(kernel: Symbols, mem: PhysReader, hartId: number): UserContext | undefined {
  const elf = kernel.elf;
  const cpus = elf.symbol('cpus');
  const cpuT = kernel.typeByName('struct cpu');
  const procT = kernel.typeByName('struct proc');
  const tfT = kernel.typeByName('struct trapframe');
  const cpuProc = member(cpuT, 'proc');
  const tfM = member(procT, 'trapframe');
  const ptM = member(procT, 'pagetable');
  const cpuSize = cpuT ? (strip(cpuT) as { size?: number }).size : undefined;
  if (!cpus || !cpuProc || !tfM || !ptM || !tfT || !cpuSize) return undefined;
  const proc = u64(mem.readPhys(cpus.value + hartId * cpuSize + cpuProc.offset, 8));
  if (!proc) return undefined;
  const tf = u64(mem.readPhys(Number(proc) + tfM.offset, 8));
  const pt = u64(mem.readPhys(Number(proc) + ptM.offset, 8));
  if (!tf || !pt) return undefined;
  const tfs = strip(tfT);
  if (tfs.kind !== 'struct') return undefined;
  const bytes = mem.readPhys(Number(tf), tfs.size);
  if (!bytes) return undefined;
  const regs: (bigint | undefined)[] = [0n];
  for (let i = 1; i < 32; i++) {
    const m = tfs.members.find((x) => x.name === ABI_NAMES[i] || (i === 8 && x.name === 'fp'));
    regs.push(m ? u64(bytes, m.offset) : undefined);
  }
  const epc = tfs.members.find((x) => x.name === 'epc');
  const pc = epc ? u64(bytes, epc.offset) : undefined;
  if (pc === undefined) return undefined;
  return { proc: Number(proc), pagetable: Number(pt), regs, pc: Number(pc) };
}

const STT_NOTYPE = 0;
/** Section flags (ELF gABI): allocated, executable. */
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;

/** Code symbols by address, with the end of the section each lies in. */
interface CodeSymbols {
  syms: ElfSymbol[];
  sectionEnd: number[];
}

const codeCache = new WeakMap<ElfFile, CodeSymbols>();

/**
 * Which of two symbols at one address names the code: a function before a label, a sized
 * symbol before a size-0 one, a global before a local, and a label that names the page
 * (xv6's `trampoline`, its linker script's `_trampoline`) last.
 */
function rank(s: ElfSymbol): number {
  return (
    (s.type === STT_FUNC ? 8 : 0) +
    (s.size > 0 ? 4 : 0) +
    (s.bind === 1 ? 2 : 0) +
    (/^_*trampoline$/.test(s.name) ? 0 : 1)
  );
}

function codeSymbols(elf: ElfFile): CodeSymbols {
  let c = codeCache.get(elf);
  if (c) return c;
  const code = (i: number) => {
    const sec = elf.sections[i];
    return sec && (sec.flags & (SHF_ALLOC | SHF_EXECINSTR)) === (SHF_ALLOC | SHF_EXECINSTR) ? sec : undefined;
  };
  const syms = elf.symbols
    .filter(
      (s) =>
        (s.type === STT_FUNC || s.type === STT_NOTYPE) &&
        s.name !== '' &&
        !s.name.startsWith('.L') &&
        !s.name.startsWith('$') &&
        code(s.shndx) !== undefined,
    )
    .sort((a, b) => a.value - b.value || rank(b) - rank(a));
  // One symbol per address: the best ranked (sorted first).
  const unique = syms.filter((s, i) => i === 0 || syms[i - 1]!.value !== s.value);
  c = {
    syms: unique,
    sectionEnd: unique.map((s) => {
      const sec = code(s.shndx)!;
      return sec.addr + sec.size;
    }),
  };
  codeCache.set(elf, c);
  return c;
}

/**
 * The function or code label that names `pc`: the ELF's sized symbol holding it, else
 * the nearest code symbol at or below it, which also names the code after it up to the
 * next symbol or the end of its section when its size is 0 (assembly labels such as
 * xv6's system-call stubs and vectors carry no size). The symbol comes back with that
 * extent as its size.
 */
export function codeSymbolAt(elf: ElfFile | undefined, pc: number): ElfSymbol | undefined {
  if (!elf) return undefined;
  const sized = elf.symbolAt(pc);
  if (sized) return sized;
  const { syms, sectionEnd } = codeSymbols(elf);
  let lo = 0;
  let hi = syms.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid]!.value <= pc) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const s = syms[best];
  if (!s) return undefined;
  const next = syms[best + 1];
  const end = Math.min(
    sectionEnd[best]!,
    next ? next.value : Infinity,
    s.size > 0 ? s.value + s.size : Infinity,
  );
  return pc < end ? { ...s, size: end - s.value } : undefined;
}

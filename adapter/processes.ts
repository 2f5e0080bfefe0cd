/**
 * The kernel's process table, read the way a student's xv6 lays it out: the global
 * `struct proc proc[NPROC]` and `struct cpu cpus[NCPU]` (whose `proc` member says which
 * process each hart runs). Member offsets, the size of a slot and the names of the
 * `enum procstate` values come from the kernel's DWARF (adapter/symbols), so any
 * xv6-style kernel works as long as it keeps the names pid, state, name, sz and
 * pagetable (`kstack`, where present, gives its kernel stack). Kernel data is
 * identity-mapped (KERNBASE), so it is read physically.
 * Anything missing or unreadable gives an empty list, never an exception.
 */
import type { ElfFile } from '../emulator/elf';
import type { PhysReader } from '../emulator/inspect';
import { Symbols, strip, type Type } from './symbols';
import type { ProcessOwner, ProcessSource } from './custom';
import type { ProcessInfo } from './protocol';

interface Field {
  offset: number;
  size: number;
}

interface Layout {
  procAddr: number;
  slots: number;
  slotSize: number;
  pid: Field;
  state: Field;
  name: Field;
  sz: Field;
  pagetable: Field;
  stateNames: Map<number, string>;
  cpusAddr?: number;
  cpuSize?: number;
  cpuProc?: Field;
  cpuCount?: number;
  kstack?: Field;
}

type StructType = Extract<Type, { members: unknown }>;

function structOf(t: Type | undefined): StructType | undefined {
  const s = t ? strip(t) : undefined;
  return s && s.kind === 'struct' && !s.declaration ? s : undefined;
}

function field(s: StructType, name: string): Field | undefined {
  const m = s.members.find((x) => x.name === name);
  if (!m) return undefined;
  const t = strip(m.type);
  const size = 'size' in t ? t.size : 0;
  return { offset: m.offset, size };
}

/** Work out the layout, or say why it cannot be read. */
function layoutOf(symbols: Symbols, elf: ElfFile): Layout | string {
  const procSym = elf.symbol('proc');
  const proc = structOf(symbols.typeByName('struct proc'));
  if (!procSym || !proc || proc.size === 0)
    return "the kernel has no 'struct proc proc[]' with debug information";
  const f = (n: string): Field | undefined => field(proc, n);
  const pid = f('pid');
  const state = f('state');
  const name = f('name');
  const sz = f('sz');
  const pagetable = f('pagetable');
  if (!pid || !state || !name || !sz || !pagetable) {
    return 'struct proc lacks one of pid, state, name, sz, pagetable';
  }
  const stateType = strip(proc.members.find((m) => m.name === 'state')!.type);
  const stateNames = new Map<number, string>();
  if (stateType.kind === 'enum') for (const e of stateType.enumerators) stateNames.set(e.value, e.name);
  const layout: Layout = {
    procAddr: procSym.value,
    slots: Math.floor(procSym.size / proc.size),
    slotSize: proc.size,
    pid,
    state,
    name,
    sz,
    pagetable,
    stateNames,
  };
  const kstack = f('kstack');
  if (kstack && kstack.size === 8) layout.kstack = kstack;
  const cpusSym = elf.symbol('cpus');
  const cpu = structOf(symbols.typeByName('struct cpu'));
  const cpuProc = cpu ? field(cpu, 'proc') : undefined;
  if (cpusSym && cpu && cpu.size > 0 && cpuProc) {
    layout.cpusAddr = cpusSym.value;
    layout.cpuSize = cpu.size;
    layout.cpuProc = cpuProc;
    layout.cpuCount = Math.floor(cpusSym.size / cpu.size);
  }
  return layout;
}

function readUint(mem: PhysReader, addr: number, size: number): number | undefined {
  const b = mem.readPhys(addr, size);
  if (!b) return undefined;
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}

/** The little-endian unsigned value of `size` bytes at `off` of `b` (0 past its end). */
function uintAt(b: Uint8Array, off: number, size: number): number {
  let v = 0;
  for (let i = Math.min(off + size, b.length) - 1; i >= off; i--) v = v * 256 + b[i]!;
  return v;
}

/** A ProcessSource over the kernel's DWARF, or a reason when there is none. */
export function dwarfProcessSource(elf: ElfFile, mem: PhysReader): ProcessSource | string {
  let layout: Layout | string;
  try {
    layout = layoutOf(new Symbols(elf), elf);
  } catch (e) {
    return `cannot read the kernel's debug information: ${(e as Error).message}`;
  }
  if (typeof layout === 'string') return layout;
  const L = layout;
  return {
    processes(): ProcessInfo[] {
      const running = new Map<number, number>(); // proc slot address -> hart
      if (L.cpusAddr !== undefined && L.cpuProc && L.cpuSize) {
        for (let h = 0; h < (L.cpuCount ?? 0); h++) {
          const p = readUint(mem, L.cpusAddr + h * L.cpuSize + L.cpuProc.offset, 8);
          if (p) running.set(p, h);
        }
      }
      const out: ProcessInfo[] = [];
      for (let i = 0; i < L.slots; i++) {
        const base = L.procAddr + i * L.slotSize;
        const state = readUint(mem, base + L.state.offset, L.state.size || 4);
        if (state === undefined || state === 0) continue; // UNUSED (or unreadable)
        const pid = readUint(mem, base + L.pid.offset, 4) ?? 0;
        const nameBytes = mem.readPhys(base + L.name.offset, L.name.size || 16) ?? new Uint8Array(0);
        const end = nameBytes.indexOf(0);
        const pt = readUint(mem, base + L.pagetable.offset, 8) ?? 0;
        const info: ProcessInfo = {
          pid,
          name: Buffer.from(end < 0 ? nameBytes : nameBytes.subarray(0, end)).toString('latin1'),
          state: L.stateNames.get(state)?.toLowerCase() ?? String(state),
          sz: readUint(mem, base + L.sz.offset, 8) ?? 0,
          // Sv39 satp for this page table (privileged spec 4.1.11): MODE 8, PPN.
          satp: '0x' + ((8n << 60n) | BigInt(Math.floor(pt / 4096))).toString(16),
        };
        const hart = running.get(base);
        if (hart !== undefined) info.hart = hart;
        const kstack = L.kstack ? readUint(mem, base + L.kstack.offset, 8) : undefined;
        if (kstack) info.kstack = '0x' + kstack.toString(16);
        out.push(info);
      }
      return out;
    },

    owners(): ProcessOwner[] {
      // One read of the whole table: this runs between every two run slices.
      const b = mem.readPhys(L.procAddr, L.slots * L.slotSize);
      if (!b) return [];
      const out: ProcessOwner[] = [];
      for (let i = 0; i < L.slots; i++) {
        const base = i * L.slotSize;
        if (uintAt(b, base + L.state.offset, L.state.size || 4) === 0) continue; // UNUSED
        const name = b.subarray(base + L.name.offset, base + L.name.offset + (L.name.size || 16));
        const end = name.indexOf(0);
        out.push({
          pid: uintAt(b, base + L.pid.offset, 4),
          name: Buffer.from(end < 0 ? name : name.subarray(0, end)).toString('latin1'),
          root: uintAt(b, base + L.pagetable.offset, 8),
          kstack: L.kstack ? uintAt(b, base + L.kstack.offset, 8) : 0,
        });
      }
      return out;
    },
  };
}

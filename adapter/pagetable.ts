/**
 * A side-effect-free Sv39 page-table walker for the debugger's page-table view. It reads
 * physical memory through `readPhys` only (no TLB, no A/D updates) and produces
 *  - the tree: every valid entry with its level, index, virtual range, physical address,
 *    flags as letters and raw value, malformed entries marked invalid with the reason;
 *  - the merged view: runs of leaf mappings with the same permissions and contiguous
 *    physical addresses as one range, labelled trampoline / trapframe / guard /
 *    kernel-stack, a process's pages by what they hold (text, data, stack, heap:
 *    userlayout.ts), plus the `lazy` gaps of a process (below its `sz` but not mapped).
 * A corrupt table never throws: the walk records a problem and goes on.
 *
 * Sv39 (privileged spec 4.4): three levels of 512 eight-byte PTEs; VPN[2..0] are VA bits
 * 38:30, 29:21, 20:12; a PTE (4.4.1) holds V R W X U G A D in bits 0-7, RSW in 8-9, the
 * PPN in 10-53 and bits 54-63 must be zero without Svpbmt/Svnapot. A PTE with R=W=X=0 is
 * a pointer to the next level (4.3.2 step 4); W without R is reserved; a superpage's PPN
 * must be aligned to its size (step 6, "misaligned superpage").
 */
import type { MappedRange, PageTableEntryInfo, PageTableResponse, RangeLabel } from './protocol';
import { splitSatp } from './csr';
import { userLayout, type UserSegment } from './userlayout';

export interface PhysMem {
  readPhys(paddr: number, len: number): Uint8Array | undefined;
}

export const PAGE_SIZE = 4096;
/** One past the highest user virtual address in xv6's layout (memlayout.h: 1 << 38). */
export const MAXVA = 2 ** 38;
export const TRAMPOLINE = MAXVA - PAGE_SIZE;
export const TRAPFRAME = TRAMPOLINE - PAGE_SIZE;
/** Kernel stacks sit below the trampoline, two pages per process slot (one a guard). */
const KSTACK_REGION = 2 * PAGE_SIZE * 1024;

const FLAG_LETTERS = 'VRWXUGAD';
const PTE_V = 1;
const PTE_R = 2;
const PTE_W = 4;
const PTE_X = 8;
const PTE_U = 16;
/** Permission bits compared when merging ranges (A and D change with every access). */
const PERM_MASK = 0x3f;
const LEVEL_SIZE = [PAGE_SIZE, PAGE_SIZE * 512, PAGE_SIZE * 512 * 512];

export function flagLetters(bits: number): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += bits & (1 << i) ? FLAG_LETTERS[i] : '-';
  return s;
}

export function hex(v: number): string {
  return '0x' + (v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v)).toString(16);
}

export interface WalkOptions {
  /** satp value (mode must be Sv39), or give `rootPa` instead. */
  satp?: bigint;
  rootPa?: number;
  /** The process's size in bytes: unmapped pages below it are reported as `lazy`. */
  sz?: number;
  /** Leave the (large) tree out and keep only the merged ranges. */
  rangesOnly?: boolean;
  /** The process's program segments (userlayout.ts), to label text and data. */
  segments?: UserSegment[];
}

interface Leaf {
  va: number;
  pa: number;
  size: number;
  bits: number;
}

/** Walk a Sv39 page table. */
export function walkPageTable(mem: PhysMem, o: WalkOptions): PageTableResponse {
  const problems: string[] = [];
  let rootPa = o.rootPa ?? 0;
  let mode = 'Sv39';
  let satpText = '';
  if (o.satp !== undefined) {
    const s = splitSatp(o.satp);
    rootPa = s.rootPa;
    mode = s.modeName;
    satpText = '0x' + BigInt.asUintN(64, o.satp).toString(16);
  } else satpText = hex(8 * 2 ** 60 + rootPa / PAGE_SIZE);
  const result: PageTableResponse = {
    satp: satpText,
    mode,
    rootPa: hex(rootPa),
    entries: [],
    ranges: [],
    problems,
  };
  if (mode !== 'Sv39') {
    problems.push(
      mode === 'Bare'
        ? 'satp is Bare: translation is off, there is no page table'
        : `satp mode ${mode} is not Sv39`,
    );
    return result;
  }
  const leaves: Leaf[] = [];
  const entries = walkLevel(mem, rootPa, 2, 0, leaves, problems, o.rangesOnly ?? false);
  if (entries === undefined) {
    problems.push(`the root page table at ${hex(rootPa)} is outside RAM`);
    return result;
  }
  result.entries = entries;
  result.ranges = mergeRanges(leaves, o.sz, o.segments);
  return result;
}

function walkLevel(
  mem: PhysMem,
  tablePa: number,
  level: number,
  vaBase: number,
  leaves: Leaf[],
  problems: string[],
  rangesOnly: boolean,
): PageTableEntryInfo[] | undefined {
  const table = tablePa % PAGE_SIZE === 0 ? mem.readPhys(tablePa, PAGE_SIZE) : undefined;
  if (!table || table.length < PAGE_SIZE) return undefined;
  const dv = new DataView(table.buffer, table.byteOffset, PAGE_SIZE);
  const out: PageTableEntryInfo[] = [];
  const span = LEVEL_SIZE[level]!;
  for (let index = 0; index < 512; index++) {
    const lo = dv.getUint32(index * 8, true);
    const hi = dv.getUint32(index * 8 + 4, true);
    if ((lo & PTE_V) === 0) continue;
    const bits = lo & 0xff;
    // PPN: bits 10..53, i.e. lo[31:10] and hi[21:0].
    const ppn = (hi & 0x3f_ffff) * 2 ** 22 + (lo >>> 10);
    const pa = ppn * PAGE_SIZE;
    // At the top level VPN[2] >= 256 means a VA with bit 38 set: sign-extended (4.4.1).
    let va = vaBase + index * span;
    if (level === 2 && index >= 256) va -= 2 ** 39;
    const leaf = (bits & (PTE_R | PTE_W | PTE_X)) !== 0;
    const raw = '0x' + (BigInt(hi) * 2n ** 32n + BigInt(lo)).toString(16).padStart(16, '0');
    const e: PageTableEntryInfo = {
      level,
      index,
      vaStart: hex(va),
      vaEnd: hex(va + span),
      pa: hex(pa),
      flags: flagLetters(bits),
      raw,
      leaf,
    };
    const where = `level-${level} entry ${index} (VA ${hex(va)})`;
    let invalid: string | undefined;
    if (hi >>> 22 !== 0) invalid = 'reserved bits 54-63 are set';
    else if ((bits & (PTE_R | PTE_W)) === PTE_W) invalid = 'W without R is a reserved combination';
    else if (!leaf && level === 0) invalid = 'a pointer at the last level (R, W and X all clear)';
    else if (leaf && level > 0 && ppn % 512 ** level !== 0) invalid = 'misaligned superpage';
    if (invalid) {
      e.invalid = invalid;
      problems.push(`${where}: ${invalid}`);
    } else if (leaf) {
      leaves.push({ va, pa, size: span, bits });
    } else {
      const children = walkLevel(mem, pa, level - 1, va, leaves, problems, rangesOnly);
      if (children === undefined) {
        e.invalid = `points to ${hex(pa)}, outside RAM`;
        problems.push(`${where}: ${e.invalid}`);
      } else if (!rangesOnly) e.children = children;
    }
    if (!rangesOnly || invalid || e.invalid) out.push(e);
  }
  return out;
}

/**
 * Merge leaf mappings into ranges, label the special pages and what each user page is
 * for (text, data, guard, stack, heap: userlayout.ts), and add the lazy gaps.
 */
function mergeRanges(leaves: Leaf[], sz: number | undefined, segments?: UserSegment[]): MappedRange[] {
  interface Run {
    va: number;
    end: number;
    pa: number;
    size: number;
    perm: number;
    common: number;
    region: RangeLabel;
  }
  const runs: Run[] = [];
  leaves.sort((a, b) => a.va - b.va);
  const inUser = (l: Leaf): boolean => l.va >= 0 && l.va + l.size <= TRAPFRAME && l.size === PAGE_SIZE;
  const layout = leaves.some((l) => l.bits & PTE_U)
    ? userLayout(
        leaves.filter(inUser).map((l) => ({ va: l.va, user: (l.bits & PTE_U) !== 0 })),
        segments,
      )
    : undefined;
  for (const l of leaves) {
    const last = runs[runs.length - 1];
    const region = layout && inUser(l) ? layout(l.va) : undefined;
    if (
      last &&
      last.end === l.va &&
      last.pa + (last.end - last.va) === l.pa &&
      last.size === l.size &&
      last.perm === (l.bits & PERM_MASK) &&
      last.region === region
    ) {
      last.end += l.size;
      last.common &= l.bits;
    } else
      runs.push({
        va: l.va,
        end: l.va + l.size,
        pa: l.pa,
        size: l.size,
        perm: l.bits & PERM_MASK,
        common: l.bits,
        region,
      });
  }

  const isUserTable = leaves.some((l) => l.bits & PTE_U);
  // The user part of a process's address space: everything below the trapframe.
  const userTop = isUserTable
    ? runs
        .filter((r) => r.perm & PTE_U && r.va >= 0 && r.end <= TRAPFRAME)
        .reduce((m, r) => Math.max(m, r.end), 0)
    : 0;
  const ranges: MappedRange[] = [];
  for (const r of runs) {
    const range: MappedRange = {
      vaStart: hex(r.va),
      vaEnd: hex(r.end),
      pa: hex(r.pa),
      flags: flagLetters(r.common),
      pages: (r.end - r.va) / r.size,
      pageSize: r.size,
    };
    const label = labelFor(r.va, r.end, r.perm, isUserTable, userTop) ?? r.region;
    if (label) range.label = label;
    ranges.push(range);
  }

  if (isUserTable && sz !== undefined && sz > 0) {
    const top = Math.min(Math.ceil(sz / PAGE_SIZE) * PAGE_SIZE, TRAPFRAME);
    let cursor = 0;
    const gaps: MappedRange[] = [];
    for (const r of runs) {
      if (r.va >= top) break;
      if (r.va < 0) continue;
      if (r.va > cursor) gaps.push(lazyRange(cursor, r.va));
      cursor = Math.max(cursor, r.end);
    }
    if (cursor < top) gaps.push(lazyRange(cursor, top));
    ranges.push(...gaps);
    ranges.sort((a, b) => sortKey(a.vaStart) - sortKey(b.vaStart));
  }
  return ranges;
}

function sortKey(h: string): number {
  const v = BigInt(h);
  return Number(BigInt.asIntN(64, v));
}

function lazyRange(start: number, end: number): MappedRange {
  return {
    vaStart: hex(start),
    vaEnd: hex(end),
    flags: '',
    pages: (end - start) / PAGE_SIZE,
    pageSize: PAGE_SIZE,
    label: 'lazy',
  };
}

function labelFor(va: number, end: number, perm: number, user: boolean, userTop: number): RangeLabel {
  if (va === TRAMPOLINE && end === TRAMPOLINE + PAGE_SIZE) return 'trampoline';
  if (va === TRAPFRAME && end === TRAPFRAME + PAGE_SIZE) return 'trapframe';
  if (user) {
    // xv6's exec leaves one page without PTE_U under the user stack to catch overflows.
    if ((perm & PTE_U) === 0 && va >= 0 && end <= userTop && end - va === PAGE_SIZE) return 'guard';
    return undefined;
  }
  if ((perm & PTE_U) === 0 && va >= TRAMPOLINE - KSTACK_REGION && end <= TRAMPOLINE && perm & PTE_W)
    return 'kernel-stack';
  return undefined;
}

/**
 * Sv39 address translation (privileged spec 4.3 and 4.4): the page-table walk and the TLB.
 *
 * The TLB is direct-mapped over 4 KiB virtual pages; a superpage fills one entry per 4 KiB
 * page touched. An entry keeps the leaf PTE's flag byte (V R W X U G A D), so permissions
 * are checked on every hit through a 256-entry table chosen for the current effective
 * privilege, SUM and MXR (`permTable`): changing privilege needs no flush. The same TLB
 * shape caches Bare-mode identity mappings (with an all-allowing table), which lets loads
 * and stores take one fast path whatever the mode.
 */
import { Access, Exc, Priv, type RamApi } from '../types';

export const TLB_SIZE = 512;
export const TLB_MASK = TLB_SIZE - 1;

export const PTE_V = 1;
export const PTE_R = 2;
export const PTE_W = 4;
export const PTE_X = 8;
export const PTE_U = 16;
export const PTE_A = 64;
export const PTE_D = 128;

export class Tlb {
  /** Virtual page number (va / 4096, may be negative), NaN when empty. */
  readonly tag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly flags = new Uint8Array(TLB_SIZE);
  /** Physical address of the page. */
  readonly pa = new Float64Array(TLB_SIZE);
  /** Byte offset of the page in RAM, or -1 when the page is not RAM. */
  readonly off = new Int32Array(TLB_SIZE);

  flush(): void {
    this.tag.fill(NaN);
  }

  fill(vpn: number, flags: number, pa: number, ram: RamApi): void {
    const i = vpn & TLB_MASK;
    this.tag[i] = vpn;
    this.flags[i] = flags;
    this.pa[i] = pa;
    this.off[i] = pa >= ram.base && pa + 4096 <= ram.base + ram.size ? pa - ram.base : -1;
  }
}

/** Every flag combination allowed: Bare mode (and M-mode without MPRV). */
export const ALLOW_ALL = new Uint8Array(256).fill(1);

function userOk(flags: number, priv: Priv, sum: boolean, fetch: boolean): boolean {
  const u = (flags & PTE_U) !== 0;
  if (priv === Priv.U) return u;
  // privileged spec 4.3.1: S may touch U pages only with SUM, and may never execute them.
  return !u || (sum && !fetch);
}

function buildTable(access: Access, priv: Priv, sum: boolean, mxr: boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let f = 0; f < 256; f++) {
    if (!(f & PTE_V) || !(f & PTE_A)) continue;
    let ok: boolean;
    if (access === Access.Fetch) ok = (f & PTE_X) !== 0;
    else if (access === Access.Load) ok = (f & PTE_R) !== 0 || (mxr && (f & PTE_X) !== 0);
    else ok = (f & PTE_W) !== 0 && (f & PTE_D) !== 0;
    t[f] = ok && userOk(f, priv, sum, access === Access.Fetch) ? 1 : 0;
  }
  return t;
}

const tables = new Map<number, Uint8Array>();
/** The permission table for an access at effective privilege `priv` (U or S) under Sv39. */
export function permTable(access: Access, priv: Priv, sum: boolean, mxr: boolean): Uint8Array {
  const key = access * 16 + priv * 4 + (sum ? 2 : 0) + (mxr ? 1 : 0);
  let t = tables.get(key);
  if (t === undefined) {
    t = buildTable(access, priv, sum, mxr);
    tables.set(key, t);
  }
  return t;
}

export const PAGE_FAULT: readonly Exc[] = [Exc.InstrPageFault, Exc.LoadPageFault, Exc.StorePageFault];
export const ACCESS_FAULT: readonly Exc[] = [Exc.InstrAccessFault, Exc.LoadAccessFault, Exc.StoreAccessFault];

/** Outcome of a walk: `pa` >= 0 and the leaf flags, or `pa` = -1 and the exception. */
export interface WalkResult {
  pa: number;
  flags: number;
  cause: Exc;
}

/**
 * Walk the Sv39 tables rooted at physical `root` for virtual `va` (privileged spec 4.3.2).
 * `perm` is the permission table for this access. With `update`, A (and D for a store)
 * are set in the leaf PTE in memory, and `onPteWrite(ramOffset)` is told; the debugger
 * walks with update = false and changes nothing.
 */
export function walk(
  ram: RamApi,
  root: number,
  va: number,
  access: Access,
  perm: Uint8Array,
  update: boolean,
  out: WalkResult,
  onPteWrite: ((off: number) => void) | undefined,
): boolean {
  const pf = PAGE_FAULT[access]!;
  // privileged spec 4.4.1: bits 63..39 must all equal bit 38.
  if (!(va >= -(2 ** 38) && va < 2 ** 38)) return fail(out, pf);
  const vpn = [
    Math.floor(va / 4096) & 0x1ff,
    Math.floor(va / 2 ** 21) & 0x1ff,
    Math.floor(va / 2 ** 30) & 0x1ff,
  ];
  let a = root;
  for (let level = 2; level >= 0; level--) {
    const pteAddr = a + vpn[level]! * 8;
    const off = pteAddr - ram.base;
    if (off < 0 || off + 8 > ram.size) return fail(out, ACCESS_FAULT[access]!);
    const lo = ram.i32[off >> 2]!;
    const hi = ram.i32[(off >> 2) + 1]!;
    if (!(lo & PTE_V) || (!(lo & PTE_R) && lo & PTE_W)) return fail(out, pf);
    // Bits 63..54 are reserved (no Svpbmt/Svnapot here): set means page fault.
    if (hi >>> 22 !== 0) return fail(out, pf);
    const ppn = (lo >>> 10) + (hi & 0x3fffff) * 4194304;
    if (!(lo & (PTE_R | PTE_X))) {
      if (level === 0) return fail(out, pf);
      a = ppn * 4096;
      continue;
    }
    // A leaf. A superpage must be aligned (privileged spec 4.3.2 step 6).
    if (level > 0 && ppn % 2 ** (9 * level) !== 0) return fail(out, pf);
    let flags = lo & 0xff;
    const need = access === Access.Store ? PTE_A | PTE_D : PTE_A;
    // Check permissions as if A/D were already set: setting them is the walker's job.
    if (perm[flags | need] === 0) return fail(out, pf);
    if ((flags & need) !== need) {
      flags |= need;
      if (update) {
        ram.i32[off >> 2] = lo | need;
        onPteWrite?.(off);
      }
    }
    const pageSize = 4096 * 2 ** (9 * level);
    const inPage = va - Math.floor(va / pageSize) * pageSize;
    out.pa = ppn * 4096 + inPage;
    out.flags = flags;
    return true;
  }
  return fail(out, pf);
}

function fail(out: WalkResult, cause: Exc): boolean {
  out.pa = -1;
  out.cause = cause;
  return false;
}

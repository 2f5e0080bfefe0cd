/**
 * Memory accesses off the fast path: physical reads and writes (RAM or a device; nothing
 * there means an access fault for the caller to raise), and the translated slow paths for
 * loads and stores that missed the TLB, touch a device, or straddle a page (done byte by
 * byte, both pages translated before a store writes anything).
 */
import { Access, Exc } from '../types';
import type { Hart } from './hart';

/**
 * Beyond this distance from zero an address is outside Sv39's canonical range and past
 * all physical memory, so the access always faults; and a number may no longer hold the
 * address exactly (register halves + immediate, summed as a double). The fault's xtval
 * must still be the exact address (privileged spec 3.1.16): recompute it from the
 * faulting instruction's rs1 and immediate.
 */
export const INEXACT = 2 ** 52;

export function noteExactAddress(h: Hart): void {
  const pc = BigInt(h.pc);
  const read16 = (va: bigint): number | undefined => {
    const t = h.translate(va, Access.Fetch);
    const o = t.ok ? t.paddr - h.ram.base : -1;
    return o >= 0 && o + 2 <= h.ram.size ? h.ram.u8[o]! | (h.ram.u8[o + 1]! << 8) : undefined;
  };
  const low = read16(pc);
  if (low === undefined) return;
  let raw = low;
  if ((low & 3) === 3) {
    const high = read16(pc + 2n);
    if (high === undefined) return;
    raw = (low | (high << 16)) >>> 0;
  }
  // Decoded through the hart: importing the table here would close an import cycle.
  const f = h.fieldsOf(raw);
  if (!f) return;
  const base = (BigInt(h.x[f.rs1 * 2 + 1]!) << 32n) | BigInt(h.x[f.rs1 * 2]! >>> 0);
  h.exactTval = BigInt.asUintN(64, base + BigInt(f.imm));
}

const PAGE_INV = 1 / 4096;

/** Physical read of 1, 2, 4 or 8 bytes into tmpLo/tmpHi (zero-extended); false if nothing is there. */
export function physRead(h: Hart, pa: number, size: number): boolean {
  const ram = h.ram;
  const o = pa - ram.base;
  if (o >= 0 && o + size <= ram.size) {
    const dv = ram.dv;
    if (size === 1) h.tmpLo = ram.u8[o]!;
    else if (size === 2) h.tmpLo = dv.getUint16(o, true);
    else if (size === 4) h.tmpLo = dv.getInt32(o, true);
    else {
      h.tmpLo = dv.getInt32(o, true);
      h.tmpHi = dv.getInt32(o + 4, true);
    }
    return true;
  }
  if (size === 8) {
    const lo = h.bus.mmioRead(pa, 4);
    const hi = lo === undefined ? undefined : h.bus.mmioRead(pa + 4, 4);
    if (hi === undefined || lo === undefined) return false;
    h.tmpLo = lo | 0;
    h.tmpHi = hi | 0;
    return true;
  }
  const v = h.bus.mmioRead(pa, size as 1 | 2 | 4);
  if (v === undefined) return false;
  h.tmpLo = v | 0;
  return true;
}

/** Physical write; false if nothing is there. */
export function physWrite(h: Hart, pa: number, size: number, lo: number, hi: number): boolean {
  const ram = h.ram;
  const o = pa - ram.base;
  if (o >= 0 && o + size <= ram.size) {
    const dv = ram.dv;
    if (size === 1) ram.u8[o] = lo;
    else if (size === 2) dv.setUint16(o, lo & 0xffff, true);
    else if (size === 4) dv.setInt32(o, lo, true);
    else {
      dv.setInt32(o, lo, true);
      dv.setInt32(o + 4, hi, true);
    }
    const w = h.shared.watch;
    if (w[o >>> 12] !== 0 || w[(o + size - 1) >>> 12] !== 0) h.shared.stored(h.id, o, size);
    return true;
  }
  if (size === 8) return h.bus.mmioWrite(pa, 4, lo) && h.bus.mmioWrite(pa + 4, 4, hi);
  return h.bus.mmioWrite(pa, size as 1 | 2 | 4, lo);
}

/** Any load that missed the fast path: translate, then RAM or a device. False after a trap. */
export function loadSlow(h: Hart, va: number, size: number): boolean {
  if (!(va > -INEXACT && va < INEXACT)) noteExactAddress(h);
  const po = va - Math.floor(va * PAGE_INV) * 4096;
  if (po + size > 4096) {
    // Misaligned across a page: byte by byte, each byte translated (faults report that byte).
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < size; k++) {
      const pa = h.xlate(va + k, Access.Load);
      if (pa < 0) return false;
      if (!physRead(h, pa, 1)) return h.fault(Exc.LoadAccessFault, va + k);
      if (k < 4) lo |= h.tmpLo << (8 * k);
      else hi |= h.tmpLo << (8 * (k - 4));
    }
    h.tmpLo = lo;
    h.tmpHi = hi;
    return true;
  }
  const pa = h.xlate(va, Access.Load);
  if (pa < 0) return false;
  if (!physRead(h, pa, size)) return h.fault(Exc.LoadAccessFault, va);
  return true;
}

export function storeSlow(h: Hart, va: number, size: number, lo: number, hi: number): boolean {
  if (!(va > -INEXACT && va < INEXACT)) noteExactAddress(h);
  const po = va - Math.floor(va * PAGE_INV) * 4096;
  if (po + size > 4096) {
    // Translate both pages before writing anything, so a fault leaves memory unchanged.
    const pa0 = h.xlate(va, Access.Store);
    if (pa0 < 0) return false;
    const pa1 = h.xlate(va + size - 1, Access.Store);
    if (pa1 < 0) return false;
    for (let k = 0; k < size; k++) {
      const pa = h.xlate(va + k, Access.Store);
      const b = k < 4 ? lo >>> (8 * k) : hi >>> (8 * (k - 4));
      if (pa < 0) return false;
      if (!physWrite(h, pa, 1, b & 0xff, 0)) return h.fault(Exc.StoreAccessFault, va + k);
    }
    return true;
  }
  const pa = h.xlate(va, Access.Store);
  if (pa < 0) return false;
  if (!physWrite(h, pa, size, lo, hi)) return h.fault(Exc.StoreAccessFault, va);
  return true;
}

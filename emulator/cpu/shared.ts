/**
 * What the harts of one machine share: mtime, the debugger's breakpoints and trap hook,
 * every hart's LR/SC reservation, and the decoded-instruction cache.
 *
 * Decoded code is kept per physical RAM page (4 KiB): one Int32Array of 2048 slots (one per
 * halfword) of SLOT ints each, filled lazily by the harts (see hart.ts `decodeSlot`). A
 * per-page `watch` byte makes a store cost one typed-array read: bit 0 says the page holds
 * decoded code, bit 1 that some hart holds a
 * reservation in the page (a store there breaks other harts' reservations on the same
 * 8-byte granule; unprivileged spec 8.2 lets a store by another hart clear it). A store
 * over decoded code forgets just the slots it overlaps, so data sharing a page with code
 * (common in small user programs) stays cheap to write.
 */
import type { CpuSharedApi, RamApi, TrapInfo } from '../types';

/** Int32 fields per decoded slot: op, rd*2, rs1*2, rs2*2, imm, length, raw bits, spare. */
export const SLOT = 8;
export const SLOTS_PER_PAGE = 2048;

export const WATCH_CODE = 1;
export const WATCH_RESV = 2;

/** What a hart registers with the shared state so DMA and debugger writes reach it. */
export interface SharedHart {
  readonly id: number;
  codeChanged(): void;
}

export class CpuShared implements CpuSharedApi {
  mtime = 0;
  readonly breakpoints = new Set<number>();
  onTrap: ((t: TrapInfo) => boolean) | undefined = undefined;

  /** Reserved physical 8-byte granule per hart id, or -1. */
  readonly reservation = new Float64Array(64).fill(-1);
  /** Per RAM page: WATCH_CODE | WATCH_RESV. Sized when the first hart attaches. */
  watch = new Uint8Array(0);
  /** Per RAM page: decoded slots, or undefined. */
  pages: (Int32Array | undefined)[] = [];
  private ramBase = 0;
  private readonly harts: SharedHart[] = [];

  /** Called by each hart's constructor. */
  attach(h: SharedHart, ram: RamApi): void {
    if (this.watch.length === 0) {
      const n = Math.ceil(ram.size / 4096);
      this.watch = new Uint8Array(n);
      this.pages = new Array<Int32Array | undefined>(n).fill(undefined);
      this.ramBase = ram.base;
    }
    this.harts.push(h);
  }

  /** Decoded slots of RAM page `p` (page index from the start of RAM), created empty. */
  codePage(p: number): Int32Array {
    let a = this.pages[p];
    if (a === undefined) {
      a = new Int32Array(SLOTS_PER_PAGE * SLOT);
      this.pages[p] = a;
    }
    return a;
  }

  /**
   * A store of `len` bytes at RAM offset `off` touched a watched page (called by the storing
   * hart, `hart` = its id, or -1 for a device or the debugger).
   */
  stored(hart: number, off: number, len: number): void {
    const first = off >>> 12;
    const last = (off + len - 1) >>> 12;
    for (let p = first; p <= last && p < this.watch.length; p++) {
      if (!(this.watch[p]! & WATCH_CODE)) continue;
      const arr = this.pages[p];
      if (arr === undefined) continue;
      // Forget the slots whose instruction overlaps the bytes written: an instruction
      // starting up to 2 bytes before the store (a 32-bit one) through its last byte.
      const lo = Math.max(off - p * 4096 - 2, 0) >> 1;
      const hi = Math.min(off + len - 1 - p * 4096, 4095) >> 1;
      if (hi - lo > 256) arr.fill(0);
      else for (let k = lo; k <= hi; k++) arr[k * SLOT] = 0;
    }
    if (this.watch[first]! & WATCH_RESV || this.watch[last]! & WATCH_RESV) {
      const lo = this.ramBase + off - ((this.ramBase + off) % 8);
      const hi = this.ramBase + off + len;
      for (let h = 0; h < this.harts.length; h++) {
        const id = this.harts[h]!.id;
        const r = this.reservation[id]!;
        if (id !== hart && r >= lo && r < hi) this.reservation[id] = -1;
      }
    }
  }

  /** Drop every decoded page (fence.i, snapshot restore). */
  flushCode(): void {
    for (let p = 0; p < this.watch.length; p++) {
      if (this.watch[p]! & WATCH_CODE) {
        this.pages[p]?.fill(0);
        this.watch[p] = this.watch[p]! & ~WATCH_CODE;
      }
    }
    for (const h of this.harts) h.codeChanged();
  }

  ramWritten(paddr: number, len: number): void {
    if (len <= 0) return;
    const size = this.watch.length * 4096;
    let off = paddr - this.ramBase;
    let end = off + len;
    if (end <= 0 || off >= size) return;
    if (off < 0) off = 0;
    if (end > size) end = size;
    this.stored(-1, off, end - off);
  }
}

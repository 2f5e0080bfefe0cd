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
 *
 * Compiled JIT blocks (jit.ts) are registered here too, by physical page: `blocks[p]` maps
 * a halfword index to the block starting there, `blockLists[p]` lists the page's blocks.
 * A store over a block's bytes, fence.i and restore (flushCode) drop it.
 *
 * Data watchpoints (the debugger's write watches) are physical ranges; bit 2 of `watch`
 * marks their pages, so a store elsewhere costs nothing more. A store instruction of a hart
 * overlapping a range records a WatchHit and asks the hart to stop after that instruction
 * retires (hart.ts `watchStop`); other writers only refresh the range's remembered bytes.
 */
import type { CpuSharedApi, RamApi, TrapInfo, WatchHit } from '../types';
import type { JitBlock } from './jit';
import type { TrapRing } from './trap-ring';

/** Int32 fields per decoded slot: op, rd*2, rs1*2, rs2*2, imm, length, raw bits, spare. */
export const SLOT = 8;
export const SLOTS_PER_PAGE = 2048;

/** Default interpreted executions of an instruction before a JIT block starts there. */
export const JIT_THRESHOLD = 100;
/** onTrapCauses when every exception calls the trap hook. */
const ALL_CAUSES = -1;

export const WATCH_CODE = 1;
export const WATCH_RESV = 2;
export const WATCH_DATA = 4;
/** Largest data watchpoint, in bytes. */
export const WATCH_MAX_LEN = 4096;

/** What a hart registers with the shared state so DMA and debugger writes reach it. */
export interface SharedHart {
  readonly id: number;
  codeChanged(): void;
  /** One of the hart's stores hit a data watchpoint: stop after the current instruction. */
  watchStop(): void;
}

/** A data watchpoint: RAM offset, length, and its bytes as last seen. */
interface DataWatch {
  readonly id: number;
  readonly off: number;
  readonly len: number;
  old: Uint8Array;
}

/**
 * The breakpoint set (virtual pcs), which also counts breakpoints per virtual page and per
 * offset in a page. A compiled block lies in one page, and its instructions sit at the same
 * offsets in every virtual page that maps it: a block none of whose offsets holds a
 * breakpoint anywhere can never hit one, and says so in its `mayHit` flag (kept up to date
 * by CpuShared), so running compiled code costs nothing more while breakpoints are set.
 */
export class BreakpointSet extends Set<number> {
  private readonly perPage = new Map<number, number>();
  /** Breakpoints at each halfword offset of a page, in any page. */
  readonly perOffset = new Uint16Array(SLOTS_PER_PAGE);
  /** Changes with every change of the set (compiled blocks cache their answer by it). */
  generation = 0;
  /** Set on every change; CpuShared refreshes the blocks' flags and clears it. */
  dirty = false;

  override add(pc: number): this {
    if (!this.has(pc)) {
      const p = Math.floor(pc / 4096);
      this.perPage.set(p, (this.perPage.get(p) ?? 0) + 1);
      this.perOffset[(pc % 4096) >> 1]!++;
      this.changed();
    }
    return super.add(pc);
  }

  override delete(pc: number): boolean {
    if (!super.delete(pc)) return false;
    this.changed();
    this.perOffset[(pc % 4096) >> 1]!--;
    const p = Math.floor(pc / 4096);
    const n = this.perPage.get(p)! - 1;
    if (n > 0) this.perPage.set(p, n);
    else this.perPage.delete(p);
    return true;
  }

  override clear(): void {
    this.changed();
    this.perPage.clear();
    this.perOffset.fill(0);
    super.clear();
  }

  /** True when a breakpoint lies in the virtual page of `pc`. */
  onPage(pc: number): boolean {
    return this.perPage.has(Math.floor(pc / 4096));
  }

  private changed(): void {
    this.generation++;
    this.dirty = true;
  }
}

export class CpuShared implements CpuSharedApi {
  mtime = 0;
  readonly breakpoints = new BreakpointSet();
  onTrap: ((t: TrapInfo) => boolean) | undefined = undefined;
  onTrapCauses = ALL_CAUSES;
  onTrapInterrupts = true;
  trapRing: TrapRing | undefined = undefined;
  /** Use the JIT tier (the interpreter alone when false; both give identical executions). */
  jit = true;
  /** Interpreted executions of an instruction before a block starting there is compiled. */
  jitThreshold = JIT_THRESHOLD;
  /** Date.now() after which no block is compiled in this run() (Machine.run's deadline). */
  compileDeadline = Infinity;
  /** Statistics: blocks compiled, block entries, instructions retired in compiled blocks. */
  jitCompiled = 0;
  jitEntries = 0;
  jitRetired = 0;

  /** Reserved physical 8-byte granule per hart id, or -1. */
  readonly reservation = new Float64Array(64).fill(-1);
  /** Per RAM page: WATCH_CODE | WATCH_RESV. Sized when the first hart attaches. */
  watch = new Uint8Array(0);
  /** Per RAM page: decoded slots, or undefined. */
  pages: (Int32Array | undefined)[] = [];
  /** Per RAM page: the compiled block starting at each halfword (created on first use). */
  blocks: ((JitBlock | undefined)[] | undefined)[] = [];
  /** Per RAM page: every live block of the page. */
  private blockLists: (JitBlock[] | undefined)[] = [];
  private ramBase = 0;
  private ram: RamApi | undefined = undefined;
  private readonly harts: SharedHart[] = [];
  private readonly dataWatches: DataWatch[] = [];
  private nextWatchId = 1;
  private watchHit: WatchHit | undefined = undefined;

  /** Called by each hart's constructor. */
  attach(h: SharedHart, ram: RamApi): void {
    if (this.watch.length === 0) {
      const n = Math.ceil(ram.size / 4096);
      this.watch = new Uint8Array(n);
      this.pages = new Array<Int32Array | undefined>(n).fill(undefined);
      this.blocks = new Array<(JitBlock | undefined)[] | undefined>(n).fill(undefined);
      this.blockLists = new Array<JitBlock[] | undefined>(n).fill(undefined);
      this.ramBase = ram.base;
      this.ram = ram;
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

  /** The block table of RAM page `p` (one entry per halfword), created empty. */
  blockPage(p: number): (JitBlock | undefined)[] {
    let a = this.blocks[p];
    if (a === undefined) {
      a = new Array<JitBlock | undefined>(SLOTS_PER_PAGE).fill(undefined);
      this.blocks[p] = a;
    }
    return a;
  }

  addBlock(p: number, b: JitBlock): void {
    b.mayHit = b.atOffsets(this.breakpoints.perOffset);
    const old = this.blockPage(p)[b.startHw];
    if (old !== undefined) old.valid = false;
    this.blockPage(p)[b.startHw] = b;
    let list = this.blockLists[p];
    if (list === undefined) {
      list = [];
      this.blockLists[p] = list;
    }
    list.push(b);
    this.jitCompiled++;
  }

  /**
   * After a change of the breakpoints: every live block's `mayHit` again (run loops call
   * this when `breakpoints.dirty`; a change is rare, a walk over the blocks cheap).
   */
  refreshBreakpointFlags(): void {
    const bps = this.breakpoints;
    bps.dirty = false;
    for (const list of this.blockLists) {
      if (list === undefined) continue;
      for (const b of list) b.mayHit = b.atOffsets(bps.perOffset);
    }
  }

  /** Drop the blocks of page `p` overlapping halfwords [lo, hi] (all of them when lo > hi). */
  private dropBlocks(p: number, lo: number, hi: number): void {
    const list = this.blockLists[p];
    if (list === undefined || list.length === 0) return;
    const table = this.blocks[p]!;
    const all = lo > hi;
    let keep = 0;
    for (let k = 0; k < list.length; k++) {
      const b = list[k]!;
      if (b.valid && !all && (b.endHw <= lo || b.startHw > hi)) {
        list[keep++] = b;
        continue;
      }
      b.valid = false;
      if (table[b.startHw] === b) {
        table[b.startHw] = undefined;
        // Count executions of its first instruction afresh, so the block is compiled again.
        const slots = this.pages[p];
        if (slots !== undefined) slots[b.startHw * SLOT + 7] = 0;
      }
    }
    list.length = keep;
  }

  /**
   * A store of `len` bytes at RAM offset `off` touched a watched page (called by the storing
   * hart, `hart` = its id, or -1 for a device or the debugger). `implicit`: the page walker's
   * A/D update, which is no store instruction (it never stops at a data watchpoint).
   */
  stored(hart: number, off: number, len: number, implicit = false): void {
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
      this.dropBlocks(p, lo, hi);
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
    // A store spans at most two pages unless it is a big device or debugger write.
    if (this.dataWatches.length > 0 && (len > 4096 || (this.watch[first]! | this.watch[last]!) & WATCH_DATA))
      this.dataStored(implicit ? -1 : hart, off, len);
  }

  // ---- Data watchpoints --------------------------------------------------------------

  /** Watch writes to physical [paddr, paddr + len): the new id, or why not. */
  addWatch(paddr: number, len: number): number | string {
    if (!Number.isInteger(len) || len < 1 || len > WATCH_MAX_LEN)
      return `a watched range is 1 to ${WATCH_MAX_LEN} bytes long, not ${len}`;
    const off = paddr - this.ramBase;
    const ram = this.ram;
    if (ram === undefined || !Number.isInteger(paddr) || off < 0 || off + len > ram.size)
      return `physical address 0x${paddr.toString(16)} (${len} bytes) is not in RAM`;
    const id = this.nextWatchId++;
    this.dataWatches.push({ id, off, len, old: ram.u8.slice(off, off + len) });
    this.markWatchPages();
    return id;
  }

  removeWatch(id: number): void {
    const i = this.dataWatches.findIndex((w) => w.id === id);
    if (i < 0) return;
    this.dataWatches.splice(i, 1);
    this.markWatchPages();
  }

  takeWatchHit(): WatchHit | undefined {
    const h = this.watchHit;
    this.watchHit = undefined;
    return h;
  }

  /** Set WATCH_DATA on exactly the pages some data watchpoint covers. */
  private markWatchPages(): void {
    for (let p = 0; p < this.watch.length; p++) this.watch[p] = this.watch[p]! & ~WATCH_DATA;
    for (const w of this.dataWatches) {
      for (let p = w.off >>> 12; p <= (w.off + w.len - 1) >>> 12; p++)
        this.watch[p] = this.watch[p]! | WATCH_DATA;
    }
  }

  /**
   * Bytes [off, off + len) of RAM were written, on a data-watched page. A store by a hart
   * (`hart` >= 0) overlapping a range becomes the pending hit and stops that hart; any
   * writer refreshes the ranges' remembered bytes.
   */
  private dataStored(hart: number, off: number, len: number): void {
    const u8 = this.ram!.u8;
    for (const w of this.dataWatches) {
      if (off >= w.off + w.len || off + len <= w.off) continue;
      const now = u8.slice(w.off, w.off + w.len);
      if (hart >= 0) {
        let hit = this.watchHit;
        if (hit === undefined) {
          hit = { hart, paddr: this.ramBase + off, len, ranges: [] };
          this.watchHit = hit;
          for (const h of this.harts) if (h.id === hart) h.watchStop();
        }
        // A second store before the hit is taken (a unit test driving a hart alone) keeps
        // the first store's address and the first old bytes.
        const r = hit.hart === hart ? hit.ranges.find((x) => x.id === w.id) : undefined;
        if (r !== undefined) r.now = now;
        else if (hit.hart === hart)
          hit.ranges.push({ id: w.id, paddr: this.ramBase + w.off, len: w.len, old: w.old, now });
      }
      w.old = now;
    }
  }

  /** Drop every decoded page (fence.i, snapshot restore). */
  flushCode(): void {
    for (let p = 0; p < this.watch.length; p++) {
      if (this.watch[p]! & WATCH_CODE) {
        this.pages[p]?.fill(0);
        this.dropBlocks(p, 1, 0);
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

/**
 * One RV64IMAC hart: its architectural state, trap entry and return, interrupts, address
 * translation with the TLB, the memory slow paths, and the debugger's side-effect-free
 * view. The instruction loop itself is in exec.ts (`runHart`); CSR semantics in csr.ts;
 * the page walk in mmu.ts.
 *
 * Representation: x[2i] and x[2i+1] are the low and high halves of register i, x[64..65] a
 * sink that writes to x0 land in. The PC and virtual addresses are numbers holding the
 * signed 64-bit value (exact for every Sv39 address and all of physical memory).
 */
import {
  Access,
  Exc,
  Priv,
  type BusApi,
  type HartApi,
  type HartStop,
  type Irq,
  type RamApi,
  type TrapInfo,
  type Translation,
} from '../types';
import {
  Csr,
  MIE,
  MPP_SHIFT,
  MPRV,
  MXR,
  SIE,
  STCE_HI,
  STIP,
  SUM,
  csrExists,
  csrRead,
  csrReadOnly,
  csrWrite,
} from './csr';
import { runHart } from './exec';
import { debugTranslate, restoreHart, snapshotHart } from './hart-state';
import { loadSlow, physRead, physWrite, storeSlow } from './memory';
import { ACCESS_FAULT, ALLOW_ALL, TLB_MASK, Tlb, permTable, walk, type WalkResult } from './mmu';
import { SLOT, SLOTS_PER_PAGE, WATCH_CODE, type CpuShared, type BreakpointSet } from './shared';
import { compileBlock, runBlocks, type JitBlock } from './jit';
import { mret, sret, takeTrap } from './trap';
import { decodeInto, lookup, type Fields } from './table';

/** Executions before a compile put off by the run's deadline is tried again. */
const RETRY_COMPILE = 16;

const TWO32 = 4294967296;
/** 1/4096: multiplying by it is exact and cheaper than dividing. */
const PAGE_INV = 1 / 4096;
/** Interrupt priority for taking (privileged spec 3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
const IRQ_ORDER = [11, 3, 7, 9, 1, 5];
/** The block table before the first fetch page is entered: never holds a block. */
const NO_BLOCKS = new Array<JitBlock | undefined>(SLOTS_PER_PAGE).fill(undefined);

export class Hart implements HartApi {
  /** The privilege, written directly by trap entry/return (trap.ts). */
  curPriv: Priv = Priv.M;
  /** Current privilege; assigning it (the machine, the debugger) re-derives translation. */
  get priv(): Priv {
    return this.curPriv;
  }
  set priv(p: Priv) {
    this.curPriv = p;
    this.updateContext();
    this.irqDirty = true;
    this.attention = true;
  }
  instret = 0;
  waiting = false;
  stopReason: HartStop = null;
  lastTrap: TrapInfo | undefined = undefined;

  /** Registers as halves; 64/65 is the x0 sink. */
  readonly x = new Int32Array(66);
  pc = 0;
  /** Plain CSR storage, lo at 2*n, hi at 2*n + 1 (see csr.ts). */
  readonly csr = new Int32Array(8192);
  /** mip bits driven by devices (MEIP, SEIP, MTIP, MSIP). */
  lines = 0;
  /** mip bits written by software (SSIP, STIP without Sstc, SEIP). */
  mipSw = 0;
  /** Results of CSR reads and memory slow paths. */
  tmpLo = 0;
  tmpHi = 0;

  // Translation context (updateContext).
  readonly svTlb = new Tlb();
  readonly bareTlb = new Tlb();
  itlb: Tlb;
  dtlb: Tlb;
  permR: Uint8Array = ALLOW_ALL;
  permW: Uint8Array = ALLOW_ALL;
  permX: Uint8Array = ALLOW_ALL;
  /** Effective privilege of loads and stores (MPRV). */
  dataPriv: Priv = Priv.M;

  // Fetch: the decoded page the pc is in.
  /** Virtual address of the current fetch page; NaN forces a new translation. */
  fetchBase = NaN;
  code: Int32Array;
  /** RAM offset of the current fetch page. */
  codeOff = 0;
  /** The JIT blocks of the current fetch page, by halfword (shared.ts). */
  jitBlocks: (JitBlock | undefined)[] = NO_BLOCKS;
  /** Where decodeHere() left the slot to execute (the page's array or a scratch one). */
  execArr: Int32Array;
  execBase = 0;
  private readonly scratch = new Int32Array(SLOT);

  /** Set when the run loop must look at irqDirty / stopReq before the next instruction. */
  attention = true;
  /**
   * The exact faulting address for the next exception's xtval, when the access address
   * could not be held exactly in a number (beyond 2^52; see memory.ts). Rarely set.
   */
  exactTval: bigint | undefined = undefined;

  /** Operand fields of an instruction word (for the rare paths that re-decode one). */
  fieldsOf(raw: number): Fields | null | undefined {
    return lookup(raw)?.fields(raw);
  }
  irqDirty = true;
  stopReq = false;
  /** A data watchpoint was hit (watchStop): stop at the next service(). */
  watchReq = false;
  skipBp = false;

  readonly ram: RamApi;
  private readonly walkOut: WalkResult = { pa: 0, flags: 0, cause: Exc.LoadPageFault };

  constructor(
    readonly id: number,
    readonly bus: BusApi,
    readonly shared: CpuShared,
  ) {
    this.ram = bus.ram;
    this.itlb = this.bareTlb;
    this.dtlb = this.bareTlb;
    this.code = this.scratch;
    this.execArr = this.scratch;
    shared.attach(this, bus.ram);
    this.reset();
  }

  private reset(): void {
    this.x.fill(0);
    this.csr.fill(0);
    this.curPriv = Priv.M;
    this.pc = 0;
    this.lines = 0;
    this.mipSw = 0;
    this.waiting = false;
    this.shared.reservation[this.id] = -1;
    this.updateContext();
  }

  // ---- Running -------------------------------------------------------------------------

  run(n: number): number {
    const r = runHart(this, n);
    // A data watchpoint hit by the budget's last instruction stops the run all the same.
    if (this.watchReq && this.stopReason === null) {
      this.watchReq = false;
      this.stopReason = 'watch';
    }
    return r;
  }

  /** A store of this hart hit a data watchpoint (shared.ts): stop before the next instruction. */
  watchStop(): void {
    this.watchReq = true;
    this.attention = true;
  }

  skipBreakpointOnce(): void {
    this.skipBp = true;
  }

  /**
   * Called by the run loop when `attention` is set: 1 to stop the run (the trap hook asked),
   * 2 when an interrupt was just taken, 0 to go on.
   */
  service(): number {
    this.attention = false;
    // First, so the stop shows the state right after the store (pc at the next instruction).
    if (this.watchReq) {
      this.watchReq = false;
      this.stopReason = 'watch';
      return 1;
    }
    let took = false;
    if (this.irqDirty) {
      this.irqDirty = false;
      took = this.takeInterrupt();
    }
    if (this.stopReq) {
      this.stopReq = false;
      this.stopReason = 'trap-hook';
      return 1;
    }
    return took ? 2 : 0;
  }

  // ---- Interrupts (privileged spec 3.1.6.1, 3.1.9) -------------------------------------

  /** Sstc's timer: STIP = mtime >= stimecmp while menvcfg.STCE is set. */
  private sstcPending(): boolean {
    const c = this.csr;
    if (!(c[Csr.menvcfg * 2 + 1]! & STCE_HI)) return false;
    const cmp = (c[Csr.stimecmp * 2 + 1]! >>> 0) * TWO32 + (c[Csr.stimecmp * 2]! >>> 0);
    return this.shared.mtime >= cmp;
  }

  /** mip as software reads it. */
  mip(): number {
    const c = this.csr;
    const sstc = (c[Csr.menvcfg * 2 + 1]! & STCE_HI) !== 0;
    let v = this.lines | (sstc ? this.mipSw & ~STIP : this.mipSw);
    if (sstc && this.sstcPending()) v |= STIP;
    return v;
  }

  /** The interrupt to take now, or -1. */
  pendingInterrupt(): number {
    const c = this.csr;
    const pend = this.mip() & c[Csr.mie * 2]!;
    if (pend === 0) return -1;
    const deleg = c[Csr.mideleg * 2]!;
    const ms = c[Csr.mstatus * 2]!;
    const p = this.priv;
    const toM = pend & ~deleg;
    if (toM !== 0 && (p < Priv.M || ms & MIE)) {
      for (const i of IRQ_ORDER) if (toM & (1 << i)) return i;
    }
    const toS = pend & deleg;
    if (toS !== 0 && (p < Priv.S || (p === Priv.S && ms & SIE))) {
      for (const i of IRQ_ORDER) if (toS & (1 << i)) return i;
    }
    return -1;
  }

  private takeInterrupt(): boolean {
    const i = this.pendingInterrupt();
    if (i < 0) return false;
    this.waiting = false;
    this.trap(i, 0, true);
    return true;
  }

  irqChanged(): void {
    this.irqDirty = true;
    this.attention = true;
    // privileged spec 3.3.3: wfi resumes when any enabled interrupt is pending, whatever
    // the global enables.
    if (this.waiting && (this.mip() & this.csr[Csr.mie * 2]!) !== 0) this.waiting = false;
  }

  setInterruptLine(irq: Irq, level: boolean): void {
    const bit = 1 << irq;
    const v = level ? this.lines | bit : this.lines & ~bit;
    if (v !== this.lines) {
      this.lines = v;
      this.irqChanged();
    }
  }

  timeChanged(): void {
    if (this.csr[Csr.menvcfg * 2 + 1]! & STCE_HI) this.irqChanged();
  }

  nextTimerDeadline(): number {
    const c = this.csr;
    if (!(c[Csr.menvcfg * 2 + 1]! & STCE_HI)) return Infinity;
    return (c[Csr.stimecmp * 2 + 1]! >>> 0) * TWO32 + (c[Csr.stimecmp * 2]! >>> 0);
  }

  // ---- Traps (privileged spec 3.1.6.1, 3.3.1, 4.1.1) -----------------------------------

  csrNum(csr: number): number {
    return this.csr[csr * 2 + 1]! * TWO32 + (this.csr[csr * 2]! >>> 0);
  }

  /**
   * Take a trap at the current pc: exception `cause` (or interrupt number) with `tval`
   * (see trap.ts).
   */
  trap(cause: number, tval: number, interrupt: boolean): void {
    takeTrap(this, cause, tval, interrupt);
  }

  /** mret; false (illegal-instruction taken) outside M. */
  mret(raw: number): boolean {
    return mret(this, raw);
  }

  /** sret; false (illegal-instruction taken) in U or under TSR. */
  sret(raw: number): boolean {
    return sret(this, raw);
  }

  /** Raise illegal-instruction with the instruction bits in xtval (as QEMU 7.2); returns false. */
  illegal(raw: number): false {
    this.trap(Exc.IllegalInstr, raw >>> 0, false);
    return false;
  }

  // ---- Translation context -------------------------------------------------------------

  /** Recompute TLB and permission tables after a change of privilege, mstatus or satp. */
  updateContext(): void {
    const c = this.csr;
    const ms = c[Csr.mstatus * 2]!;
    const sv39 = c[Csr.satp * 2 + 1]! >>> 28 === 8;
    const p = this.priv;
    const dp: Priv = ms & MPRV && p === Priv.M ? (ms >>> MPP_SHIFT) & 3 : p;
    this.dataPriv = dp;
    const sum = (ms & SUM) !== 0;
    const mxr = (ms & MXR) !== 0;
    if (sv39 && p < Priv.M) {
      this.itlb = this.svTlb;
      this.permX = permTable(Access.Fetch, p, sum, mxr);
    } else {
      this.itlb = this.bareTlb;
      this.permX = ALLOW_ALL;
    }
    if (sv39 && dp < Priv.M) {
      this.dtlb = this.svTlb;
      this.permR = permTable(Access.Load, dp, sum, mxr);
      this.permW = permTable(Access.Store, dp, sum, mxr);
    } else {
      this.dtlb = this.bareTlb;
      this.permR = ALLOW_ALL;
      this.permW = ALLOW_ALL;
    }
    this.fetchBase = NaN;
  }

  /** After a CSR write by the guest or the debugger. */
  csrChanged(csr: number): void {
    if (csr === Csr.satp) this.svTlb.flush();
    if (csr === Csr.satp || csr === Csr.mstatus || csr === Csr.sstatus) this.updateContext();
    this.irqChanged();
  }

  flushTlb(): void {
    this.svTlb.flush();
    this.fetchBase = NaN;
  }

  codeChanged(): void {
    this.fetchBase = NaN;
  }

  /**
   * Translate `va` for `access` in the current context, filling the TLB; -1 after taking
   * the fault (page fault, or access fault when the walk leaves RAM).
   */
  xlate(va: number, access: Access): number {
    const tlb = access === Access.Fetch ? this.itlb : this.dtlb;
    const perm = access === Access.Fetch ? this.permX : access === Access.Load ? this.permR : this.permW;
    const vpn = Math.floor(va * PAGE_INV);
    const i = vpn & TLB_MASK;
    if (tlb.tag[i] === vpn && perm[tlb.flags[i]!] === 1) return tlb.pa[i]! + (va - vpn * 4096);
    if (tlb === this.bareTlb) {
      // Bare: identity. A negative number is an address >= 2^63: nothing is there.
      if (va < 0) {
        this.trap(ACCESS_FAULT[access]!, va, false);
        return -1;
      }
      tlb.fill(vpn, 0xff, vpn * 4096, this.ram);
      return va;
    }
    const root = (this.csr[Csr.satp * 2]! >>> 0) * 4096 + (this.csr[Csr.satp * 2 + 1]! & 0xfff) * 2 ** 44;
    const w = this.walkOut;
    if (!walk(this.ram, root, va, access, perm, true, w, (off) => this.pteWritten(off))) {
      this.trap(w.cause, va, false);
      return -1;
    }
    tlb.fill(vpn, w.flags, w.pa - (w.pa % 4096), this.ram);
    return w.pa;
  }

  private pteWritten(off: number): void {
    if (this.shared.watch[off >>> 12] !== 0) this.shared.stored(this.id, off, 8, true);
  }

  // ---- Memory fast-path helpers (used by exec.ts) --------------------------------------

  /** RAM offset for a load of `size` bytes at `va` on a TLB hit within one page, else -1. */
  ldOff(va: number, size: number): number {
    const vpn = Math.floor(va * PAGE_INV);
    const t = this.dtlb;
    const i = vpn & TLB_MASK;
    if (t.tag[i] !== vpn || this.permR[t.flags[i]!] !== 1) return -1;
    const po = va - vpn * 4096;
    const o = t.off[i]!;
    if (po > 4096 - size || o < 0) return -1;
    return o + po;
  }

  /** As ldOff, for a store (the entry's D bit must be set: permW requires it). */
  stOff(va: number, size: number): number {
    const vpn = Math.floor(va * PAGE_INV);
    const t = this.dtlb;
    const i = vpn & TLB_MASK;
    if (t.tag[i] !== vpn || this.permW[t.flags[i]!] !== 1) return -1;
    const po = va - vpn * 4096;
    const o = t.off[i]!;
    if (po > 4096 - size || o < 0) return -1;
    return o + po;
  }

  physRead(pa: number, size: number): boolean {
    return physRead(this, pa, size);
  }

  physWrite(pa: number, size: number, lo: number, hi: number): boolean {
    return physWrite(this, pa, size, lo, hi);
  }

  loadSlow(va: number, size: number): boolean {
    return loadSlow(this, va, size);
  }

  storeSlow(va: number, size: number, lo: number, hi: number): boolean {
    return storeSlow(this, va, size, lo, hi);
  }

  fault(cause: Exc, va: number): false {
    this.trap(cause, va, false);
    return false;
  }

  // ---- Fetch and decode ----------------------------------------------------------------

  /** The pc left the current fetch page: translate it. False after taking a fetch fault. */
  enterPage(pc: number): boolean {
    const pa = this.xlate(pc, Access.Fetch);
    if (pa < 0) return false;
    const o = pa - this.ram.base;
    if (o < 0 || o >= this.ram.size) return this.fault(Exc.InstrAccessFault, pc);
    const page = o >>> 12;
    this.code = this.shared.codePage(page);
    this.jitBlocks = this.shared.blockPage(page);
    this.codeOff = page * 4096;
    this.fetchBase = pc - (pc - Math.floor(pc / 4096) * 4096);
    return true;
  }

  /**
   * Decode the instruction at byte `off` of the current fetch page into its slot (or, for
   * a 32-bit instruction straddling two pages, into a scratch slot, every time). Returns
   * the op, or -1 after a fetch fault on the second page.
   */
  decodeHere(off: number): number {
    const ram = this.ram;
    const o = this.codeOff + off;
    let insn = ram.u16[o >> 1]!;
    let arr = this.code;
    let base = off * 4;
    if ((insn & 3) === 3) {
      if (off === 4094) {
        const pc2 = this.pc + 2;
        const pa = this.xlate(pc2, Access.Fetch);
        if (pa < 0) return -1;
        const o2 = pa - ram.base;
        if (o2 < 0 || o2 >= ram.size) {
          this.fault(Exc.InstrAccessFault, pc2);
          return -1;
        }
        insn |= ram.u16[o2 >> 1]! << 16;
        arr = this.scratch;
        base = 0;
      } else {
        insn |= ram.u16[(o >> 1) + 1]! << 16;
      }
    }
    decodeInto(arr, base, insn);
    if (arr !== this.scratch) this.shared.watch[o >>> 12] = this.shared.watch[o >>> 12]! | WATCH_CODE;
    this.execArr = arr;
    this.execBase = base;
    return arr[base]!;
  }

  /** The JIT: compile the block starting at byte `off` of the current fetch page. */
  compileAt(off: number): void {
    // Past the caller's deadline, keep interpreting: compiling is the slow part of the JIT,
    // and a burst of it must not hold the host's event loop. The count goes back a little,
    // so the block is tried again soon (in the next run, once the deadline is new).
    if (Date.now() > this.shared.compileDeadline) {
      this.code[(off << 2) + 7] = Math.max(0, this.shared.jitThreshold - RETRY_COMPILE);
      return;
    }
    compileBlock(this, off);
  }

  /** The JIT: run compiled blocks from `b` (jit.ts); the steps used. */
  runBlocks(b: JitBlock, pc: number, max: number, bps: BreakpointSet): number {
    return runBlocks(this, b, pc, max, bps);
  }

  // ---- Debugger access (no side effects) -----------------------------------------------

  getPc(): bigint {
    return BigInt.asUintN(64, BigInt(this.pc));
  }

  setPc(pc: bigint): void {
    this.pc = Number(BigInt.asIntN(64, pc));
    this.waiting = false;
  }

  getReg(i: number): bigint {
    if (i <= 0 || i > 31) return 0n;
    return (BigInt(this.x[2 * i + 1]! >>> 0) << 32n) | BigInt(this.x[2 * i]! >>> 0);
  }

  setReg(i: number, v: bigint): void {
    if (i <= 0 || i > 31) return;
    const u = BigInt.asUintN(64, v);
    this.x[2 * i] = Number(u & 0xffffffffn);
    this.x[2 * i + 1] = Number(u >> 32n);
  }

  readCsr(csr: number): bigint | undefined {
    if (!csrRead(this, csr)) return undefined;
    return (BigInt(this.tmpHi >>> 0) << 32n) | BigInt(this.tmpLo >>> 0);
  }

  writeCsr(csr: number, v: bigint): boolean {
    if (!csrExists(csr) || csrReadOnly(csr)) return false;
    const u = BigInt.asUintN(64, v);
    return csrWrite(this, csr, Number(u & 0xffffffffn), Number(u >> 32n));
  }

  translate(va: bigint, access: Access, satp?: bigint): Translation {
    return debugTranslate(this, va, access, satp);
  }

  // ---- Snapshot ------------------------------------------------------------------------

  snapshot(): unknown {
    return snapshotHart(this);
  }

  restore(state: unknown): void {
    restoreHart(this, state);
  }
}

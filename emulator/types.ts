/**
 * The contracts between the blocks of the machine: what a device looks like to the bus,
 * what the bus and a hart offer each other, and the typed reasons a run stops for. The
 * CPU (cpu/), the devices (devices/) and the machine (machine.ts) are written against
 * these, so each can be built and tested alone.
 *
 * Representation of 64-bit quantities: hot paths never use BigInt. An address or PC is a
 * JavaScript number holding the signed 64-bit value (exact while |v| < 2^53, which covers
 * every Sv39 address and all of physical memory); register contents are pairs of 32-bit
 * halves. Debugger-facing accessors, which are off the hot path, use bigint for clarity.
 */
import type { TrapRing } from './cpu/trap-ring';

/** A memory-mapped device as the bus sees it. Offsets are relative to the device's base. */
export interface Device {
  readonly name: string;
  /** Read `size` bytes (1, 2 or 4) at `offset`; returns the zero-extended value. */
  read(offset: number, size: 1 | 2 | 4): number;
  /** Write the low `size` bytes of `value` at `offset`. */
  write(offset: number, size: 1 | 2 | 4, value: number): void;
  /** Serializable device state (plain data: numbers, strings, arrays, typed arrays). */
  snapshot(): unknown;
  restore(state: unknown): void;
}

/** Privilege levels (privileged spec 1.2). */
export const enum Priv {
  U = 0,
  S = 1,
  M = 3,
}

/** Exception codes (privileged spec 3.1.15, table 3.6). */
export const enum Exc {
  InstrMisaligned = 0,
  InstrAccessFault = 1,
  IllegalInstr = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallU = 8,
  EcallS = 9,
  EcallM = 11,
  InstrPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,
}

/** Interrupt numbers, i.e. bit positions in mip/mie (privileged spec 3.1.9). */
export const enum Irq {
  SSoft = 1,
  MSoft = 3,
  STimer = 5,
  MTimer = 7,
  SExt = 9,
  MExt = 11,
}

/** A trap as it is taken: reported to the machine's trap hook. */
export interface TrapInfo {
  hart: number;
  /** True for an interrupt, false for an exception. */
  interrupt: boolean;
  /** Exception code or interrupt number (without the interrupt bit). */
  cause: number;
  /** xtval as written (bigint: it may be any 64-bit value). */
  tval: bigint;
  /** The PC of the trapping instruction (xepc). */
  epc: bigint;
  /** Privilege the trap was taken from. */
  fromPriv: Priv;
  /** Privilege the trap is taken into (M or S). */
  toPriv: Priv;
  /** Instructions retired by this hart before the trap. */
  instret: number;
}

/** Why Machine.run() returned. */
export type StopReason =
  | { kind: 'budget' } // the instruction budget was spent
  | { kind: 'breakpoint'; hart: number; pc: bigint } // a hart is about to execute a breakpoint PC
  | { kind: 'step'; hart: number } // single step done
  | { kind: 'trap'; hart: number; trap: TrapInfo } // the trap hook asked to stop (state: after trap entry)
  | { kind: 'idle' } // every hart waits in wfi and no timer or device event can wake one
  | { kind: 'poweroff'; code: number } // the guest wrote the test finisher (code 0 = pass)
  | { kind: 'reboot' }
  | { kind: 'htif'; code: number } // --htif mode: the program wrote tohost (exit code = tohost >> 1)
  | { kind: 'pause' } // Machine.requestPause() was called
  | { kind: 'watchpoint'; hart: number; hit: WatchHit }; // a store hit a watched range (state: after the store)

/** One watched range a store overlapped, with its bytes before and after the store. */
export interface WatchHitRange {
  /** The id Machine.addWatchpoint gave. */
  id: number;
  /** Physical start and length of the watched range. */
  paddr: number;
  len: number;
  /** The range's bytes before (as last seen) and after the store. */
  old: Uint8Array;
  now: Uint8Array;
}

/**
 * A data watchpoint hit: a store instruction of `hart` (a store, SC or AMO, by the
 * interpreter or the JIT) wrote bytes overlapping watched physical ranges. The hart stopped
 * after the instruction retired: its pc is the next instruction, as after a gdb watchpoint.
 */
export interface WatchHit {
  hart: number;
  /** Physical address and size of the store. */
  paddr: number;
  len: number;
  ranges: WatchHitRange[];
}

/** Access kinds, for translation and permission checks. */
export const enum Access {
  Fetch = 0,
  Load = 1,
  Store = 2,
}

/** RAM as the CPU reaches it directly (little-endian host assumed and checked at start-up). */
export interface RamApi {
  readonly base: number;
  readonly size: number;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly dv: DataView;
}

/** What a hart needs from the bus: RAM for the fast path, devices for the rest. */
export interface BusApi {
  readonly ram: RamApi;
  /** Device read; `undefined` when nothing is mapped there (the CPU raises an access fault). */
  mmioRead(paddr: number, size: 1 | 2 | 4): number | undefined;
  /** Device write; false when nothing is mapped there. */
  mmioWrite(paddr: number, size: 1 | 2 | 4, value: number): boolean;
}

/**
 * State every hart of one machine shares (created by the machine, passed to each hart).
 * - `mtime`: the current value of the CLINT's mtime (also the `time` CSR).
 * - `breakpoints`: virtual PCs (signed-64 numbers) at which a hart stops before executing.
 * - `onTrap`: called on each trap taken when set (exceptions whose code has its bit in
 *   `onTrapCauses`, interrupts when `onTrapInterrupts`; both default to all); returning
 *   true stops the run after trap entry.
 * - `trapRing`: when set, every trap taken is recorded there (trap-ring.ts), hook or not.
 * - `ramWritten(paddr, len)`: a device (DMA) or the debugger wrote RAM; harts drop decoded
 *   code and LR/SC reservations covering it.
 */
export interface CpuSharedApi {
  mtime: number;
  readonly breakpoints: Set<number>;
  onTrap: ((t: TrapInfo) => boolean) | undefined;
  /** Exception codes (bit n: code n) and interrupts that call `onTrap` (the CPU's have them). */
  onTrapCauses?: number;
  onTrapInterrupts?: boolean;
  trapRing?: TrapRing | undefined;
  ramWritten(paddr: number, len: number): void;
  /**
   * Data watchpoints (optional: the built-in CPU has them, test fakes need not). A store by
   * a hart overlapping a watched physical range [paddr, paddr + len) inside RAM stops that
   * hart after the store (HartStop 'watch'); writes by devices (DMA), by the debugger and
   * the page walker's A/D updates only refresh the remembered old bytes. addWatch returns
   * the new watchpoint's id, or a one-line error when the range is not in RAM.
   */
  addWatch?(paddr: number, len: number): number | string;
  removeWatch?(id: number): void;
  /** The hit that stopped a hart (then forgotten). */
  takeWatchHit?(): WatchHit | undefined;
}

/** Result of a side-effect-free translation for the debugger. */
export type Translation = { ok: true; paddr: number } | { ok: false; cause: Exc };

/** Why Hart.run() returned early (null: ran its whole budget). */
export type HartStop = null | 'wfi' | 'breakpoint' | 'trap-hook' | 'watch';

/** The hart as the machine drives it (implemented by cpu/hart.ts). */
export interface HartApi {
  readonly id: number;
  priv: Priv;
  /** Instructions retired. */
  instret: number;
  /** True while stopped in wfi waiting for an interrupt. */
  readonly waiting: boolean;
  /** Why the last run() returned early; the trap for 'trap-hook'. */
  readonly stopReason: HartStop;
  readonly lastTrap: TrapInfo | undefined;
  /**
   * Execute up to `n` instructions; returns how many were retired (a trap entry counts as
   * retiring nothing). Returns early on wfi, on reaching a breakpoint PC (the instruction
   * there is not executed; `skipBreakpointOnce()` lets the next run execute it), or when
   * the trap hook asks to stop.
   */
  run(n: number): number;
  skipBreakpointOnce(): void;
  /** Level of an interrupt line driven by a device (MEIP, SEIP from the PLIC; MTIP, MSIP from the CLINT). */
  setInterruptLine(irq: Irq, level: boolean): void;
  /** mtime changed: update Sstc's STIP and wake from wfi if an interrupt became pending. */
  timeChanged(): void;
  /** The mtime at which this hart's own timer (Sstc stimecmp) fires, or Infinity. */
  nextTimerDeadline(): number;

  // Debugger access: no side effects on TLB, A/D bits, reservations or devices.
  getPc(): bigint;
  setPc(pc: bigint): void;
  getReg(i: number): bigint;
  setReg(i: number, v: bigint): void;
  /** undefined for a CSR that does not exist. */
  readCsr(csr: number): bigint | undefined;
  writeCsr(csr: number, v: bigint): boolean;
  /** Translate through `satp` (default: the hart's own) for the hart's current privilege. */
  translate(va: bigint, access: Access, satp?: bigint): Translation;

  snapshot(): unknown;
  restore(state: unknown): void;
}

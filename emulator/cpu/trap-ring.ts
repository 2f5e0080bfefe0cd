/**
 * A ring of the latest traps the harts took, kept as numbers in typed arrays. A debugger
 * shows the recent traps at every stop, so every trap is recorded; a guest takes tens of
 * thousands a second, and recording one is a few stores here, where building a TrapInfo
 * (two bigints) and calling out for each cost the run loop a measurable share of its time
 * and the garbage collector the rest. Traps are numbered from 0 in the order taken; the
 * ring holds the latest `size`. Beside the trap itself it keeps what says later whose trap
 * it was: the low word of satp (the page-table root's PPN, privileged spec 4.1.11) and
 * the stack pointer, which the debugger matches against the kernel's process table.
 */
import type { Priv, TrapInfo } from '../types';

/** Bits of the `bits` field: interrupt, the privilege taken from and into, tval exact. */
const INTERRUPT = 1;
const FROM_SHIFT = 1;
const TO_SHIFT = 3;
const EXACT = 32;

export class TrapRing {
  /** Traps recorded so far: the newest is number `total - 1`. */
  total = 0;
  private readonly hart: Int32Array;
  private readonly cause: Int32Array;
  private readonly bits: Uint8Array;
  private readonly instret: Float64Array;
  /** xtval and xepc as the hart holds them (numbers, possibly negative: see `get`). */
  private readonly tval: Float64Array;
  private readonly epc: Float64Array;
  /** xtval where it needed all 64 bits (the EXACT bit says so). */
  private readonly exact: BigUint64Array;
  /** satp bits 31..0 (PPN[31:0]: every root below 2^44) and sp, both as the hart held them. */
  private readonly satpLo: Int32Array;
  private readonly sp: Float64Array;

  constructor(readonly size: number) {
    this.hart = new Int32Array(size);
    this.cause = new Int32Array(size);
    this.bits = new Uint8Array(size);
    this.instret = new Float64Array(size);
    this.tval = new Float64Array(size);
    this.epc = new Float64Array(size);
    this.exact = new BigUint64Array(size);
    this.satpLo = new Int32Array(size);
    this.sp = new Float64Array(size);
  }

  /** Record a trap (the hot path: no allocation). */
  record(
    hart: number,
    interrupt: boolean,
    cause: number,
    tval: number,
    exact: bigint | undefined,
    epc: number,
    from: Priv,
    to: Priv,
    instret: number,
    satpLo: number,
    sp: number,
  ): void {
    const i = this.total % this.size;
    this.total++;
    this.satpLo[i] = satpLo;
    this.sp[i] = sp;
    this.hart[i] = hart;
    this.cause[i] = cause;
    this.instret[i] = instret;
    this.tval[i] = tval;
    this.epc[i] = epc;
    let bits = (interrupt ? INTERRUPT : 0) | (from << FROM_SHIFT) | (to << TO_SHIFT);
    if (exact !== undefined) {
      this.exact[i] = exact;
      bits |= EXACT;
    }
    this.bits[i] = bits;
  }

  /** The oldest trap number still held. */
  oldest(): number {
    return Math.max(0, this.total - this.size);
  }

  /** Trap number `n`, or undefined when it is not held (overwritten, or not yet taken). */
  get(n: number): TrapInfo | undefined {
    if (!Number.isInteger(n) || n < this.oldest() || n >= this.total) return undefined;
    const i = n % this.size;
    const bits = this.bits[i]!;
    return {
      hart: this.hart[i]!,
      interrupt: (bits & INTERRUPT) !== 0,
      cause: this.cause[i]!,
      tval: bits & EXACT ? this.exact[i]! : BigInt.asUintN(64, BigInt(this.tval[i]!)),
      epc: BigInt.asUintN(64, BigInt(this.epc[i]!)),
      fromPriv: ((bits >> FROM_SHIFT) & 3) as Priv,
      toPriv: ((bits >> TO_SHIFT) & 3) as Priv,
      instret: this.instret[i]!,
    };
  }

  /**
   * Where trap `n` was taken: the physical address of the page-table root satp selected
   * (Sv39 PPN * 4096; 0 when satp was 0) and sp as a signed number, or undefined when the
   * trap is not held.
   */
  context(n: number): { root: number; sp: number } | undefined {
    if (!Number.isInteger(n) || n < this.oldest() || n >= this.total) return undefined;
    const i = n % this.size;
    return { root: (this.satpLo[i]! >>> 0) * 4096, sp: this.sp[i]! };
  }

  /** Traps numbered `from` up to the newest that are still held, oldest first. */
  since(from: number): TrapInfo[] {
    const out: TrapInfo[] = [];
    for (let n = Math.max(from, this.oldest()); n < this.total; n++) out.push(this.get(n)!);
    return out;
  }
}

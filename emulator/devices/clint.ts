/**
 * CLINT, the core-local interruptor of QEMU's `virt` board (SiFive layout, described as
 * the MSWI + MTIMER pair in the RISC-V ACLINT spec): per hart a software-interrupt bit
 * msip (+4*hart) and a timer compare register mtimecmp (+0x4000 + 8*hart), and one
 * shared mtime (+0xbff8).
 *
 * ACLINT spec 2.2/3.2: MTIP of a hart is pending while mtime >= its mtimecmp (unsigned),
 * and msip bit 0 drives MSIP. Only the low bit of msip is writable. The registers are
 * 32 bits wide; a 64-bit access reaches us as two 32-bit ones, low half first. mtime
 * itself belongs to the machine (the `time` CSR reads the same value), so the CLINT
 * reads and writes it through its host.
 *
 * Reset: mtime = 0 and mtimecmp = 0, as on QEMU 7.2 (the ACLINT spec leaves mtimecmp
 * unknown), so MTIP is pending from the start; a kernel writes mtimecmp before it enables
 * MTIE. Checked on qemu-system-riscv64 7.2: mip reads 0x80 before any mtimecmp write.
 */
import { Irq, type Device } from '../types';

export interface ClintHost {
  readonly hartCount: number;
  getTime(): number;
  /** The guest wrote mtime. */
  setTime(t: number): void;
  setLine(hart: number, irq: Irq, level: boolean): void;
}

const TIMECMP = 0x4000;
const MTIME = 0xbff8;
const TWO32 = 0x1_0000_0000;

interface ClintState {
  msip: number[];
  cmpLo: number[];
  cmpHi: number[];
}

export class Clint implements Device {
  readonly name = 'clint';
  private readonly n: number;
  private readonly msip: Uint8Array;
  private readonly cmpLo: Uint32Array;
  private readonly cmpHi: Uint32Array;
  /** Levels last driven, to call the hart only on a change. */
  private readonly mtip: Uint8Array;

  constructor(private readonly host: ClintHost) {
    this.n = host.hartCount;
    this.msip = new Uint8Array(this.n);
    this.cmpLo = new Uint32Array(this.n);
    this.cmpHi = new Uint32Array(this.n);
    this.mtip = new Uint8Array(this.n);
  }

  /** mtimecmp of `hart` as a number (exact below 2^53; larger values only compare as "far"). */
  mtimecmp(hart: number): number {
    return this.cmpHi[hart]! * TWO32 + this.cmpLo[hart]!;
  }

  /**
   * The earliest mtimecmp later than `now`, or Infinity. A compare value at or beyond
   * 2^53 ticks (kernels write all ones to mean "no timer") is never reached: Infinity.
   */
  nextDeadline(now: number): number {
    let best = Infinity;
    for (let h = 0; h < this.n; h++) {
      const c = this.mtimecmp(h);
      if (c > now && c < best && c <= Number.MAX_SAFE_INTEGER) best = c;
    }
    return best;
  }

  /** Re-evaluate MTIP for every hart against the current mtime (call after a time change). */
  update(force = false): void {
    const now = this.host.getTime();
    for (let h = 0; h < this.n; h++) {
      const level = now >= this.mtimecmp(h) ? 1 : 0;
      if (force || level !== this.mtip[h]) {
        this.mtip[h] = level;
        this.host.setLine(h, Irq.MTimer, level === 1);
      }
    }
  }

  private readWord(off: number): number {
    if (off < TIMECMP) {
      const h = off >> 2;
      return h < this.n ? this.msip[h]! : 0;
    }
    if (off >= TIMECMP && off < TIMECMP + 8 * this.n) {
      const h = (off - TIMECMP) >> 3;
      return off & 4 ? this.cmpHi[h]! : this.cmpLo[h]!;
    }
    if (off === MTIME) return (this.host.getTime() % TWO32) >>> 0;
    if (off === MTIME + 4) return Math.floor(this.host.getTime() / TWO32) >>> 0;
    return 0;
  }

  private writeWord(off: number, v: number): void {
    if (off < TIMECMP) {
      const h = off >> 2;
      if (h < this.n && this.msip[h] !== (v & 1)) {
        this.msip[h] = v & 1;
        this.host.setLine(h, Irq.MSoft, (v & 1) === 1);
      }
      return;
    }
    if (off >= TIMECMP && off < TIMECMP + 8 * this.n) {
      const h = (off - TIMECMP) >> 3;
      if (off & 4) this.cmpHi[h] = v;
      else this.cmpLo[h] = v;
      this.update();
      return;
    }
    if (off === MTIME || off === MTIME + 4) {
      const t = this.host.getTime();
      const lo = off === MTIME ? v >>> 0 : t % TWO32;
      const hi = off === MTIME ? Math.floor(t / TWO32) : v >>> 0;
      this.host.setTime(hi * TWO32 + lo);
      this.update();
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const word = this.readWord(offset & ~3);
    if (size === 4) return word >>> 0;
    const shift = (offset & 3) * 8;
    return (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const aligned = offset & ~3;
    if (size === 4) return this.writeWord(aligned, value >>> 0);
    // Narrow write: merge into the word (every CLINT register reads without side effects).
    const shift = (offset & 3) * 8;
    const mask = (size === 1 ? 0xff : 0xffff) << shift;
    const merged = (this.readWord(aligned) & ~mask) | ((value << shift) & mask);
    this.writeWord(aligned, merged >>> 0);
  }

  snapshot(): ClintState {
    return { msip: Array.from(this.msip), cmpLo: Array.from(this.cmpLo), cmpHi: Array.from(this.cmpHi) };
  }

  restore(state: unknown): void {
    const s = state as ClintState;
    this.msip.set(s.msip);
    this.cmpLo.set(s.cmpLo);
    this.cmpHi.set(s.cmpHi);
    for (let h = 0; h < this.n; h++) this.host.setLine(h, Irq.MSoft, this.msip[h] === 1);
    this.update(true);
  }
}

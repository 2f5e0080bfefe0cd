/**
 * PLIC, the platform-level interrupt controller, in the SiFive layout QEMU's `virt` board
 * uses (RISC-V PLIC spec 1.0.0, chapter "Memory Map"):
 *   +0x000000 + 4*src          priority of source src (1..NSOURCES-1; 0 means never)
 *   +0x001000                  pending bits, 32 sources a word (read only)
 *   +0x002000 + 0x80*ctx       enable bits of context ctx
 *   +0x200000 + 0x1000*ctx     priority threshold of ctx
 *   +0x200004 + 0x1000*ctx     claim (read) / complete (write) of ctx
 * Contexts come two per hart as on QEMU virt: 2h is hart h's M mode (drives MEIP), 2h+1
 * its S mode (drives SEIP).
 *
 * Gateways behave as QEMU's sifive_plic.c (7.2), which the kernels we run are tested
 * against. A device calls `setSource` each time it re-evaluates its interrupt output, not
 * only when the level changes (as QEMU's qemu_set_irq does): a high call is a request and
 * sets the pending bit; a low call does not withdraw a request already pending (checked
 * on qemu-system-riscv64 7.2). A source that is claimed (in service) is not claimable
 * again until its completion, even if it asks again meanwhile; a request made while in
 * service stays pending and is delivered after the completion. A line that merely stays
 * high does not pend again by itself after completion; that is what lets a classic xv6
 * UART driver, which never reads IIR, leave the THR-empty interrupt asserted without an
 * interrupt storm (see uart.ts).
 * A claim returns the pending, enabled, not-in-service source of highest priority above
 * the threshold (ties go to the lowest id) and clears its pending bit; 0 when there is
 * none. A completion ends the service of the source it names (like QEMU, whether or not
 * it is still enabled for that context, so disabling a source in its handler cannot
 * wedge it).
 */
import { Irq, type Device } from '../types';

export const PLIC_SOURCES = 96;
const WORDS = PLIC_SOURCES / 32;
const PRIORITY_MASK = 7; // QEMU virt implements 3 priority bits.

const PENDING = 0x1000;
const ENABLE = 0x2000;
const CONTEXT = 0x200000;

export interface PlicHost {
  readonly hartCount: number;
  setLine(hart: number, irq: Irq, level: boolean): void;
}

interface PlicState {
  priority: number[];
  level: number[];
  pending: number[];
  claimed: number[];
  enable: number[];
  threshold: number[];
}

export class Plic implements Device {
  readonly name = 'plic';
  private readonly contexts: number;
  private readonly priority = new Uint8Array(PLIC_SOURCES);
  /** Current line level of each source, as its device drives it. */
  private readonly level = new Uint8Array(PLIC_SOURCES);
  private readonly pending = new Uint32Array(WORDS);
  /** Sources in service: claimed by some context, not yet completed. */
  private readonly claimed = new Uint32Array(WORDS);
  private readonly enable: Uint32Array;
  private readonly threshold: Uint8Array;
  /** Output level last driven for each context. */
  private readonly out: Uint8Array;

  constructor(private readonly host: PlicHost) {
    this.contexts = host.hartCount * 2;
    this.enable = new Uint32Array(WORDS * this.contexts);
    this.threshold = new Uint8Array(this.contexts);
    this.out = new Uint8Array(this.contexts);
  }

  /** A device (re-)evaluated its interrupt output: each high call asks for service. */
  setSource(src: number, high: boolean): void {
    if (src <= 0 || src >= PLIC_SOURCES) return;
    this.level[src] = high ? 1 : 0;
    if (!high) return;
    this.setBit(this.pending, src, true);
    this.update();
  }

  private bit(a: Uint32Array, src: number): boolean {
    return ((a[src >> 5]! >>> (src & 31)) & 1) === 1;
  }

  private setBit(a: Uint32Array, src: number, on: boolean): void {
    const i = src >> 5;
    if (on) a[i]! |= 1 << (src & 31);
    else a[i]! &= ~(1 << (src & 31));
  }

  /** The best source `ctx` could claim now, or 0. */
  private best(ctx: number): number {
    const th = this.threshold[ctx]!;
    let bestSrc = 0;
    let bestPrio = th;
    for (let w = 0; w < WORDS; w++) {
      let bits = this.pending[w]! & ~this.claimed[w]! & this.enable[ctx * WORDS + w]!;
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const src = w * 32 + b;
        const p = this.priority[src]!;
        if (p > bestPrio) {
          bestPrio = p;
          bestSrc = src;
        }
      }
    }
    return bestSrc;
  }

  /** Drive MEIP/SEIP of every hart from the current state. */
  update(force = false): void {
    for (let ctx = 0; ctx < this.contexts; ctx++) {
      const v = this.best(ctx) !== 0 ? 1 : 0;
      if (force || this.out[ctx] !== v) {
        this.out[ctx] = v;
        this.host.setLine(ctx >> 1, ctx & 1 ? Irq.SExt : Irq.MExt, v === 1);
      }
    }
  }

  private claim(ctx: number): number {
    const src = this.best(ctx);
    if (src !== 0) {
      this.setBit(this.pending, src, false);
      this.setBit(this.claimed, src, true);
      this.update();
    }
    return src;
  }

  private complete(src: number): void {
    if (src <= 0 || src >= PLIC_SOURCES) return;
    this.setBit(this.claimed, src, false);
    this.update();
  }

  /** In service: claimed and not yet completed (for tests and the debugger). */
  isClaimed(src: number): boolean {
    return this.bit(this.claimed, src);
  }

  /** Pending bits as seen by a debugger or test (no side effects). */
  isPending(src: number): boolean {
    return this.bit(this.pending, src);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const word = this.readWord(offset & ~3, size === 4);
    if (size === 4) return word >>> 0;
    const shift = (offset & 3) * 8;
    return (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  /** `effects` false: a narrow read, which must not claim. */
  private readWord(off: number, effects: boolean): number {
    if (off < PENDING) {
      const src = off >> 2;
      return src < PLIC_SOURCES ? this.priority[src]! : 0;
    }
    if (off < ENABLE) {
      const w = (off - PENDING) >> 2;
      return w < WORDS ? this.pending[w]! : 0;
    }
    if (off < CONTEXT) {
      const ctx = (off - ENABLE) >> 7;
      const w = ((off - ENABLE) & 0x7f) >> 2;
      return ctx < this.contexts && w < WORDS ? this.enable[ctx * WORDS + w]! : 0;
    }
    const ctx = (off - CONTEXT) >> 12;
    if (ctx >= this.contexts) return 0;
    switch (off & 0xfff) {
      case 0:
        return this.threshold[ctx]!;
      case 4:
        return effects ? this.claim(ctx) : this.best(ctx);
      default:
        return 0;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    // The PLIC's registers are 32 bits wide (spec: "memory-mapped 32-bit registers");
    // narrower writes are ignored, as QEMU rejects them.
    if (size !== 4) return;
    const off = offset & ~3;
    if (off < PENDING) {
      const src = off >> 2;
      if (src > 0 && src < PLIC_SOURCES) {
        this.priority[src] = value & PRIORITY_MASK;
        this.update();
      }
      return;
    }
    if (off < ENABLE) return; // pending bits are read-only
    if (off < CONTEXT) {
      const ctx = (off - ENABLE) >> 7;
      const w = ((off - ENABLE) & 0x7f) >> 2;
      if (ctx < this.contexts && w < WORDS) {
        // Source 0 does not exist: its enable bit stays 0.
        this.enable[ctx * WORDS + w] = w === 0 ? value & ~1 : value;
        this.update();
      }
      return;
    }
    const ctx = (off - CONTEXT) >> 12;
    if (ctx >= this.contexts) return;
    switch (off & 0xfff) {
      case 0:
        this.threshold[ctx] = value & PRIORITY_MASK;
        this.update();
        break;
      case 4:
        this.complete(value >>> 0);
        break;
      default:
        break;
    }
  }

  snapshot(): PlicState {
    return {
      priority: Array.from(this.priority),
      level: Array.from(this.level),
      pending: Array.from(this.pending),
      claimed: Array.from(this.claimed),
      enable: Array.from(this.enable),
      threshold: Array.from(this.threshold),
    };
  }

  restore(state: unknown): void {
    const s = state as PlicState;
    this.priority.set(s.priority);
    this.level.set(s.level);
    this.pending.set(s.pending);
    this.claimed.set(s.claimed);
    this.enable.set(s.enable);
    this.threshold.set(s.threshold);
    this.update(true);
  }
}

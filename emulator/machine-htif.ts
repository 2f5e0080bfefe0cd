/**
 * HTIF, the host-target interface of Spike and the riscv-tests: a bare-metal program
 * reports through a 64-bit `tohost` word in RAM. The machine polls it at quantum
 * boundaries (programs wait for the host to clear it before writing again):
 * - device 0, command 0, bit 0 set: exit with code tohost >> 1 (riscv-tests write 1 for
 *   a pass and (test number << 1) | 1 for a failure);
 * - device 1, command 1: print the low byte on the console, then clear tohost;
 * - anything else (the syscall proxy) is not supported and is left alone.
 */
import type { Ram } from './ram';

export class Htif {
  private readonly off: number;
  private readonly tohost: number;

  constructor(
    private readonly ram: Ram,
    tohost: number,
    private readonly console: (byte: number) => void,
    /** RAM written by the host side (clearing tohost), for the harts' reservations. */
    private readonly written: (paddr: number, len: number) => void,
  ) {
    this.tohost = tohost;
    this.off = ram.offsetOf(tohost, 8);
  }

  get valid(): boolean {
    return this.off >= 0;
  }

  /** The exit code once the program has asked to exit, else undefined. */
  poll(): number | undefined {
    const dv = this.ram.dv;
    const lo = dv.getUint32(this.off, true);
    const hi = dv.getUint32(this.off + 4, true);
    if (lo === 0 && hi === 0) return undefined;
    const device = hi >>> 24;
    const cmd = (hi >>> 16) & 0xff;
    if (device === 0 && cmd === 0 && lo & 1) return (hi & 0xffff) * 0x8000_0000 + (lo >>> 1);
    if (device === 1 && cmd === 1) {
      this.console(lo & 0xff);
      dv.setUint32(this.off, 0, true);
      dv.setUint32(this.off + 4, 0, true);
      this.written(this.tohost, 8);
    }
    return undefined;
  }
}

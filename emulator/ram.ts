/**
 * Guest RAM: one ArrayBuffer at DRAM_BASE seen through four views (bytes, halfwords,
 * words, and a DataView for unaligned or 64-bit access). The CPU's fast path indexes
 * these views directly, which is only correct on a little-endian host (RISC-V memory is
 * little-endian, unprivileged spec 1.5), so the constructor checks that once.
 */
import type { RamApi } from './types';
import { DRAM_BASE } from './memmap';
import { MachineConfigError } from './machine-options';

function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([0x0102]).buffer)[0] === 0x02;
}

export class Ram implements RamApi {
  readonly base = DRAM_BASE;
  readonly size: number;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly dv: DataView;

  constructor(memoryMiB: number) {
    if (!hostIsLittleEndian()) throw new MachineConfigError('this emulator needs a little-endian host');
    this.size = memoryMiB * 1024 * 1024;
    const buf = new ArrayBuffer(this.size);
    this.u8 = new Uint8Array(buf);
    this.u16 = new Uint16Array(buf);
    this.i32 = new Int32Array(buf);
    this.dv = new DataView(buf);
  }

  /** Offset of [paddr, paddr + len) in RAM, or -1 when any byte of it lies outside. */
  offsetOf(paddr: number, len: number): number {
    const off = paddr - this.base;
    return off >= 0 && len >= 0 && off + len <= this.size ? off : -1;
  }
}

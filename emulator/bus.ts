/**
 * The system bus: RAM for the CPU's fast path plus a short table of memory-mapped devices
 * (memmap.ts). The bus owns no policy: an address that hits no device reads as undefined
 * and writes as false, and the hart turns that into an access fault (privileged spec
 * 3.7.1: accesses to unpopulated physical memory raise access-fault exceptions).
 *
 * Two more doors into RAM live here because they must not be confused with the CPU's:
 * DMA by devices (`dmaWritten` tells the machine so harts drop stale decoded code and
 * LR/SC reservations) and the debugger's `readPhys`/`writePhys`, which reach RAM only and
 * never touch a device register (a debugger read must not pop a UART FIFO).
 */
import type { BusApi, Device } from './types';
import type { Region } from './memmap';
import type { Ram } from './ram';

interface Mapping {
  readonly base: number;
  readonly end: number;
  readonly device: Device;
}

export class Bus implements BusApi {
  private readonly map: Mapping[] = [];
  /** Set by the machine: called after a device or the debugger wrote RAM. */
  onRamWritten: (paddr: number, len: number) => void = () => {};

  constructor(readonly ram: Ram) {}

  /** Map `device` at `region` (half-open; regions must not overlap). */
  attach(region: Region, device: Device): void {
    const end = region.base + region.size;
    for (const m of this.map) {
      if (region.base < m.end && m.base < end)
        throw new Error(`bus: ${device.name} overlaps ${m.device.name}`);
    }
    this.map.push({ base: region.base, end, device });
  }

  get devices(): readonly Device[] {
    return this.map.map((m) => m.device);
  }

  private find(paddr: number): Mapping | undefined {
    for (const m of this.map) if (paddr >= m.base && paddr < m.end) return m;
    return undefined;
  }

  mmioRead(paddr: number, size: 1 | 2 | 4): number | undefined {
    const m = this.find(paddr);
    if (m) return m.device.read(paddr - m.base, size);
    // The CPU reaches RAM directly; a RAM access that comes here anyway still works.
    const off = this.ram.offsetOf(paddr, size);
    if (off < 0) return undefined;
    const dv = this.ram.dv;
    return size === 1 ? dv.getUint8(off) : size === 2 ? dv.getUint16(off, true) : dv.getUint32(off, true);
  }

  mmioWrite(paddr: number, size: 1 | 2 | 4, value: number): boolean {
    const m = this.find(paddr);
    if (m) {
      m.device.write(paddr - m.base, size, value);
      return true;
    }
    const off = this.ram.offsetOf(paddr, size);
    if (off < 0) return false;
    const dv = this.ram.dv;
    if (size === 1) dv.setUint8(off, value);
    else if (size === 2) dv.setUint16(off, value, true);
    else dv.setUint32(off, value, true);
    this.onRamWritten(paddr, size);
    return true;
  }

  /** A device wrote RAM by DMA. */
  dmaWritten(paddr: number, len: number): void {
    if (len > 0) this.onRamWritten(paddr, len);
  }

  /** Debugger read of RAM: a copy, or undefined when any byte lies outside RAM. */
  readPhys(paddr: number, len: number): Uint8Array | undefined {
    const off = this.ram.offsetOf(paddr, len);
    return off < 0 ? undefined : this.ram.u8.slice(off, off + len);
  }

  /** Debugger write of RAM (no device side effects); false when any byte lies outside RAM. */
  writePhys(paddr: number, bytes: Uint8Array): boolean {
    const off = this.ram.offsetOf(paddr, bytes.length);
    if (off < 0) return false;
    this.ram.u8.set(bytes, off);
    if (bytes.length > 0) this.onRamWritten(paddr, bytes.length);
    return true;
  }
}

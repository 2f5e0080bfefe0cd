/**
 * What a Machine is built from, checked in one place. Every problem is a
 * MachineConfigError with a one-line message naming the option, because it comes from
 * the user's configuration (a launch.json, a command line), never from the guest.
 */
import type { CpuSharedApi, BusApi, HartApi } from './types';
import { DEFAULT_MEMORY_MIB, MAX_HARTS } from './memmap';

/** A machine configuration the emulator cannot build (not a guest error). */
export class MachineConfigError extends Error {
  override name = 'MachineConfigError';
}

export interface MachineOptions {
  /** RAM size in MiB (default 128). */
  memoryMiB?: number;
  /** Number of harts, 1..8 (default 1). */
  harts?: number;
  /** The disk image; it is never modified (writes go to an overlay, see disk.ts). */
  disk?: Uint8Array;
  /** The virtio-mmio interface offered (default 'legacy', as QEMU's default). */
  virtio?: 'legacy' | 'modern';
  /** Tie mtime to the host clock instead of instructions executed. */
  realtime?: boolean;
  /** Receives every byte the guest writes to the UART. */
  console?: (byte: number) => void;
  /** Bare-metal HTIF mode: the physical address of the `tohost` word. */
  htif?: { tohost: number };
  /** Instructions a hart runs before the next one gets its turn (default 1000). */
  quantum?: number;
  /**
   * Run hot code through the CPU's basic-block JIT (default true). Off, every instruction
   * is interpreted; the execution is identical either way, only the speed differs.
   */
  jit?: boolean;
  /** Build the harts (tests inject fakes; default: cpu/hart.ts). */
  createHart?: (id: number, bus: BusApi, shared: CpuSharedApi) => HartApi;
  /** Build the shared CPU state (default: cpu/shared.ts). */
  createShared?: () => CpuSharedApi;
}

export interface CheckedOptions {
  memoryMiB: number;
  harts: number;
  virtio: 'legacy' | 'modern';
  realtime: boolean;
  quantum: number;
}

const MAX_MEMORY_MIB = 2048;

export function checkOptions(o: MachineOptions): CheckedOptions {
  const memoryMiB = o.memoryMiB ?? DEFAULT_MEMORY_MIB;
  if (!Number.isInteger(memoryMiB) || memoryMiB < 1 || memoryMiB > MAX_MEMORY_MIB) {
    throw new MachineConfigError(
      `memory must be a whole number of MiB from 1 to ${MAX_MEMORY_MIB}, not ${memoryMiB}`,
    );
  }
  const harts = o.harts ?? 1;
  if (!Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) {
    throw new MachineConfigError(`harts must be a whole number from 1 to ${MAX_HARTS}, not ${harts}`);
  }
  const virtio = o.virtio ?? 'legacy';
  if (virtio !== 'legacy' && virtio !== 'modern') {
    throw new MachineConfigError(`virtio must be 'legacy' or 'modern', not '${String(virtio)}'`);
  }
  const quantum = o.quantum ?? 1000;
  if (!Number.isInteger(quantum) || quantum < 1 || quantum > 1_000_000) {
    throw new MachineConfigError(
      `quantum must be a whole number of instructions from 1 to 1000000, not ${quantum}`,
    );
  }
  if (o.htif !== undefined && (!Number.isInteger(o.htif.tohost) || o.htif.tohost % 8 !== 0)) {
    throw new MachineConfigError(`htif tohost must be an 8-byte aligned address, not ${o.htif.tohost}`);
  }
  return { memoryMiB, harts, virtio, realtime: o.realtime ?? false, quantum };
}

/**
 * The physical memory map of the machine: QEMU's `virt` board, as xv6-style kernels
 * expect it (their memlayout.h names the same addresses). One table of named constants;
 * every range is half-open, [base, base + size).
 */

export interface Region {
  readonly base: number;
  readonly size: number;
}

/** SiFive test finisher: a 32-bit write ends the run (see devices/test-finisher.ts). */
export const TEST_FINISHER: Region = { base: 0x0010_0000, size: 0x1000 };
/** Core-local interruptor: msip[hart] at +0, mtimecmp[hart] at +0x4000, mtime at +0xbff8. */
export const CLINT: Region = { base: 0x0200_0000, size: 0x1_0000 };
/** Platform-level interrupt controller (SiFive PLIC layout, 2 contexts per hart: M then S). */
export const PLIC: Region = { base: 0x0c00_0000, size: 0x400_0000 };
/** NS16550A UART. */
export const UART0: Region = { base: 0x1000_0000, size: 0x100 };
/** The first virtio-mmio transport: the block device. */
export const VIRTIO0: Region = { base: 0x1000_1000, size: 0x1000 };
/** Start of RAM; its size is a machine option. */
export const DRAM_BASE = 0x8000_0000;

export const UART0_IRQ = 10;
export const VIRTIO0_IRQ = 1;

export const DEFAULT_MEMORY_MIB = 128;
export const MAX_HARTS = 8;

/** mtime ticks at 10 MHz, as on QEMU virt. */
export const TIMEBASE_HZ = 10_000_000;
/**
 * Deterministic time: mtime advances by one tick for this many instructions executed by
 * each hart (the machine's virtual CPU runs at 100 MIPS per hart).
 */
export const INSNS_PER_TICK = 10;

export function contains(r: Region, addr: number): boolean {
  return addr >= r.base && addr < r.base + r.size;
}

/**
 * Booting a machine from files, for the CLI and the debug adapter alike: find the bundled
 * kernel and disk, read and validate the user's files (one clear line for each problem),
 * choose the virtio interface the kernel expects, build the Machine and load the kernel.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseElf, loadableSegments, ElfError, type ElfFile } from './elf';
import { Machine, type MachineOptions } from './machine';
import { DEFAULT_MEMORY_MIB, MAX_HARTS } from './memmap';

/** A problem with what the user asked for: shown as one line, never as a stack trace. */
export class BootError extends Error {
  override name = 'BootError';
}

/** The repository (or installed extension) root, found from this module's bundle location. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return resolve(__dirname, '..');
}

export function bundledKernel(stage?: number): string {
  return join(packageRoot(), 'kernel', 'prebuilt', stage ? `kernel-stage${stage}` : 'kernel');
}

export function bundledDisk(): string {
  return join(packageRoot(), 'kernel', 'prebuilt', 'fs.img');
}

export type VirtioChoice = 'legacy' | 'modern' | 'auto';

export interface BootOptions {
  kernel?: string;
  /**
   * A disk image path; null for none; undefined: the bundled one with the bundled kernel,
   * else an fs.img beside the kernel (xv6 tree layout), else none.
   */
  disk?: string | null;
  harts?: number;
  memoryMiB?: number;
  virtio?: VirtioChoice;
  realtime?: boolean;
  console?: (byte: number) => void;
  /** Run a bare-metal program that reports through the HTIF `tohost` symbol. */
  htif?: boolean;
  /** The basic-block JIT (default on); off: the pre-decoded interpreter only. */
  jit?: boolean;
}

export interface Booted {
  machine: Machine;
  elf: ElfFile;
  kernelPath: string;
  diskPath: string | undefined;
  virtio: 'legacy' | 'modern';
}

/** An xv6 tree keeps fs.img at its top, beside the kernel/ folder holding the kernel ELF. */
export function diskBeside(kernelPath: string): string | undefined {
  for (const d of [join(dirname(kernelPath), '..'), dirname(kernelPath)]) {
    const img = join(d, 'fs.img');
    if (existsSync(img)) return resolve(img);
  }
  return undefined;
}

function readInput(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new BootError(`${what} not found: ${path}`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BootError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/**
 * The virtio-mmio interface a kernel expects. xv6 from 2021 on wants the modern one and
 * its Makefile tells QEMU so (`-global virtio-mmio.force-legacy=false`); earlier trees,
 * and QEMU's default, use the legacy one. Our own kernel handles both.
 */
export function detectVirtio(kernelPath: string): 'legacy' | 'modern' {
  for (const mk of [join(dirname(kernelPath), '..', 'Makefile'), join(dirname(kernelPath), 'Makefile')]) {
    if (existsSync(mk)) {
      try {
        if (asksForModern(readFileSync(mk, 'latin1'))) return 'modern';
      } catch {
        /* unreadable Makefile: fall through to the default */
      }
    }
  }
  return 'legacy';
}

/**
 * Whether a Makefile passes QEMU `force-legacy=false` unconditionally. A line inside an
 * ifeq/ifneq/ifdef/ifndef block (e.g. only for VIRTIO=modern) is not the default run.
 */
function asksForModern(makefile: string): boolean {
  let depth = 0;
  for (const line of makefile.split('\n')) {
    const t = line.trim();
    if (/^(ifeq|ifneq|ifdef|ifndef)\b/.test(t)) depth++;
    else if (/^endif\b/.test(t)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && !t.startsWith('#') && /force-legacy\s*=\s*false/.test(t)) return true;
  }
  return false;
}

export function boot(opts: BootOptions): Booted {
  const kernelPath = resolve(opts.kernel ?? bundledKernel());
  const harts = opts.harts ?? 1;
  if (!Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) {
    throw new BootError(`harts must be a whole number from 1 to ${MAX_HARTS}, not ${harts}`);
  }
  const memoryMiB = opts.memoryMiB ?? DEFAULT_MEMORY_MIB;
  if (!Number.isInteger(memoryMiB) || memoryMiB < 1 || memoryMiB > 2048) {
    throw new BootError(`memory must be a whole number of MiB from 1 to 2048, not ${memoryMiB}`);
  }
  const kernelBytes = readInput(kernelPath, 'kernel');
  let elf: ElfFile;
  try {
    elf = parseElf(kernelBytes, kernelPath);
  } catch (e) {
    if (e instanceof ElfError) throw new BootError(e.message);
    throw e;
  }

  let diskPath: string | undefined;
  if (opts.disk === undefined && !opts.htif)
    diskPath = opts.kernel === undefined ? bundledDisk() : diskBeside(kernelPath);
  else if (opts.disk) diskPath = resolve(opts.disk);
  let disk: Uint8Array | undefined;
  if (diskPath) {
    disk = readInput(diskPath, 'disk image');
    if (disk.length === 0 || disk.length % 512 !== 0) {
      throw new BootError(
        `disk image ${diskPath} is ${disk.length} bytes, not a whole number of 512-byte sectors`,
      );
    }
  }

  const virtio = !opts.virtio || opts.virtio === 'auto' ? detectVirtio(kernelPath) : opts.virtio;
  const mopts: MachineOptions = {
    memoryMiB,
    harts,
    virtio,
    realtime: opts.realtime ?? false,
    console: opts.console,
  };
  if (disk) mopts.disk = disk;
  if (opts.jit !== undefined) mopts.jit = opts.jit;
  if (opts.htif) {
    const tohost = elf.symbol('tohost');
    if (!tohost) throw new BootError(`${kernelPath} has no 'tohost' symbol, so it cannot run with --htif`);
    mopts.htif = { tohost: tohost.value };
  }
  const machine = new Machine(mopts);
  try {
    machine.loadSegments(loadableSegments(elf, kernelBytes), elf.entry);
  } catch (e) {
    throw new BootError(`${kernelPath}: ${(e as Error).message}`);
  }
  return { machine, elf, kernelPath, diskPath, virtio };
}

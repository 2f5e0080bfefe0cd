/**
 * Is the kernel older than its sources? When the preLaunchTask's make fails and the
 * student picks "Debug Anyway", the previous kernel runs, and its line table points
 * stops at lines that may no longer hold that code. The kernel ELF's DWARF line tables
 * (DWARF 5 section 6.2.4, the file name table) list every source and header it was built
 * from; if one of those files on this machine was modified after the ELF, the launch says
 * so in one line. Bounded: at most MAX_UNITS units and MAX_FILES files are looked at,
 * and a file that cannot be found or stat'ed is skipped.
 */
import { relative, isAbsolute } from 'node:path';
import type { ElfFile } from '../emulator/elf';
import { symbolsOf } from './debuginfo';
import type { Host } from './host';
import type { StaleKernelEventBody } from './protocol';
import { sourcePath } from './sources';
import { AT } from './symbols/constants';

export const MAX_UNITS = 4096;
export const MAX_FILES = 2048;

/** `path` relative to `base` when inside it, else as it is. */
function shown(path: string, base: string): string {
  const r = relative(base, path);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : path;
}

/**
 * The newest source file of the kernel that is newer than the kernel ELF, as the event
 * the session sends (with its one-line message), or undefined when the kernel is up to
 * date, the host cannot tell file times, or the ELF has no line tables.
 */
export function staleKernel(elf: ElfFile, kernelPath: string, host: Host): StaleKernelEventBody | undefined {
  if (!host.mtime) return undefined;
  const built = host.mtime(kernelPath);
  const symbols = symbolsOf(elf);
  if (built === undefined || !symbols) return undefined;
  const seen = new Set<string>();
  let newest: { path: string; mtime: number } | undefined;
  let units = 0;
  for (const unit of symbols.units) {
    if (++units > MAX_UNITS || seen.size >= MAX_FILES) break;
    if (!unit.root) continue;
    let files: (string | undefined)[];
    try {
      files = symbols.lineTable(unit)?.files ?? [];
    } catch {
      continue;
    }
    const compDir = symbols.info.string(unit.root, AT.comp_dir);
    for (const file of files) {
      if (file === undefined || seen.size >= MAX_FILES) continue;
      const key = `${compDir ?? ''}\0${file}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const local = sourcePath({ file, compDir }, kernelPath);
      const t = local === undefined ? undefined : host.mtime(local);
      if (local !== undefined && t !== undefined && t > built && (!newest || t > newest.mtime))
        newest = { path: local, mtime: t };
    }
  }
  if (!newest) return undefined;
  const base = host.cwd();
  const kernel = shown(kernelPath, base);
  const source = shown(newest.path, base);
  return {
    kernel: kernelPath,
    source: newest.path,
    message:
      `${kernel} is older than ${source}: the last build may have failed; ` +
      'stops may point at lines that no longer hold that code',
  };
}

/**
 * Where the source files named in the line tables are on this machine. A kernel built by
 * xv6's Makefile records `kernel/vm.c` relative to a comp_dir of `.` (the tree's top),
 * and the ELF sits at `<top>/kernel/kernel` (or, for the bundled one,
 * `<top>/prebuilt/kernel`); so a relative name is tried against comp_dir, then against
 * the ELF's folder and its parents. Absolute names are used as they are when they exist.
 * The launch configuration's `sourceMap` (build folder -> local folder, longest first)
 * rewrites a recorded path before any of that. Last come the kernel ELF's folder and its
 * parents: a user program built in the same tree (`user/lazytests.c` under `kernel/`)
 * is found from there even when its ELF was copied elsewhere (the `userPrograms` folder).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { SourceLine } from './symbols';

const found = new Map<string, string | undefined>();

let sourceMap: readonly [string, string][] = [];
let kernelElf: string | undefined;

/**
 * Install the launch configuration's source map (build prefix -> local prefix) and the
 * kernel ELF's path (its folders are the last places a relative name is looked for).
 */
export function setSourceMap(map: readonly [string, string][], kernelPath?: string): void {
  sourceMap = map;
  kernelElf = kernelPath;
  found.clear();
}

/** `elf`'s folder and up to three of its parents. */
function near(elf: string): string[] {
  const out: string[] = [];
  let d = dirname(resolve(elf));
  for (let i = 0; i < 4; i++) {
    out.push(d);
    d = dirname(d);
  }
  return out;
}

function mapped(path: string): string | undefined {
  for (const [from, to] of sourceMap) {
    if (path === from || path.startsWith(from.endsWith('/') ? from : from + '/'))
      return join(to, path.slice(from.length));
  }
  return undefined;
}

export function sourcePath(
  line: Pick<SourceLine, 'file' | 'compDir'>,
  elfPath: string | undefined,
): string | undefined {
  const key = `${line.file}\0${line.compDir ?? ''}\0${elfPath ?? ''}`;
  if (found.has(key)) return found.get(key);
  const candidates: string[] = [];
  const recorded = isAbsolute(line.file)
    ? line.file
    : line.compDir
      ? join(line.compDir, line.file)
      : undefined;
  const m = recorded !== undefined ? mapped(recorded) : undefined;
  if (m) candidates.push(m);
  if (isAbsolute(line.file)) candidates.push(line.file);
  else {
    if (line.compDir && isAbsolute(line.compDir)) candidates.push(join(line.compDir, line.file));
    if (elfPath) for (const d of near(elfPath)) candidates.push(join(d, line.file));
    if (kernelElf && kernelElf !== elfPath)
      for (const d of near(kernelElf)) candidates.push(join(d, line.file));
  }
  const hit = candidates.find((c) => existsSync(c));
  found.set(key, hit ? resolve(hit) : undefined);
  return found.get(key);
}

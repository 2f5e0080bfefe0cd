/**
 * Where the source files named in the line tables are on this machine. A kernel built by
 * xv6's Makefile records `kernel/vm.c` relative to a comp_dir of `.` (the tree's top),
 * and the ELF sits at `<top>/kernel/kernel` (or, for the bundled one,
 * `<top>/prebuilt/kernel`); so a relative name is tried against comp_dir, then against
 * the ELF's folder and its parents. Absolute names are used as they are when they exist.
 * The launch configuration's `sourceMap` (build folder -> local folder, longest first)
 * rewrites a recorded path before any of that.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { SourceLine } from './symbols';

const found = new Map<string, string | undefined>();

let sourceMap: readonly [string, string][] = [];

/** Install the launch configuration's source map (build prefix -> local prefix). */
export function setSourceMap(map: readonly [string, string][]): void {
  sourceMap = map;
  found.clear();
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
    if (elfPath) {
      let d = dirname(resolve(elfPath));
      for (let i = 0; i < 4; i++) {
        candidates.push(join(d, line.file));
        d = dirname(d);
      }
    }
  }
  const hit = candidates.find((c) => existsSync(c));
  found.set(key, hit ? resolve(hit) : undefined);
  return found.get(key);
}

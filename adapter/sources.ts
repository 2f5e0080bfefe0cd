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
 *
 * A tree that was moved or copied keeps the old build folder in its DWARF (an absolute
 * comp_dir or file name). When such a path lies outside the launch's trees (the launch's
 * folder, the tree above the kernel ELF's folder and above the program's) and one of those
 * trees has a file at a trailing part of the path (longest first: `xv6/kernel/trap.c`,
 * then `kernel/trap.c`), that file is the one shown, even when the old one still exists:
 * edits must go to the tree being debugged, not to a second tab of the old one.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { SourceLine } from './symbols';

const found = new Map<string, string | undefined>();

let sourceMap: readonly [string, string][] = [];
let kernelElf: string | undefined;
let launchFolder: string | undefined;

/** Components of a recorded path tried against a tree: at most this many. */
const MAX_SUFFIX = 8;

/**
 * Install the launch configuration's source map (build prefix -> local prefix), the
 * kernel ELF's path (its folders are the last places a relative name is looked for) and
 * the launch's folder (cwd or workspace folder), a tree a moved build is found in.
 */
export function setSourceMap(map: readonly [string, string][], kernelPath?: string, folder?: string): void {
  sourceMap = map;
  kernelElf = kernelPath;
  launchFolder = folder;
  found.clear();
}

/** The trees of this launch: its folder, and the folder above each ELF's folder. */
function trees(elfPath: string | undefined): string[] {
  const out: string[] = [];
  for (const t of [
    launchFolder,
    elfPath && dirname(dirname(resolve(elfPath))),
    kernelElf && dirname(dirname(resolve(kernelElf))),
  ])
    if (t && !out.includes(t)) out.push(t);
  return out;
}

const inside = (path: string, tree: string): boolean =>
  path === tree || path.startsWith(tree.endsWith(sep) ? tree : tree + sep);

/**
 * An absolute recorded path outside every tree of the launch (a build folder the tree was
 * moved or copied from): the file at its longest trailing part that exists in a tree.
 */
function inMovedTree(path: string, elfPath: string | undefined): string | undefined {
  const roots = trees(elfPath);
  if (roots.length === 0 || roots.some((t) => inside(path, t))) return undefined;
  const parts = path.split(/[/\\]+/).filter((p) => p !== '');
  for (let n = Math.min(parts.length - 1, MAX_SUFFIX); n >= 1; n--) {
    const tail = parts.slice(parts.length - n);
    for (const t of roots) {
      const c = join(t, ...tail);
      if (existsSync(c)) return c;
    }
  }
  return undefined;
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
  else if (recorded !== undefined && isAbsolute(recorded)) {
    const moved = inMovedTree(recorded, elfPath);
    if (moved) candidates.push(moved);
  }
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

/**
 * Validation of a launch configuration (`"type": "xv6", "request": "launch"`). It turns
 * what the user wrote in launch.json into a complete, checked `LaunchConfig`, or into a
 * list of problems, each one sentence a student can act on ("kernel not found: ... — run
 * make first?"). It never throws: the session sends the problems back as the launch
 * request's error. File checks go through the `Host` so tests need no real files.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Host } from './host';
import type { VirtioMode, Xv6LaunchArguments } from './protocol';

export const MAX_HARTS = 8;
export const MIN_MEMORY_MB = 1;
export const MAX_MEMORY_MB = 2048;
export const DEFAULT_MEMORY_MB = 128;

export interface LaunchConfig {
  kernel: string;
  /** Absolute disk image path, or null for no disk. */
  disk: string | null;
  diskIsBundled: boolean;
  harts: number;
  memoryMB: number;
  stopOnEntry: boolean;
  persistDisk: boolean;
  userPrograms: string | undefined;
  panicSymbol: string;
  /** Build-time prefix -> local prefix, longest prefix first. */
  sourceMap: [string, string][];
  virtio: VirtioMode;
  /** The folder relative paths were resolved against (launch.json's cwd, else the workspace's). */
  cwd: string;
  /** A note for the debug console about the disk choice (e.g. none found beside the kernel). */
  diskNote?: string;
}

export interface BundledFiles {
  kernel: string;
  disk: string;
}

export type LaunchValidation = { ok: true; config: LaunchConfig } | { ok: false; problems: string[] };

const KNOWN_FIELDS = new Set([
  'type',
  'request',
  'name',
  'kernel',
  'disk',
  'harts',
  'memoryMB',
  'stopOnEntry',
  'persistDisk',
  'userPrograms',
  'panicSymbol',
  'sourceMap',
  'virtio',
  'cwd',
  'noDebug',
]);

/** Fields close to a known one: a typo the student would otherwise never notice. */
const LIKELY_TYPOS: Record<string, string> = {
  hart: 'harts',
  cpus: 'harts',
  memory: 'memoryMB',
  memoryMiB: 'memoryMB',
  memoryMb: 'memoryMB',
  stopAtEntry: 'stopOnEntry',
  program: 'kernel',
  image: 'disk',
  fsImage: 'disk',
  persist: 'persistDisk',
};

export function validateLaunch(raw: unknown, host: Host, bundled: BundledFiles): LaunchValidation {
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: ['the launch configuration must be an object of settings'] };
  }
  const a = raw as Record<string, unknown> & Xv6LaunchArguments;

  if (a.type !== undefined && a.type !== 'xv6') problems.push(`type must be "xv6", not ${show(a.type)}`);
  if (a.request !== undefined && a.request !== 'launch') {
    problems.push(`request must be "launch" (attaching is not supported), not ${show(a.request)}`);
  }
  for (const key of Object.keys(a)) {
    const meant = LIKELY_TYPOS[key];
    if (meant && !KNOWN_FIELDS.has(key)) problems.push(`unknown setting "${key}": did you mean "${meant}"?`);
  }

  let base = host.cwd();
  if (a.cwd !== undefined) {
    if (typeof a.cwd !== 'string' || a.cwd === '') problems.push('cwd must be a folder path');
    else if (host.kind(resolve(base, a.cwd)) !== 'dir')
      problems.push(`cwd folder not found: ${resolve(base, a.cwd)}`);
    else base = resolve(base, a.cwd);
  }
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));

  // kernel
  let kernel = bundled.kernel;
  const kernelGiven = a.kernel !== undefined;
  if (kernelGiven) {
    if (typeof a.kernel !== 'string' || a.kernel === '')
      problems.push('kernel must be the path of a kernel ELF file');
    else kernel = abs(a.kernel);
  }
  const kk = host.kind(kernel);
  if (kk === undefined) {
    problems.push(
      kernelGiven
        ? `kernel not found: ${kernel} — run make first?`
        : `the bundled kernel is missing: ${kernel} — reinstall the extension or set "kernel"`,
    );
  } else if (kk === 'dir')
    problems.push(`kernel is a folder, not a file: ${kernel} — give the kernel ELF inside it`);

  // disk: given; null for none; else fs.img beside the kernel's folder (xv6's layout: kernel/kernel,
  // fs.img); the bundled image only with the bundled kernel
  let disk: string | null = null;
  let diskIsBundled = false;
  let diskNote: string | undefined;
  if (a.disk === null || a.disk === 'none') disk = null;
  else if (a.disk !== undefined) {
    if (typeof a.disk !== 'string' || a.disk === '')
      problems.push('disk must be the path of a disk image, or null for none');
    else {
      disk = abs(a.disk);
      const dk = host.kind(disk);
      if (dk === undefined) problems.push(`disk image not found: ${disk} — run make fs.img first?`);
      else if (dk === 'dir') problems.push(`disk is a folder, not a disk image: ${disk}`);
    }
  } else {
    const beside = kernelGiven
      ? [join(dirname(kernel), '..', 'fs.img'), join(dirname(kernel), 'fs.img')]
      : [];
    // Your own kernel never gets the bundled fs.img: another kernel's file system
    // (different mkfs, different user programs) would break it in confusing ways.
    disk = beside.find((p) => host.kind(p) === 'file') ?? (kernelGiven ? null : bundled.disk);
    if (kernelGiven && disk === null)
      diskNote = `note: no fs.img beside ${kernel}, so the machine has no disk; set "disk" to your fs.img`;
    diskIsBundled = disk === bundled.disk;
    if (diskIsBundled && disk !== null && host.kind(disk) !== 'file') {
      problems.push(
        `the bundled disk image is missing: ${disk} — set "disk" to your fs.img, or null for none`,
      );
    }
  }

  const harts = wholeNumber(a.harts, 1);
  if (harts === undefined || harts < 1 || harts > MAX_HARTS)
    problems.push(`harts must be 1 to ${MAX_HARTS}, not ${show(a.harts)}`);

  const memoryMB = wholeNumber(a.memoryMB, DEFAULT_MEMORY_MB);
  if (memoryMB === undefined || memoryMB < MIN_MEMORY_MB || memoryMB > MAX_MEMORY_MB) {
    problems.push(
      `memoryMB must be a whole number of MiB from ${MIN_MEMORY_MB} to ${MAX_MEMORY_MB}, not ${show(a.memoryMB)}`,
    );
  }

  const stopOnEntry = flag(a.stopOnEntry, 'stopOnEntry', problems);
  const persistDisk = flag(a.persistDisk, 'persistDisk', problems);
  if (persistDisk && diskIsBundled) {
    problems.push('persistDisk needs your own disk image in "disk": the bundled image is never changed');
  } else if (persistDisk && a.disk === null)
    problems.push('persistDisk is true but there is no disk (disk is null)');

  let userPrograms: string | undefined;
  if (a.userPrograms !== undefined) {
    if (typeof a.userPrograms !== 'string' || a.userPrograms === '')
      problems.push('userPrograms must be a folder path');
    else {
      // A folder that does not exist yet is fine: make may build it while the session
      // runs, and the session looks again at every stop.
      userPrograms = abs(a.userPrograms);
      if (host.kind(userPrograms) === 'file')
        problems.push(`userPrograms must be a folder of user program ELFs, not a file: ${userPrograms}`);
    }
  }

  let panicSymbol = 'panic';
  if (a.panicSymbol !== undefined) {
    if (typeof a.panicSymbol !== 'string' || !/^[A-Za-z_.$][\w.$]*$/.test(a.panicSymbol)) {
      problems.push(`panicSymbol must be a function name such as "panic", not ${show(a.panicSymbol)}`);
    } else panicSymbol = a.panicSymbol;
  }

  const sourceMap: [string, string][] = [];
  if (a.sourceMap !== undefined) {
    const sm = a.sourceMap as unknown;
    if (typeof sm !== 'object' || sm === null || Array.isArray(sm)) {
      problems.push('sourceMap must map build folders to local folders: { "/build/dir": "/local/dir" }');
    } else {
      for (const [from, to] of Object.entries(sm as Record<string, unknown>)) {
        if (typeof to !== 'string' || to === '')
          problems.push(`sourceMap entry "${from}" must map to a folder path`);
        else sourceMap.push([from, abs(to)]);
      }
      sourceMap.sort((x, y) => y[0].length - x[0].length);
    }
  }

  let virtio: VirtioMode = 'auto';
  if (a.virtio !== undefined) {
    if (a.virtio !== 'legacy' && a.virtio !== 'modern' && a.virtio !== 'auto') {
      problems.push(`virtio must be "legacy", "modern" or "auto", not ${show(a.virtio)}`);
    } else virtio = a.virtio;
  }

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    config: {
      kernel,
      disk,
      diskIsBundled,
      harts: harts!,
      memoryMB: memoryMB!,
      stopOnEntry,
      persistDisk,
      userPrograms,
      panicSymbol,
      sourceMap,
      cwd: base,
      virtio,
      ...(diskNote ? { diskNote } : {}),
    },
  };
}

/** The problems as the one message of an error response (each problem is one sentence). */
export function problemMessage(problems: string[]): string {
  return problems.length === 1
    ? problems[0]!
    : `${problems.length} problems in the launch configuration: ${problems.join('; ')}`;
}

function wholeNumber(v: unknown, dflt: number): number | undefined {
  if (v === undefined) return dflt;
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

function flag(v: unknown, name: string, problems: string[]): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') {
    problems.push(`${name} must be true or false, not ${show(v)}`);
    return false;
  }
  return v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? 'a list' : 'an object';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
}

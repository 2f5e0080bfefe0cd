/**
 * What the extension needs to know about the folder a student opened, without VS Code:
 * whether it is an xv6 tree (and which layout), the launch configurations to offer for it,
 * and how an incomplete `xv6` configuration is filled in before launch (F5 with no
 * launch.json, or a bare `{ "type": "xv6" }`). The folder is read through a small async
 * probe so tests can describe a tree as a list of paths.
 */

import { makefileCpus, MAX_INCLUDES } from './makefile';

/** Reads the opened folder; paths are relative to it, with `/` separators. */
export interface FolderProbe {
  kind(rel: string): Promise<'file' | 'dir' | undefined>;
  /** A small text file's contents (the Makefile); undefined when missing or too large. */
  read?(rel: string): Promise<string | undefined>;
}

/** Where an xv6 tree keeps what the debugger needs, relative to the folder. */
export interface TreeLayout {
  kernel: string;
  /** The disk image, when it exists or the Makefile builds it. */
  disk?: string;
  /**
   * The folder make builds the user program ELFs (`_ls`, `_sh` ...) in, built yet or not:
   * the adapter reads it again whenever the machine stops.
   */
  userPrograms?: string;
  /** make's targets for the `xv6: make` task ([] for plain `make`); undefined without a Makefile. */
  makeTargets?: string[];
  /** The harts `make qemu` boots: the Makefile's CPUS (makefile.ts), when it sets one. */
  cpus?: number;
}

/** The label VS Code gives the task the TaskProvider returns (source `xv6`, name `make`). */
export const MAKE_TASK_LABEL = 'xv6: make';
export const MAKE_TASK_TYPE = 'xv6-make';
export const DEMO_NAME = 'xv6 demo';
export const TREE_CONFIG_NAME = 'xv6: debug the kernel';

const WS = '${workspaceFolder}';

/**
 * The xv6 layout of the folder, or undefined when it is not an xv6 tree. Two layouts:
 * MIT's (the ELF at `kernel/kernel`, `fs.img` and `user/_name` at the top, built by
 * `make kernel/kernel fs.img`), and this project's teaching kernel (sources in
 * `kernel/kernel/`, everything built into `build/` by plain `make`).
 */
export async function detectTree(probe: FolderProbe): Promise<TreeLayout | undefined> {
  const [makefile, kernelDir, kernelElf] = await Promise.all([
    probe.kind('Makefile'),
    probe.kind('kernel'),
    probe.kind('kernel/kernel'),
  ]);
  const hasMake = makefile === 'file';
  if (kernelDir !== 'dir') return undefined;
  const cpus = hasMake ? await treeCpus(probe) : undefined;
  const withCpus = cpus === undefined ? {} : { cpus };

  if (kernelElf === 'file' || (hasMake && kernelElf === undefined)) {
    const disk = hasMake || (await probe.kind('fs.img')) === 'file' ? 'fs.img' : undefined;
    const user = (await probe.kind('user')) === 'dir';
    return {
      kernel: 'kernel/kernel',
      ...(disk ? { disk } : {}),
      ...(user ? { userPrograms: 'user' } : {}),
      ...(hasMake ? { makeTargets: ['kernel/kernel', 'fs.img'] } : {}),
      ...withCpus,
    };
  }
  if (kernelElf === 'dir' && hasMake) {
    // build/ is make's output: after `make clean` it appears with the first build.
    return {
      kernel: 'build/kernel',
      disk: 'build/fs.img',
      userPrograms: 'build/user',
      makeTargets: [],
      ...withCpus,
    };
  }
  return undefined;
}

/** The Makefile's CPUS, with the files it includes (conf/lab.mk) read first. */
async function treeCpus(probe: FolderProbe): Promise<number | undefined> {
  if (!probe.read) return undefined;
  const text = await probe.read('Makefile');
  if (text === undefined) return undefined;
  // makefile.ts reads includes synchronously: fetch the plain ones it may ask for.
  const included = new Map<string, string | undefined>();
  const names = [...text.matchAll(/^-?s?include\s+([^\s$*?[]+)\s*$/gm)].map((m) => m[1]!);
  for (const rel of names.slice(0, MAX_INCLUDES)) included.set(rel, await probe.read(rel));
  return makefileCpus(text, (rel) => included.get(rel));
}

/** The settings that give defaults to every xv6 launch. */
export interface LaunchSettings {
  harts?: unknown;
  /** True when the user set `xv6.harts` (in any scope), not just its default. */
  hartsUserSet?: boolean;
  /** The folder's Makefile CPUS: used before the setting's default. */
  treeCpus?: number;
  memoryMB?: unknown;
}

export type DebugConfig = Record<string, unknown>;

/** The configurations offered when VS Code creates a launch.json. */
export function initialConfigurations(tree: TreeLayout | undefined): DebugConfig[] {
  const demo: DebugConfig = { type: 'xv6', request: 'launch', name: DEMO_NAME, stopOnEntry: false };
  if (!tree) return [demo];
  const own: DebugConfig = {
    type: 'xv6',
    request: 'launch',
    name: TREE_CONFIG_NAME,
    kernel: `${WS}/${tree.kernel}`,
    ...(tree.disk ? { disk: `${WS}/${tree.disk}` } : {}),
    ...(tree.userPrograms ? { userPrograms: `${WS}/${tree.userPrograms}` } : {}),
    ...(tree.makeTargets ? { preLaunchTask: MAKE_TASK_LABEL } : {}),
  };
  return [own];
}

/**
 * Fills in what an `xv6` launch configuration leaves unset. An empty configuration (F5
 * with no launch.json) becomes a launch; with no kernel given, the tree's kernel, disk,
 * user program folder and the make task are used; with no tree, nothing is added, so
 * the adapter runs its bundled kernel and disk. `harts` unset comes from a user-set
 * `xv6.harts`, else the tree's Makefile CPUS (so F5 boots as many harts as `make qemu`),
 * else the setting's default; `memoryMB` unset from the setting (the adapter checks ranges).
 */
export function fillConfiguration(
  config: DebugConfig,
  tree: TreeLayout | undefined,
  settings: LaunchSettings,
): DebugConfig {
  const out: DebugConfig = { ...config };
  out.type ??= 'xv6';
  out.request ??= 'launch';
  out.name ??= tree ? TREE_CONFIG_NAME : DEMO_NAME;
  if (tree && out.kernel === undefined) {
    out.kernel = `${WS}/${tree.kernel}`;
    if (out.disk === undefined && tree.disk) out.disk = `${WS}/${tree.disk}`;
    // Built or not: the make task runs after this and builds user/_* (make clean).
    if (out.userPrograms === undefined && tree.userPrograms) out.userPrograms = `${WS}/${tree.userPrograms}`;
    if (out.preLaunchTask === undefined && tree.makeTargets) out.preLaunchTask = MAKE_TASK_LABEL;
  }
  const harts = out.harts === undefined ? defaultHarts(settings) : undefined;
  if (harts !== undefined) out.harts = harts;
  if (out.memoryMB === undefined && Number.isInteger(settings.memoryMB)) out.memoryMB = settings.memoryMB;
  return out;
}

/** The hart count for a configuration that sets none (see fillConfiguration). */
export function defaultHarts(settings: LaunchSettings): number | undefined {
  const setting = Number.isInteger(settings.harts) ? (settings.harts as number) : undefined;
  if (settings.hartsUserSet && setting !== undefined) return setting;
  return settings.treeCpus ?? setting;
}

/** The shell command of the `xv6: make` task. */
export function makeCommand(targets: readonly string[]): string {
  return ['make', ...targets].join(' ');
}

/** True when `path` is inside `folder` (both absolute, same separator style). */
export function isInside(path: string, folder: string): boolean {
  const f = folder.replace(/[\\/]+$/, '');
  if (path.length <= f.length || !path.startsWith(f)) return false;
  const sep = path[f.length];
  return sep === '/' || sep === '\\';
}

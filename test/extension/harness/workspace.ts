/**
 * Makes the sample xv6 tree the real-VS-Code tests open: the bundled kernel as
 * `kernel/kernel` beside its C sources, its disk as `fs.img`, the user programs' sources
 * and the `_lazytests` ELF in `user/`, a Makefile whose targets are already up to date,
 * the staged kernel that panics in `uvmunmap`, and `.vscode/launch.json` naming both
 * (or, for the F5 tests, no launch.json and a Makefile that sets CPUS as xv6's does).
 * Everything comes from the repository (kernel/prebuilt, kernel/kernel, kernel/user,
 * test/adapter/user), so no cross compiler is needed.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './paths';

/** Names of the launch configurations in the sample tree's launch.json. */
export const LAUNCH_SAMPLE = 'xv6: sample tree';
export const LAUNCH_STAGE1 = 'xv6: stage 1 (uvmunmap panic)';

export interface SampleWorkspace {
  root: string;
  kernel: string;
  disk: string;
  userPrograms: string;
  stage1: string;
}

const MAKEFILE = `# Sample xv6 tree for the extension tests: the images are prebuilt, so every target
# is up to date and the preLaunchTask's make has nothing to do.
kernel/kernel:
\t@echo "kernel/kernel is prebuilt"

fs.img:
\t@echo "fs.img is prebuilt"
`;

/** Workspace settings: a quiet workbench, and the terminal drawn as DOM text the UI tests can read. */
export const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'terminal.integrated.gpuAcceleration': 'off',
  'debug.openDebug': 'openOnDebugBreak',
};

export interface SampleOptions {
  /** Write .vscode/launch.json (default true); without it F5 relies on the extension alone. */
  launchJson?: boolean;
  /** Give the Makefile xv6's `ifndef CPUS / CPUS := n / endif`. */
  cpus?: number;
}

export function makeSampleWorkspace(parent?: string, opts: SampleOptions = {}): SampleWorkspace {
  const root = mkdtempSync(join(parent ?? tmpdir(), 'xv6-sample-'));
  const prebuilt = join(REPO, 'kernel', 'prebuilt');
  mkdirSync(join(root, 'kernel'), { recursive: true });
  mkdirSync(join(root, 'user'), { recursive: true });
  mkdirSync(join(root, 'stages'), { recursive: true });
  mkdirSync(join(root, '.vscode'), { recursive: true });
  cpSync(join(REPO, 'kernel', 'kernel'), join(root, 'kernel'), { recursive: true });
  cpSync(join(REPO, 'kernel', 'user'), join(root, 'user'), { recursive: true });
  const kernel = join(root, 'kernel', 'kernel');
  const disk = join(root, 'fs.img');
  const userPrograms = join(root, 'user');
  const stage1 = join(root, 'stages', 'kernel-stage1');
  copyFileSync(join(prebuilt, 'kernel'), kernel);
  copyFileSync(join(prebuilt, 'fs.img'), disk);
  copyFileSync(join(prebuilt, 'kernel-stage1'), stage1);
  copyFileSync(join(REPO, 'test', 'adapter', 'user', '_lazytests'), join(userPrograms, '_lazytests'));
  const cpus = opts.cpus === undefined ? '' : `\nifndef CPUS\nCPUS := ${opts.cpus}\nendif\n`;
  writeFileSync(join(root, 'Makefile'), MAKEFILE + cpus);
  const launch = {
    version: '0.2.0',
    configurations: [
      {
        type: 'xv6',
        request: 'launch',
        name: LAUNCH_SAMPLE,
        kernel: '${workspaceFolder}/kernel/kernel',
        disk: '${workspaceFolder}/fs.img',
        userPrograms: '${workspaceFolder}/user',
      },
      {
        type: 'xv6',
        request: 'launch',
        name: LAUNCH_STAGE1,
        kernel: '${workspaceFolder}/stages/kernel-stage1',
        disk: '${workspaceFolder}/fs.img',
        userPrograms: '${workspaceFolder}/user',
      },
    ],
  };
  if (opts.launchJson !== false)
    writeFileSync(join(root, '.vscode', 'launch.json'), JSON.stringify(launch, null, 2) + '\n');
  writeFileSync(join(root, '.vscode', 'settings.json'), JSON.stringify(SETTINGS, null, 2) + '\n');
  return { root, kernel, disk, userPrograms, stage1 };
}

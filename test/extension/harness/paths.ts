/**
 * Where the real-VS-Code tests find their tools: Node 24 and code-server as
 * scripts/vscode-test/install.sh leaves them in the cache folder, and Debian's chromium.
 * `requireTools()` fails with one clear line when something is missing, so a machine
 * without them fails the suite instead of skipping it.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = process.env.XV6_CHROMIUM ?? '/usr/bin/chromium';
/** The repository root (this file is test/extension/harness/paths.ts). */
export const REPO = join(__dirname, '..', '..', '..');
/**
 * The extension under test: the repository (its package.json and dist/), or another
 * folder with the same layout (e.g. an unpacked .vsix) named by XV6_EXTENSION_PATH.
 */
export const EXTENSION = process.env.XV6_EXTENSION_PATH ?? REPO;
/** Scratch output of the extension tests (gitignored): the bundled suite, reports. */
export const OUT = join(REPO, 'test', 'out', 'extension');
/** Screenshots of the UI tests (gitignored). */
export const SCREENSHOTS = join(REPO, 'test', 'output', 'screenshots');

export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return process.env.XV6_VSCODE_TEST_CACHE ?? join(xdg, 'xv6-debugger', 'vscode-test');
}

export interface Tools {
  /** Node 24, which code-server's server runs on. */
  node: string;
  /** code-server's VS Code server entry point. */
  serverMain: string;
  chromium: string;
}

/** The tools, or an Error naming the first one missing and how to get it. */
export function requireTools(): Tools {
  const cache = cacheDir();
  const node = join(cache, 'node24', 'node_modules', 'node', 'bin', 'node');
  const serverMain = join(
    cache,
    `code-server-${CODE_SERVER_VERSION}`,
    'node_modules',
    'code-server',
    'lib',
    'vscode',
    'out',
    'server-main.js',
  );
  const hint = 'run `bash scripts/vscode-test/install.sh` first';
  if (!existsSync(node)) throw new Error(`Node 24 is missing (${node}): ${hint}`);
  if (!existsSync(serverMain)) throw new Error(`code-server is missing (${serverMain}): ${hint}`);
  if (!existsSync(CHROMIUM)) throw new Error(`chromium is missing (${CHROMIUM}): apt-get install chromium`);
  return { node, serverMain, chromium: CHROMIUM };
}

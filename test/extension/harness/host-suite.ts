/**
 * Runs the in-host mocha suite (test/extension/suite) inside a real VS Code: bundles it
 * with esbuild, makes the sample xv6 tree, starts code-server's VS Code server, opens the
 * workbench in headless chromium with the extension under development and the suite as
 * `extensionTestsPath`, and waits for the workbench to call `codeAutomationExit`. The
 * workbench calls the page functions `codeAutomationLog(level, message)` and
 * `codeAutomationExit(code, logs)` when they exist (smoke-test driver mode); this file
 * defines them with playwright's `exposeFunction`. The server is always stopped.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchWorkbench } from './browser';
import { EXTENSION, OUT, REPO, requireTools, type Tools } from './paths';
import { startServer } from './server';
import { makeSampleWorkspace } from './workspace';
import { REPORT_ENV, SUITE_PREFIX, type SuiteReport } from '../suite/report';

/**
 * Bundles test/extension/suite/index.ts to test/out/extension/suite/index.js; mocha stays
 * external (found in the repository's node_modules). Stack lines name the bundle: the
 * extension host replaces Error.prepareStackTrace, so source maps do not apply.
 */
export async function bundleSuite(): Promise<string> {
  const outfile = join(OUT, 'suite', 'index.js');
  await build({
    absWorkingDir: REPO,
    entryPoints: ['test/extension/suite/index.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return outfile;
}

export interface HostRunOptions {
  /** Overall limit; past it the run fails with a clear message. */
  timeoutMs?: number;
  /** Limit for the suite's first line (the workbench loading the extension host and the suite). */
  startTimeoutMs?: number;
  /** Called with each line the suite logs (for streaming). */
  onLog?: (line: string) => void;
  /** Only tests whose full title matches (mocha's grep), through XV6_EXT_TEST_GREP. */
  grep?: string;
  /** The extension under test; default: EXTENSION (the repository). */
  extensionPath?: string;
}

export interface HostRun {
  /** The extension host's exit code: 0 when every test passed. */
  code: number;
  log: string[];
  report?: SuiteReport;
}

export async function runHostSuite(opts: HostRunOptions = {}): Promise<HostRun> {
  const tools = requireTools();
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  const startMs = opts.startTimeoutMs ?? 2 * 60_000;
  const suite = await bundleSuite();
  const extensionPath = opts.extensionPath ?? EXTENSION;
  if (!existsSync(join(extensionPath, 'package.json'))) {
    throw new Error(`no extension at ${extensionPath} (no package.json)`);
  }
  if (extensionPath === REPO && !existsSync(join(REPO, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `node scripts/build.mjs` first');
  }
  mkdirSync(OUT, { recursive: true });
  const reportFile = join(OUT, 'host-report.json');
  rmSync(reportFile, { force: true });
  const ws = makeSampleWorkspace();
  try {
    return await runInWorkbench(tools, suite, extensionPath, ws.root, reportFile, opts, startMs, timeoutMs);
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

async function runInWorkbench(
  tools: Tools,
  suite: string,
  extensionPath: string,
  folder: string,
  reportFile: string,
  opts: HostRunOptions,
  startMs: number,
  timeoutMs: number,
): Promise<HostRun> {
  // EXTENSIONS_GALLERY={} leaves code-server without a marketplace, so it never looks one up.
  const env: Record<string, string> = { [REPORT_ENV]: reportFile, EXTENSIONS_GALLERY: '{}' };
  if (opts.grep) env.XV6_EXT_TEST_GREP = opts.grep;
  const server = await startServer(tools, { env, logFile: join(OUT, 'host-server.log') });
  const log: string[] = [];
  const workbench = await launchWorkbench(tools).catch(async (e: unknown) => {
    await server.stop();
    throw e;
  });
  try {
    let exited: (code: number) => void = () => undefined;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    let started = false;
    // Only the suite's own lines are streamed; all go to the log file.
    await workbench.page.exposeFunction('codeAutomationLog', (_level: string, message: unknown) => {
      for (const line of String(message).split('\n')) {
        log.push(line);
        const at = line.indexOf(SUITE_PREFIX);
        if (at >= 0) {
          started = true;
          opts.onLog?.(line.slice(at + SUITE_PREFIX.length));
        }
      }
    });
    await workbench.page.exposeFunction('codeAutomationExit', (code: number) => {
      exited(code);
    });
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', server.remote(extensionPath)],
      ['extensionTestsPath', server.remote(suite)],
    ];
    const begun = Date.now();
    await workbench.page.goto(server.url(folder, payload), { timeout: 90_000 });
    const tail = (): string =>
      `last log lines:\n${log.slice(-40).join('\n')}\n` +
      `browser console:\n${workbench.console().slice(-20).join('\n')}\n` +
      `server output:\n${server.output().slice(-1500)}`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        const elapsed = Date.now() - begun;
        if (!started && elapsed > startMs) {
          reject(
            new Error(
              `the in-host suite did not start within ${startMs / 1000} s: the workbench never ran ` +
                `extensionTestsPath (it only does with --enable-smoke-test-driver); ${tail()}`,
            ),
          );
        } else if (elapsed > timeoutMs) {
          reject(
            new Error(
              `the in-host suite did not finish within ${timeoutMs / 1000} s (no codeAutomationExit); ${tail()}`,
            ),
          );
        }
      }, 1000);
    });
    const code = await Promise.race([exit, timeout]).finally(() => clearInterval(timer));
    const report = existsSync(reportFile)
      ? (JSON.parse(readFileSync(reportFile, 'utf8')) as SuiteReport)
      : undefined;
    return { code, log, report };
  } finally {
    writeFileSync(join(OUT, 'host-browser-console.log'), workbench.console().join('\n') + '\n');
    writeFileSync(join(OUT, 'host-workbench.log'), log.join('\n') + '\n');
    await workbench.close();
    await server.stop();
  }
}

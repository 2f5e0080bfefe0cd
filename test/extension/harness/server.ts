/**
 * Starts the VS Code server that code-server ships (`lib/vscode/out/server-main.js`) on
 * Node 24, on a free loopback port, with the smoke-test driver enabled (without it the
 * workbench never runs `extensionTestsPath`) and fresh user-data and extensions folders
 * (removed again by `stop()`). The server runs in its own process group so `stop()` ends it and every child it
 * started (extension host, pty host, file watcher) and returns once all are gone; the
 * group is also killed if the test process exits or is interrupted without `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tools } from './paths';

export interface VsCodeServer {
  port: number;
  /** `vscode-remote://127.0.0.1:PORT/abs/path`: how the workbench names a server-side path. */
  remote(path: string): string;
  /** The workbench URL opening `folder`, with optional development payload pairs. */
  url(folder: string, payload?: [string, string][]): string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerOptions {
  /** Extra environment for the server and so for its extension host. */
  env?: Record<string, string>;
  /** File the server's output is copied to. */
  logFile?: string;
  /** How long to wait for the server to listen. */
  startTimeoutMs?: number;
}

export async function startServer(tools: Tools, opts: ServerOptions = {}): Promise<VsCodeServer> {
  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), 'xv6-vscode-server-'));
  const userData = join(scratch, 'user-data');
  const extensions = join(scratch, 'extensions');
  mkdirSync(userData, { recursive: true });
  mkdirSync(extensions, { recursive: true });
  const args = [
    tools.serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    '--enable-smoke-test-driver',
    '--disable-workspace-trust',
    '--disable-telemetry',
    '--user-data-dir',
    userData,
    '--server-data-dir',
    userData,
    '--extensions-dir',
    extensions,
    '--accept-server-license-terms',
  ];
  const child: ChildProcess = spawn(tools.node, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  const log = opts.logFile ? createWriteStream(opts.logFile) : undefined;
  const onData = (b: Buffer): void => {
    out += b.toString();
    log?.write(b);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );

  // The server's process group: every process it started, until all have exited.
  const group = child.pid;
  const groupAlive = (): boolean => {
    if (group === undefined) return false;
    try {
      process.kill(-group, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (group !== undefined) process.kill(-group, signal);
    } catch {
      // already gone
    }
  };
  // If this process ends without stop() (a signal, an uncaught error), the server goes too.
  const onExit = (): void => {
    signalGroup('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    signalGroup('SIGKILL');
    // Then do what the signal would have done; exiting runs playwright's exit hook, which
    // kills the browser (its own SIGTERM handler closes the browser but does not exit).
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // SIGTERM lets the server end its extension host cleanly; after 5 s, SIGKILL.
      signalGroup('SIGTERM');
      const deadline = Date.now() + 5000;
      while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive()) signalGroup('SIGKILL');
      if (!exited) await exit;
      // Bounded: an orphan that nobody reaps stays visible as a zombie.
      const reaped = Date.now() + 5000;
      while (groupAlive() && Date.now() < reaped) await new Promise((r) => setTimeout(r, 50));
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
      rmSync(scratch, { recursive: true, force: true });
    })());

  // Ready when the server says it listens (VS Code prints "Extension host agent listening on PORT").
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (!/listening on \d+/.test(out)) {
    if (exited) {
      await stop();
      throw new Error(`the VS Code server exited before listening:\n${out.slice(-3000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the VS Code server did not listen within the timeout:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const remote = (path: string): string => `vscode-remote://127.0.0.1:${port}${path}`;
  return {
    port,
    remote,
    url(folder, payload) {
      const q = new URLSearchParams({ folder });
      if (payload) q.set('payload', JSON.stringify(payload));
      return `http://127.0.0.1:${port}/?${q.toString()}`;
    },
    output: () => out,
    stop,
  };
}

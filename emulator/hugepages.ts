/**
 * Transparent huge pages for guest RAM. Every xv6-style kernel fills all of its free
 * memory at boot (kfree's junk), so the host takes one page fault per 4 KiB of guest RAM:
 * 32768 of them for 128 MiB, which on a virtual machine host costs more than the rest of
 * the boot. QEMU asks Linux for 2 MiB pages on guest RAM (madvise MADV_HUGEPAGE); Node has
 * no call for that, but glibc (2.35 and later) makes the same request for its large
 * allocations, which is where an ArrayBuffer of guest RAM comes from, when the tunable
 * `glibc.malloc.hugetlb=1` is set. glibc reads tunables once, when the process starts, so
 * an entry point that wants huge pages (the CLI, the benchmark) starts itself again with
 * the variable set. Where glibc or the kernel lacks the feature, the variable is ignored;
 * a user who set `glibc.malloc.hugetlb` themselves, or XV6EMU_HUGEPAGES=0, is left alone.
 */
import { spawn } from 'node:child_process';

const TUNABLE = 'glibc.malloc.hugetlb';
/** Set in the relaunched process: the pid of the one that started it. */
const PARENT = 'XV6EMU_RELAUNCHED_BY';

/**
 * The environment to start again with, or undefined when this process should go on as it
 * is (not Linux, already asked, or opted out).
 */
export function hugePageEnv(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv | undefined {
  if (platform !== 'linux' || env.XV6EMU_HUGEPAGES === '0') return undefined;
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (tunables.split(':').some((t) => t.startsWith(`${TUNABLE}=`))) return undefined;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${TUNABLE}=1` : `${TUNABLE}=1` };
}

/**
 * Start this script again with huge pages asked for, sharing the terminal, and resolve with
 * its exit status (128 + n for a signal, as a shell reports it); undefined when this process
 * should do the work itself (no relaunch wanted, or the relaunch could not start). Termination signals sent to this process are passed on.
 */
export function relaunchWithHugePages(): Promise<number | undefined> {
  const env = hugePageEnv(process.env);
  const script = process.argv[1];
  if (env === undefined || script === undefined) {
    exitWithParent();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
      env: { ...env, [PARENT]: String(process.pid) },
      stdio: 'inherit',
    });
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const forward = (s: NodeJS.Signals): void => {
      child.kill(s);
    };
    for (const s of signals) process.on(s, forward);
    child.on('error', () => {
      // Could not start again: do the work in this process.
      for (const s of signals) process.off(s, forward);
      resolve(undefined);
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
    });
  });
}

/**
 * In a relaunched process: end when the process that started it is gone (killed without
 * a chance to pass the signal on), rather than run on unseen.
 */
function exitWithParent(): void {
  const parent = Number(process.env[PARENT]);
  // Not passed on: a process this one starts has another parent.
  delete process.env[PARENT];
  if (!Number.isInteger(parent) || parent <= 0) return;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(129);
  }, 500).unref();
}

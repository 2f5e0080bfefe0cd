/**
 * The bench rows on what students run: upstream xv6 (../shared/xv6-riscv, MIT's kernel and
 * fs.img built by its own Makefile; see its README), with `qemu-system-riscv64` on the same
 * images beside each row, on 1 hart and on 3 (xv6's Makefile default):
 * - boot to the first prompt, best of 3: in this process and from process start (`xv6emu`
 *   spawned as QEMU is, timed from the spawn);
 * - `usertests -q` from process start to the prompt after `ALL TESTS PASSED` (skipped with
 *   `--quick`: together they take several minutes).
 * Upstream's Makefile runs QEMU with modern virtio; both sides get it. QEMU gets its own
 * copy of the image, and the emulator writes none (its disk is an overlay). When the tree
 * is absent the rows are left out with a one-line note: nothing here depends on it.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../emulator/boot';
import { atPrompt, bootToPrompt, timeSpawn, type PromptBoot, type SpawnRun } from './bench-run';

export const UPSTREAM = process.env.XV6_UPSTREAM ?? join(packageRoot(), '..', 'shared', 'xv6-riscv');
const QEMU = 'qemu-system-riscv64';
const USERTESTS = 'usertests -q';
const PASSED = /ALL TESTS PASSED\r?\n\$ /;
/** Limits per run: a boot, and the whole of usertests -q (QEMU takes about a minute). */
const BOOT_MS = 120_000;
const USERTESTS_MS = 900_000;

const kernel = (): string => join(UPSTREAM, 'kernel');
const disk = (): string => join(UPSTREAM, 'fs.img');

export function upstreamPresent(): boolean {
  return existsSync(kernel()) && existsSync(disk());
}

/** `xv6emu` on upstream's kernel and image, timed from process start. */
function emuProcess(harts: number, run: SpawnRun): Promise<number> {
  const args = [join(packageRoot(), 'dist', 'cli.js'), '--kernel', kernel(), '--disk', disk()];
  args.push('--harts', String(harts), '--virtio', 'modern', '--timeout-insns', '1000000000000');
  return timeSpawn(process.execPath, args, run);
}

/** QEMU on upstream's kernel and a copy of its image, as upstream's Makefile runs it. */
async function qemuProcess(harts: number, run: SpawnRun): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'xv6-bench-upstream-'));
  const img = join(dir, 'fs.img');
  copyFileSync(disk(), img);
  try {
    return await timeSpawn(
      QEMU,
      [
        ...['-machine', 'virt', '-bios', 'none', '-kernel', kernel(), '-m', '128M', '-smp', String(harts)],
        ...['-nographic', '-global', 'virtio-mmio.force-legacy=false'],
        ...['-drive', `file=${img},if=none,format=raw,id=x0`],
        ...['-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0'],
      ],
      run,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface UpstreamHarts {
  harts: number;
  bootInsns: number;
  boot: number;
  coldBoot: number;
  qemuBoot: number | null;
  usertests: number | null;
  qemuUsertests: number | null;
}

const bestOf3 = async (f: () => Promise<number>): Promise<number> =>
  Math.min(await f(), await f(), await f());

/** The figures for 1 and 3 harts; QEMU's are null when it is not installed. */
export async function upstreamBench(opts: { qemu: boolean; quick: boolean }): Promise<UpstreamHarts[]> {
  const out: UpstreamHarts[] = [];
  for (const harts of [1, 3]) {
    const inProcess = (): PromptBoot =>
      bootToPrompt({ kernel: kernel(), disk: disk(), harts, virtio: 'modern' }, 20e9);
    const boots = [inProcess(), inProcess(), inProcess()];
    const b = boots.reduce((x, y) => (y.seconds < x.seconds ? y : x));
    // For the boot rows nothing is typed: the first prompt ends the run.
    const bootRun: SpawnRun = { done: atPrompt, limitMs: BOOT_MS };
    const coldBoot = await bestOf3(() => emuProcess(harts, bootRun));
    const qemuBoot = opts.qemu ? await bestOf3(() => qemuProcess(harts, bootRun)) : null;
    const testsRun: SpawnRun = {
      input: `${USERTESTS}\n`,
      done: (out) => PASSED.test(out),
      limitMs: USERTESTS_MS,
    };
    const usertests = opts.quick ? null : await emuProcess(harts, testsRun);
    const qemuUsertests = opts.quick || !opts.qemu ? null : await qemuProcess(harts, testsRun);
    out.push({ harts, bootInsns: b.instret, boot: b.seconds, coldBoot, qemuBoot, usertests, qemuUsertests });
  }
  return out;
}

/** Table rows (label, this emulator, QEMU, ratio) in bench.ts's layout. */
export function upstreamRows(figures: readonly UpstreamHarts[]): string[][] {
  const s = (n: number | null): string => (n === null ? '-' : `${n.toFixed(2)} s`);
  const ratio = (a: number | null, b: number | null): string =>
    a === null || b === null ? '-' : `${(a / b).toFixed(1)}x`;
  const rows: string[][] = [];
  for (const f of figures) {
    const h = `${f.harts} hart${f.harts > 1 ? 's' : ''}`;
    rows.push(
      [
        `upstream xv6, ${h}: boot to first prompt (${(f.bootInsns / 1e6).toFixed(0)}M insns), best of 3`,
        s(f.boot),
        s(f.qemuBoot),
        ratio(f.boot, f.qemuBoot),
      ],
      ['  the same from process start (xv6emu)', s(f.coldBoot), s(f.qemuBoot), ratio(f.coldBoot, f.qemuBoot)],
      [
        `  ${USERTESTS}, from process start`,
        s(f.usertests),
        s(f.qemuUsertests),
        ratio(f.usertests, f.qemuUsertests),
      ],
    );
  }
  return rows;
}

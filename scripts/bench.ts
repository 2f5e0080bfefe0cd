/**
 * `npm run bench`: speed figures of the emulator printed side by side with QEMU's on the
 * same images, in the same run.
 * - workload: bench/prebuilt/workload.elf, a fixed integer program in S-mode with Sv39 on;
 *   MIPS = instructions retired / wall seconds.
 * - boot: the bundled kernel from reset to the first shell prompt `$ `, best of 3: in
 *   this (warmed-up) process, and from the start of a new `xv6emu` process as QEMU is
 *   timed from its spawn. Both sides have guest RAM on huge pages (hugepages.ts).
 * A second table gives the debug adapter's figures (bench-adapter.ts): step time, the
 * boot with never-hit breakpoints, and event-loop blocking while the guest runs.
 * A third table has the same on upstream xv6 when ../shared/xv6-riscv is present
 * (bench-upstream.ts: boots and `usertests -q` on 1 and 3 harts; `--quick` leaves out
 * usertests). `--json` prints one JSON line instead of the tables. QEMU columns are empty when
 * qemu-system-riscv64 is not installed. Nothing here asserts a time.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot, bundledDisk, bundledKernel, packageRoot } from '../emulator/boot';
import { atPrompt, bootToPrompt, timeSpawn, type PromptBoot } from './bench-run';
import { relaunchWithHugePages } from '../emulator/hugepages';
import { adapterBench, adapterJson, adapterRows } from './bench-adapter';
import { UPSTREAM, upstreamBench, upstreamPresent, upstreamRows } from './bench-upstream';

const QEMU = 'qemu-system-riscv64';
const workload = join(packageRoot(), 'bench', 'prebuilt', 'workload.elf');

function hasQemu(): boolean {
  return spawnSync(QEMU, ['--version'], { stdio: 'ignore' }).status === 0;
}

function emuWorkload(): { seconds: number; instret: number } {
  const { machine } = boot({ kernel: workload, disk: null });
  const t0 = process.hrtime.bigint();
  for (;;) {
    const stop = machine.run(1e9);
    if (stop.kind === 'poweroff') {
      if (stop.code !== 0) throw new Error(`the workload computed a wrong checksum (code ${stop.code})`);
      break;
    }
    if (stop.kind !== 'budget') throw new Error(`the workload stopped unexpectedly: ${stop.kind}`);
  }
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, instret: machine.instret };
}

/** Run QEMU until `done` says so (or it exits); wall seconds from spawn. */
function qemuRun(args: string[], done: (out: string) => boolean): Promise<number> {
  return timeSpawn(QEMU, args, { done, limitMs: 120_000, exitEnds: true });
}

async function qemuBoot(): Promise<number> {
  // QEMU gets its own copy of the image: the bundled one is never written.
  const dir = mkdtempSync(join(tmpdir(), 'xv6-bench-'));
  const img = join(dir, 'fs.img');
  copyFileSync(bundledDisk(), img);
  try {
    return await qemuRun(
      [
        '-machine',
        'virt',
        '-bios',
        'none',
        '-kernel',
        bundledKernel(),
        '-m',
        '128M',
        '-smp',
        '1',
        '-nographic',
        '-drive',
        `file=${img},if=none,format=raw,id=x0`,
        '-device',
        'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0',
      ],
      atPrompt,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Boot to the first prompt from process start, as QEMU is timed: `xv6emu` (dist/cli.js)
 * spawned with no arguments, until `$ ` appears on its output.
 */
function cliBoot(): Promise<number> {
  return timeSpawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js')], {
    done: atPrompt,
    limitMs: 120_000,
  });
}

const fmt = (n: number | undefined, digits = 2): string => (n === undefined ? '-' : n.toFixed(digits));

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows)
    process.stdout.write(row.map((cell, c) => cell.padEnd(widths[c]!)).join('   ') + '\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const qemu = hasQemu();
  const w = emuWorkload();
  const qw = qemu
    ? await qemuRun(
        ['-machine', 'virt', '-bios', 'none', '-kernel', workload, '-m', '128M', '-nographic'],
        () => false,
      )
    : undefined;
  // Best of 3 on both sides: QEMU's time from spawn swings by 2x from run to run.
  const emuBoot = (): PromptBoot => bootToPrompt();
  const boots = [emuBoot(), emuBoot(), emuBoot()];
  const b = boots.reduce((x, y) => (y.seconds < x.seconds ? y : x));
  const cold = Math.min(await cliBoot(), await cliBoot(), await cliBoot());
  const qb = qemu ? Math.min(await qemuBoot(), await qemuBoot(), await qemuBoot()) : undefined;
  const a = await adapterBench(emuBoot);
  const upstream = upstreamPresent()
    ? await upstreamBench({ qemu, quick: process.argv.includes('--quick') })
    : undefined;
  const r = {
    mips: w.instret / w.seconds / 1e6,
    workloadSeconds: w.seconds,
    workloadInsns: w.instret,
    qemuWorkloadSeconds: qw ?? null,
    bootSeconds: b.seconds,
    bootInsns: b.instret,
    qemuBootSeconds: qb ?? null,
    bootRatio: qb ? b.seconds / qb : null,
    coldBootSeconds: cold,
    coldBootRatio: qb ? cold / qb : null,
    ...adapterJson(a),
    upstream: upstream ?? null,
  };
  if (json) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const rows = [
    ['', 'this emulator', 'qemu-system-riscv64', 'ratio'],
    [
      `workload, Sv39 on (${(w.instret / 1e6).toFixed(0)}M insns)`,
      `${fmt(w.seconds)} s = ${fmt(r.mips, 1)} MIPS`,
      qw === undefined ? 'not installed' : `${fmt(qw)} s = ${fmt(w.instret / qw / 1e6, 0)} MIPS`,
      qw === undefined ? '-' : `${fmt(w.seconds / qw, 1)}x`,
    ],
    [
      `boot to first prompt (${(b.instret / 1e6).toFixed(0)}M insns), best of 3`,
      `${fmt(b.seconds)} s`,
      qb === undefined ? 'not installed' : `${fmt(qb)} s`,
      qb === undefined ? '-' : `${fmt(b.seconds / qb, 1)}x`,
    ],
    [
      '  the same from process start (xv6emu)',
      `${fmt(cold)} s`,
      qb === undefined ? 'not installed' : `${fmt(qb)} s`,
      qb === undefined ? '-' : `${fmt(cold / qb, 1)}x`,
    ],
  ];
  printTable(rows);
  process.stdout.write('\n');
  printTable(adapterRows(a));
  process.stdout.write('\n');
  if (upstream)
    printTable([['', 'this emulator', 'qemu-system-riscv64', 'ratio'], ...upstreamRows(upstream)]);
  else process.stdout.write(`upstream xv6 rows left out: no kernel and fs.img at ${UPSTREAM}\n`);
}

// Guest RAM on huge pages, as the CLI and QEMU have it (emulator/hugepages.ts).
relaunchWithHugePages()
  .then((code) => (code === undefined ? main() : process.exit(code)))
  .catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });

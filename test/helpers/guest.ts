/**
 * Running a command on a booted kernel and capturing what it printed, on this emulator
 * (through dist/cli.js --run) and on qemu-system-riscv64 (the reference machine), so
 * tests can check results and compare the two transcripts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');
export const cli = join(root, 'dist', 'cli.js');
export const prebuilt = (name: string): string => join(root, 'kernel', 'prebuilt', name);

export interface GuestRun {
  status: number | null;
  /** Everything the console printed. */
  output: string;
  stderr: string;
  /** What the command printed: after its echoed line, up to the next prompt. */
  transcript: string;
}

/** The command's own output from a console log that holds `$ CMD\n ... $ `. */
export function transcriptOf(output: string, cmd: string): string {
  const text = output.replace(/\r/g, '');
  const start = text.indexOf(`$ ${cmd}\n`);
  if (start < 0) return '';
  const rest = text.slice(start + cmd.length + 3);
  const end = rest.lastIndexOf('$ ');
  return end < 0 ? rest : rest.slice(0, end);
}

export function runEmu(
  cmd: string,
  opts: {
    kernel?: string;
    disk?: string;
    harts?: number;
    virtio?: string;
    timeoutInsns?: number;
    extra?: string[];
  } = {},
): GuestRun {
  const args = [cli, '--run', cmd, '--timeout-insns', String(opts.timeoutInsns ?? 20_000_000_000)];
  if (opts.kernel) args.push('--kernel', opts.kernel, '--disk', opts.disk ?? prebuilt('fs.img'));
  if (opts.harts) args.push('--harts', String(opts.harts));
  if (opts.virtio) args.push('--virtio', opts.virtio);
  args.push(...(opts.extra ?? []));
  const p = spawnSync(process.execPath, args, {
    encoding: 'latin1',
    timeout: 1_200_000,
    maxBuffer: 64 << 20,
  });
  return { status: p.status, output: p.stdout, stderr: p.stderr, transcript: transcriptOf(p.stdout, cmd) };
}

export function hasQemu(): boolean {
  return spawnSync('qemu-system-riscv64', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Boot under QEMU, type `cmd` at the first prompt, stop at the next prompt or a panic. */
export function runQemu(
  cmd: string,
  opts: { kernel?: string; harts?: number; virtio?: 'legacy' | 'modern'; timeoutMs?: number } = {},
): Promise<GuestRun> {
  const dir = mkdtempSync(join(tmpdir(), 'xv6-qemu-'));
  const img = join(dir, 'fs.img');
  copyFileSync(prebuilt('fs.img'), img);
  const args = [
    '-machine',
    'virt',
    '-bios',
    'none',
    '-kernel',
    opts.kernel ?? prebuilt('kernel'),
    '-m',
    '128M',
    '-smp',
    String(opts.harts ?? 1),
    '-nographic',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    '-drive',
    `file=${img},if=none,format=raw,id=x0`,
    '-device',
    'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0',
  ];
  if (opts.virtio === 'modern') args.push('-global', 'virtio-mmio.force-legacy=false');
  return new Promise((resolve) => {
    const p = spawn('qemu-system-riscv64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let typed = false;
    let done = false;
    const finish = (status: number | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      p.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      resolve({ status, output: out, stderr: err, transcript: transcriptOf(out, cmd) });
    };
    const timer = setTimeout(() => finish(null), opts.timeoutMs ?? 600_000);
    p.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      const text = out.replace(/\r/g, '');
      if (!typed && /(^|\n)\$ $/.test(text)) {
        typed = true;
        p.stdin.write(cmd + '\n');
      } else if (
        typed &&
        text.lastIndexOf(`$ ${cmd}\n`) >= 0 &&
        /\n\$ $/.test(text.slice(text.indexOf(`$ ${cmd}\n`) + 2))
      ) {
        finish(0);
      } else if (/panic: .*\n/.test(text)) {
        setTimeout(() => finish(3), 200);
      }
    });
    p.on('exit', (code) => finish(code));
  });
}

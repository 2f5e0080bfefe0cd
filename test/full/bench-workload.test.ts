/**
 * Full suite: the benchmark workload committed in bench/prebuilt/ is what its sources
 * build (cross compiler needed), and it passes its own checksum on QEMU and on this
 * emulator, so `npm run bench` compares the two machines on a correct program.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cli, root } from '../helpers/guest';

const elf = join(root, 'bench', 'prebuilt', 'workload.elf');

describe('benchmark workload', function () {
  this.timeout(300_000);

  it('rebuilds byte for byte', () => {
    const out = execFileSync('make', ['-s', '-C', join(root, 'bench', 'workload'), 'check'], {
      encoding: 'utf8',
    });
    assert.match(out, /reproducible/);
  });

  it('passes its checksum on QEMU', () => {
    const r = spawnSync(
      'qemu-system-riscv64',
      ['-machine', 'virt', '-bios', 'none', '-kernel', elf, '-m', '128M', '-nographic'],
      {
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, `QEMU exited with ${r.status}`);
  });

  it('passes its checksum on this emulator', () => {
    const r = spawnSync(process.execPath, [cli, '--kernel', elf], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(r.status, 0, r.stderr);
  });
});

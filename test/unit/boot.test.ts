/** Which virtio-mmio interface a kernel gets, and where its disk is found. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledKernel, detectVirtio, diskBeside } from '../../emulator/boot';

describe('boot: an xv6 tree as students have it', () => {
  const tree = (makefile: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'xv6-tree-'));
    mkdirSync(join(dir, 'kernel'));
    writeFileSync(join(dir, 'Makefile'), makefile);
    writeFileSync(join(dir, 'kernel', 'kernel'), '');
    return dir;
  };

  it('picks the modern interface when the Makefile asks QEMU for it (xv6 2021+)', () => {
    const dir = tree('QEMUOPTS += -global virtio-mmio.force-legacy=false\n');
    assert.equal(detectVirtio(join(dir, 'kernel', 'kernel')), 'modern');
  });

  it('picks the legacy interface otherwise (xv6 2019-2020, QEMU default)', () => {
    const dir = tree('QEMUOPTS = -machine virt -bios none\n');
    assert.equal(detectVirtio(join(dir, 'kernel', 'kernel')), 'legacy');
  });

  it('ignores the flag when the Makefile passes it only conditionally (VIRTIO=modern)', () => {
    const dir = tree('ifeq ($(VIRTIO),modern)\nQEMUOPTS += -global virtio-mmio.force-legacy=false\nendif\n');
    assert.equal(detectVirtio(join(dir, 'kernel', 'kernel')), 'legacy');
    const commented = tree('# QEMUOPTS += -global virtio-mmio.force-legacy=false\n');
    assert.equal(detectVirtio(join(commented, 'kernel', 'kernel')), 'legacy');
  });

  it('boots the bundled kernels as their Makefile does by default: legacy', () => {
    assert.equal(detectVirtio(bundledKernel()), 'legacy');
    assert.equal(detectVirtio(bundledKernel(3)), 'legacy');
  });

  it('finds fs.img at the top of the tree, beside kernel/', () => {
    const dir = tree('');
    assert.equal(diskBeside(join(dir, 'kernel', 'kernel')), undefined);
    writeFileSync(join(dir, 'fs.img'), new Uint8Array(1024));
    assert.equal(diskBeside(join(dir, 'kernel', 'kernel')), join(dir, 'fs.img'));
  });
});

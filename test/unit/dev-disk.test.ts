/**
 * The disk overlay: the image bytes are never modified, reads see the guest's writes,
 * persist() writes the merged image atomically (nothing left behind but the target).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Disk } from '../../emulator/disk';
import { MachineConfigError } from '../../emulator/machine-options';

describe('disk overlay', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'xv6emu-disk-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects an image that is not whole sectors, with a one-line message', () => {
    assert.throws(
      () => new Disk(new Uint8Array(1000)),
      (e: unknown) => {
        assert.ok(e instanceof MachineConfigError);
        assert.match(e.message, /1000 bytes, not a whole number of 512-byte sectors/);
        assert.ok(!e.message.includes('\n'));
        return true;
      },
    );
    assert.throws(() => new Disk(new Uint8Array(0)), MachineConfigError);
  });

  it('keeps the original bytes and reads back what was written', () => {
    const img = new Uint8Array(4 * 512).fill(1);
    const disk = new Disk(img);
    const src = new Uint8Array(1024).fill(9);
    assert.equal(disk.write(1, 2, src, 0), true);
    assert.ok(
      img.every((b) => b === 1),
      'image untouched',
    );
    const out = new Uint8Array(4 * 512);
    assert.equal(disk.read(0, 4, out, 0), true);
    assert.deepEqual([out[0], out[512], out[1535], out[1536]], [1, 9, 9, 1]);
    assert.equal(disk.dirtySectors, 2);
    src.fill(5); // the overlay holds its own copy
    disk.read(1, 1, out, 0);
    assert.equal(out[0], 9);
    assert.equal(disk.read(3, 2, out, 0), false, 'past the end');
    assert.equal(disk.write(-1, 1, src, 0), false);
  });

  it('persists the merged image atomically through a temporary file', () => {
    const path = join(dir, 'fs.img');
    const img = new Uint8Array(8 * 512).fill(0x33);
    writeFileSync(path, img);
    const disk = new Disk(img);
    disk.write(7, 1, new Uint8Array(512).fill(0x44), 0);
    disk.persist(path);
    const back = readFileSync(path);
    assert.equal(back.length, 8 * 512);
    assert.equal(back[7 * 512], 0x44);
    assert.equal(back[6 * 512], 0x33);
    assert.deepEqual(readdirSync(dir), ['fs.img'], 'no temporary file left');
    assert.equal(img[7 * 512], 0x33, 'in-memory original unchanged');
  });

  it('leaves the target intact when the write cannot happen', () => {
    const path = join(dir, 'missing-dir', 'fs.img');
    const disk = new Disk(new Uint8Array(512));
    assert.throws(() => disk.persist(path));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('snapshots and restores the overlay', () => {
    const disk = new Disk(new Uint8Array(2 * 512));
    disk.write(0, 1, new Uint8Array(512).fill(1), 0);
    const snap = disk.snapshot();
    disk.write(1, 1, new Uint8Array(512).fill(2), 0);
    disk.restore(snap);
    const c = disk.contents();
    assert.deepEqual([c[0], c[512]], [1, 0]);
  });
});

/**
 * The disk-image reader (adapter/fsimage.ts) and the user programs taken from an image
 * (adapter/userprogs-load.ts): the bundled kernel/prebuilt/fs.img lists its programs
 * and gives the same bytes as the committed copy of one of them; images built here in
 * MIT's two layouts and the teaching kernel's read back exactly; and corrupt,
 * truncated and hostile images (loops through indirect blocks, huge sizes, block
 * numbers outside the image, a directory naming itself over and over, random damage)
 * give a reason or fewer files, never an exception.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesDevice, FsImage, type FsLimits } from '../../adapter/fsimage';
import { imagePrograms, programElf } from '../../adapter/userprogs-load';
import { STT_FUNC } from '../../emulator/elf';
import { buildElf } from '../helpers/elf-builder';
import { BSIZE, buildFsImage, type ImageKind } from '../helpers/fs-builder';

const root = join(__dirname, '..', '..');
const bundledImage = (): Uint8Array => readFileSync(join(root, 'kernel', 'prebuilt', 'fs.img'));

function open(bytes: Uint8Array, limits?: FsLimits): FsImage {
  const fs = FsImage.open(bytesDevice(bytes), limits);
  assert.ok(typeof fs !== 'string', `the image opens: ${why(fs)}`);
  return fs;
}

const why = (r: unknown): string => (typeof r === 'string' ? r : 'read');

/** Bytes that show where each block came from: a mixed-up block order shows. */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 10) * 13 + seed) & 0xff;
  return out;
}

/** A user program ELF of about `size` bytes (code padded with nops) with a `main` symbol. */
function program(size: number): Uint8Array {
  const code = new Uint8Array(size);
  for (let i = 0; i < size; i += 4) new DataView(code.buffer).setUint32(i, 0x00000013, true);
  return buildElf({
    loadAddr: 0,
    entry: 0,
    code,
    symbols: [{ name: 'main', value: 0, size: 16, type: STT_FUNC }],
  });
}

describe('xv6 disk image reader', () => {
  it('lists the programs of the bundled fs.img, with the same bytes the build left in user/', () => {
    const fs = open(bundledImage());
    assert.equal(fs.format, 'teaching kernel');
    const names = fs.files.map((f) => f.name).sort();
    const programs = [
      'cat',
      'echo',
      'forktest',
      'grep',
      'init',
      'kill',
      'lazytests',
      'ln',
      'ls',
      'mkdir',
      'rm',
      'sh',
      'stressfs',
      'usertests',
      'wc',
      'zombie',
    ];
    // The README is a file of the disk, not a program.
    assert.deepEqual(names, ['README', ...programs]);
    const r = imagePrograms(bytesDevice(bundledImage()), 'fs.img');
    assert.ok(typeof r !== 'string', why(r));
    assert.deepEqual(r.programs.map((p) => p.name).sort(), programs);
    assert.deepEqual(r.skipped, []);
    for (const p of r.programs) {
      assert.equal(p.origin, 'image');
      assert.ok(p.elf.symbol('main'), `${p.name} has main`);
    }
    const lazy = r.programs.find((p) => p.name === 'lazytests')!;
    const committed = readFileSync(join(root, 'test', 'adapter', 'user', '_lazytests'));
    assert.ok(Buffer.from(lazy.bytes).equals(committed), 'lazytests from the image is user/_lazytests');
  });

  for (const kind of ['xv6', 'xv6 fs lab', 'teaching kernel'] as ImageKind[]) {
    it(`reads files through direct and indirect blocks (${kind} layout)`, () => {
      // 5 blocks (direct only), 12 blocks (the layouts' one ambiguous size), 40 blocks
      // (indirect), and for the lab a file past the indirect block (double-indirect).
      const sizes = [
        5 * BSIZE - 3,
        12 * BSIZE,
        40 * BSIZE + 17,
        ...(kind === 'xv6 fs lab' ? [300 * BSIZE + 1] : []),
      ];
      const files = sizes.map((n, i) => ({ name: `f${i}`, bytes: pattern(n, i) }));
      const built = buildFsImage(kind, files, 2000);
      const fs = open(built.bytes);
      assert.equal(fs.format, kind === 'teaching kernel' ? kind : 'xv6');
      assert.deepEqual(
        fs.files.map((f) => [f.name, f.size]),
        files.map((f) => [f.name, f.bytes.length]),
      );
      for (const [i, f] of fs.files.entries()) {
        const layouts = fs.layouts(f);
        const got = layouts
          .map((l) => fs.read(f, l))
          .find((b) => b && Buffer.from(b).equals(files[i]!.bytes));
        assert.ok(got, `${f.name} reads back under one of ${layouts.map((l) => l.name).join(', ')}`);
        if (f.size > 12 * BSIZE) assert.equal(layouts[0]!.name, kind, `${f.name}: the layout is recognised`);
      }
    });
  }

  it('finds the programs of an fs-lab image, including one with double-indirect blocks', () => {
    const big = program(280 * BSIZE);
    const small = program(200);
    const built = buildFsImage('xv6 fs lab', [
      { name: 'README', bytes: new TextEncoder().encode('not a program\n') },
      { name: 'big', bytes: big },
      { name: 'small', bytes: small },
      { name: 'thing.o', bytes: Uint8Array.from(small, (b, i) => (i === 16 ? 1 : b)) },
    ]);
    const r = imagePrograms(bytesDevice(built.bytes), 'lab.img');
    assert.ok(typeof r !== 'string', why(r));
    assert.deepEqual(
      r.programs.map((p) => p.name),
      ['big', 'small'],
    );
    assert.ok(Buffer.from(r.programs[0]!.bytes).equals(big));
    assert.deepEqual(r.skipped, ['thing.o (an object file, not a program)']);
  });

  it('tells programs from object files and other ELFs', () => {
    const p = program(64);
    assert.ok(typeof programElf(p, 'p') !== 'string');
    assert.equal(
      programElf(
        Uint8Array.from(p, (b, i) => (i === 16 ? 1 : b)),
        'p.o',
      ),
      'an object file, not a program',
    );
    assert.equal(programElf(new TextEncoder().encode('#!/bin/sh\n'.repeat(10)), 'x'), 'not an ELF file');
    assert.match(why(programElf(p.subarray(0, 100), 'p')), /truncated/);
  });
});

describe('xv6 disk image reader on broken images', () => {
  const two = (): ReturnType<typeof buildFsImage> =>
    buildFsImage('xv6', [
      { name: 'a', bytes: program(30 * BSIZE) },
      { name: 'b', bytes: program(100) },
    ]);
  const u32 = (img: Uint8Array, at: number, v: number): void =>
    new DataView(img.buffer, img.byteOffset).setUint32(at, v, true);
  const reason = (bytes: Uint8Array): string => {
    const fs = FsImage.open(bytesDevice(bytes));
    assert.equal(typeof fs, 'string', 'the image is refused');
    return fs as string;
  };

  it('refuses images without a usable superblock, inode table or root directory', () => {
    assert.match(reason(new Uint8Array(512)), /too small/);
    assert.match(reason(new Uint8Array(4 * BSIZE)), /magic 0x0/);
    const b = two().bytes;
    assert.match(reason(b.subarray(0, 500 * BSIZE)), /says 2000 blocks but the image holds 500/);
    let img = two();
    u32(img.bytes, BSIZE + 12, 0xffffffff);
    assert.match(reason(img.bytes), /inode count/);
    img = two();
    u32(img.bytes, BSIZE + 24, 1999);
    assert.match(reason(img.bytes), /inode table/);
    img = two();
    new DataView(img.bytes.buffer).setUint16(img.inodeAt(1), 2, true);
    assert.match(reason(img.bytes), /root inode is not a directory/);
  });

  it('bounds a root directory that names itself over and over', () => {
    const img = two();
    const at = img.inodeAt(1);
    const blk = img.bytes[at + 12]! | (img.bytes[at + 13]! << 8);
    // Every entry of its one block is "." and every block slot points at that block.
    for (let o = 0; o < BSIZE; o += 16)
      img.bytes.set([1, 0, 0x2e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], blk * BSIZE + o);
    for (let s = 0; s < 13; s++) u32(img.bytes, at + 12 + s * 4, blk);
    u32(img.bytes, at + 8, 0xfffffff0);
    assert.match(reason(img.bytes), /4294967280 bytes|entries/);
    u32(img.bytes, at + 8, 12 * BSIZE);
    const fs = open(img.bytes);
    assert.deepEqual(fs.files, []);
  });

  it('skips files with loops through indirect blocks, huge sizes and blocks outside the image', () => {
    const cases: [string, (img: ReturnType<typeof buildFsImage>, a: number) => void][] = [
      [
        'an indirect block listing itself',
        (img, a) => {
          const ind = new DataView(img.bytes.buffer).getUint32(a + 12 + 12 * 4, true);
          for (let k = 0; k < 256; k++) u32(img.bytes, ind * BSIZE + k * 4, ind);
        },
      ],
      ['a size of 4 GiB', (img, a) => u32(img.bytes, a + 8, 0xffffffff)],
      ['block numbers past the end', (img, a) => u32(img.bytes, a + 12, 0xfffffff0)],
      [
        'block 0 and the superblock as data',
        (img, a) => (u32(img.bytes, a + 12, 0), u32(img.bytes, a + 16, 1)),
      ],
      ['an indirect block outside the image', (img, a) => u32(img.bytes, a + 12 + 12 * 4, 5000)],
    ];
    for (const [what, damage] of cases) {
      const img = two();
      damage(img, img.inodeAt(img.inums.get('a')!));
      const r = imagePrograms(bytesDevice(img.bytes), 'bad.img');
      assert.ok(typeof r !== 'string', `${what}: ${why(r)}`);
      assert.deepEqual(
        r.programs.map((p) => p.name),
        ['b'],
        what,
      );
      assert.equal(r.skipped.length, 1, what);
      assert.match(r.skipped[0]!, /^a \(/, what);
    }
  });

  it('ignores directory entries with inode numbers outside the table, and repeated names', () => {
    const img = two();
    const fs0 = open(img.bytes);
    const dirBlock = new DataView(img.bytes.buffer).getUint32(img.inodeAt(1) + 12, true) * BSIZE;
    // Entry 2 ("a") now names inode 65535, past the 64 of the table.
    img.bytes.set([0xff, 0xff], dirBlock + 2 * 16);
    assert.deepEqual(
      fs0.files.map((f) => f.name),
      ['a', 'b'],
    );
    assert.deepEqual(
      open(img.bytes).files.map((f) => f.name),
      ['b'],
    );
    img.bytes.set([2, 0, 0x62], dirBlock + 2 * 16); // inode 2 under the name "b" again
    assert.deepEqual(
      open(img.bytes).files.map((f) => [f.name, f.inum]),
      [['b', 2]],
    );
  });

  it('never throws on randomly damaged metadata of the bundled image', () => {
    const clean = bundledImage();
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let opened = 0;
    for (let round = 0; round < 300; round++) {
      const bytes = Uint8Array.from(clean);
      // Damage the superblock, the inode table and the first data blocks (the root
      // directory and the first files' block lists).
      for (let k = 0; k < 1 + rand(40); k++) bytes[BSIZE + rand(60 * BSIZE)] = rand(256);
      const limits = { maxFile: 1 << 20, maxEntries: 256, maxFiles: 32 };
      const fs = FsImage.open(bytesDevice(bytes), limits);
      if (typeof fs === 'string') continue;
      opened++;
      assert.ok(fs.files.length <= limits.maxFiles);
      for (const f of fs.files)
        for (const l of fs.layouts(f)) assert.ok((fs.read(f, l)?.length ?? 0) <= limits.maxFile);
      const r = imagePrograms(bytesDevice(bytes), 'fuzz.img');
      if (typeof r !== 'string') assert.ok(r.programs.length <= 512);
    }
    assert.ok(opened > 0, 'some damaged images still open');
  });
});

/**
 * Builds small xv6 disk images in memory for tests of the image reader: MIT's format
 * (upstream's 12 direct blocks + indirect, or the fs lab's 11 + indirect +
 * double-indirect) or the teaching kernel's (kernel/kernel/fs.h). The layout follows
 * the documented on-disk format (superblock in block 1, 64-byte inodes, 16-byte
 * directory entries, root inode 1); blocks are handed out in order after the inode
 * table. Tests then corrupt the result on purpose.
 */
export const BSIZE = 1024;

export type ImageKind = 'xv6' | 'xv6 fs lab' | 'teaching kernel';

export interface BuiltImage {
  bytes: Uint8Array;
  /** inode number of each file, by name; root is 1. */
  inums: Map<string, number>;
  /** First block of the inode table. */
  inodestart: number;
  /** Byte offset of inode `inum` in `bytes`. */
  inodeAt(inum: number): number;
}

export function buildFsImage(
  kind: ImageKind,
  files: { name: string; bytes: Uint8Array }[],
  blocks = 2000,
  ninodes = 64,
): BuiltImage {
  const img = new Uint8Array(blocks * BSIZE);
  const dv = new DataView(img.buffer);
  const inodestart = 2;
  const ninodeblocks = Math.ceil((ninodes * 64) / BSIZE);
  let next = inodestart + ninodeblocks + 1; // one bitmap block after the inodes (left empty)
  const w = (i: number, v: number): void => dv.setUint32(BSIZE + i * 4, v, true);
  if (kind === 'teaching kernel') {
    [0x5346534b, blocks, ninodes, inodestart + ninodeblocks, 1, inodestart, ninodeblocks, next].forEach(
      (v, i) => w(i, v),
    );
  } else {
    [0x10203040, blocks, blocks - next, ninodes, 0, 2, inodestart, inodestart + ninodeblocks].forEach(
      (v, i) => w(i, v),
    );
  }
  const direct = kind === 'xv6' ? 12 : 11;
  const inodeAt = (inum: number): number => (inodestart + Math.floor(inum / 16)) * BSIZE + (inum % 16) * 64;
  const alloc = (): number => {
    if (next >= blocks) throw new Error('test image full');
    return next++;
  };
  const put = (inum: number, type: number, data: Uint8Array): void => {
    const at = inodeAt(inum);
    dv.setUint16(at, type, true);
    dv.setUint32(at + 8, data.length, true);
    const slot = (i: number, v: number): void => dv.setUint32(at + 12 + i * 4, v, true);
    const n = Math.ceil(data.length / BSIZE);
    let indirect = 0;
    let double = 0;
    const middles = new Map<number, number>();
    for (let bn = 0; bn < n; bn++) {
      const b = alloc();
      img.set(data.subarray(bn * BSIZE, (bn + 1) * BSIZE), b * BSIZE);
      if (bn < direct) slot(bn, b);
      else if (bn < direct + 256) {
        if (!indirect) slot(direct, (indirect = alloc()));
        dv.setUint32(indirect * BSIZE + (bn - direct) * 4, b, true);
      } else {
        if (kind !== 'xv6 fs lab') throw new Error('file too large for the test image');
        const k = bn - direct - 256;
        if (!double) slot(direct + 1, (double = alloc()));
        let m = middles.get(k >> 8);
        if (m === undefined) {
          m = alloc();
          middles.set(k >> 8, m);
          dv.setUint32(double * BSIZE + (k >> 8) * 4, m, true);
        }
        dv.setUint32(m * BSIZE + (k & 255) * 4, b, true);
      }
    }
  };
  const inums = new Map<string, number>();
  const dir: number[] = [];
  const entry = (inum: number, name: string): void => {
    const e = new Uint8Array(16);
    e[0] = inum & 0xff;
    e[1] = inum >> 8;
    e.set(Buffer.from(name, 'latin1').subarray(0, 14), 2);
    dir.push(...e);
  };
  entry(1, '.');
  entry(1, '..');
  files.forEach((f, i) => {
    const inum = i + 2;
    inums.set(f.name, inum);
    entry(inum, f.name);
    put(inum, 2, f.bytes);
  });
  put(1, 1, new Uint8Array(dir));
  inums.set('/', 1);
  return { bytes: img, inums, inodestart, inodeAt };
}

/**
 * A read-only reader of an xv6 disk image's root directory, so the debugger can take the
 * user programs from the image the machine runs (mkfs puts every `user/_name` there as
 * `/name`). Two on-disk formats, both 1024-byte blocks with the superblock in block 1,
 * 64-byte inodes (type at byte 0, size at byte 8, thirteen block numbers from byte 12),
 * root directory inode 1 and 16-byte directory entries (2-byte inode number, 14-byte
 * NUL-padded name):
 * - MIT xv6 (magic 0x10203040): superblock { magic, size, nblocks, ninodes, nlog,
 *   logstart, inodestart, bmapstart }; upstream inodes hold 12 direct blocks and one
 *   indirect block; the file-system lab's hold 11 direct, one indirect and one
 *   double-indirect block. Which one an image uses is guessed from its files and, for a
 *   file that could be either, both are offered to the caller (`layouts`).
 * - this project's kernel (magic 0x5346534b, kernel/kernel/fs.h): superblock { magic,
 *   nblocks, ninodes, bmapstart, nbmap, inodestart, ninodeblocks, datastart }; 11 direct
 *   blocks and one indirect block.
 * Every count read from the image is bounded (inode and block numbers, file and
 * directory sizes, number of entries) and the depth of indirection is fixed, so a
 * hostile image costs bounded work; a broken one gives a one-line reason, never a throw.
 */
import type { Disk } from '../emulator/disk';

export const BSIZE = 1024;
export const XV6_MAGIC = 0x10203040;
export const KSFS_MAGIC = 0x5346534b;
const ROOTINO = 1;
const INODE_SIZE = 64;
const IPB = BSIZE / INODE_SIZE;
const DIRENT_SIZE = 16;
const DIRSIZ = 14;
const NINDIRECT = BSIZE / 4;
const T_DIR = 1;
const T_FILE = 2;

/** A disk seen as BSIZE-byte blocks; `read` gives undefined past the end. */
export interface BlockDevice {
  readonly blocks: number;
  read(block: number): Uint8Array | undefined;
}

export function bytesDevice(bytes: Uint8Array): BlockDevice {
  const blocks = Math.floor(bytes.length / BSIZE);
  return {
    blocks,
    read: (b) =>
      Number.isInteger(b) && b >= 0 && b < blocks ? bytes.subarray(b * BSIZE, (b + 1) * BSIZE) : undefined,
  };
}

/** The machine's disk as it is now (before the guest runs: the image file's bytes). */
export function diskDevice(disk: Disk): BlockDevice {
  const per = BSIZE / 512;
  const blocks = Math.floor(disk.sectors / per);
  return {
    blocks,
    read(b) {
      if (!Number.isInteger(b) || b < 0 || b >= blocks) return undefined;
      const out = new Uint8Array(BSIZE);
      return disk.read(b * per, per, out, 0) ? out : undefined;
    },
  };
}

/**
 * Where an inode's block numbers are: `direct` in slots 0.., then the indirect block in
 * slot `direct`, then (the fs lab) a double-indirect block in the next slot.
 */
export interface BlockLayout {
  name: 'xv6' | 'xv6 fs lab' | 'teaching kernel';
  direct: number;
  doubleIndirect: boolean;
}

const UPSTREAM: BlockLayout = { name: 'xv6', direct: 12, doubleIndirect: false };
const FS_LAB: BlockLayout = { name: 'xv6 fs lab', direct: 11, doubleIndirect: true };
const KSFS: BlockLayout = { name: 'teaching kernel', direct: 11, doubleIndirect: false };

const capacity = (l: BlockLayout): number =>
  l.direct + NINDIRECT + (l.doubleIndirect ? NINDIRECT * NINDIRECT : 0);

export interface FsLimits {
  /** Largest file read, in bytes. */
  maxFile: number;
  /** Largest root directory read, in entries. */
  maxEntries: number;
  /** Most files listed. */
  maxFiles: number;
}

export const DEFAULT_LIMITS: FsLimits = { maxFile: 16 << 20, maxEntries: 4096, maxFiles: 512 };

export interface FsFile {
  /** The name in `/` (mkfs has already dropped the leading `_`). */
  name: string;
  inum: number;
  size: number;
}

interface Inode {
  type: number;
  size: number;
  addrs: number[];
}

export class FsImage {
  /** The root directory's regular files, in directory order, first of each name. */
  readonly files: FsFile[] = [];
  private readonly guess: BlockLayout[];

  private constructor(
    private readonly dev: BlockDevice,
    readonly format: 'xv6' | 'teaching kernel',
    private readonly total: number,
    private readonly ninodes: number,
    private readonly inodestart: number,
    private readonly limits: FsLimits,
  ) {
    this.guess = format === 'xv6' ? [UPSTREAM, FS_LAB] : [KSFS];
  }

  /** The image's root directory, or why it cannot be read. */
  static open(dev: BlockDevice, limits: FsLimits = DEFAULT_LIMITS): FsImage | string {
    const sb = dev.read(1);
    if (!sb) return 'the disk is too small to hold a superblock';
    const dv = new DataView(sb.buffer, sb.byteOffset, sb.byteLength);
    const w = (i: number): number => dv.getUint32(i * 4, true);
    const magic = w(0);
    let fs: FsImage;
    // total blocks, inode count, first inode block: the only superblock fields read.
    if (magic === XV6_MAGIC) fs = new FsImage(dev, 'xv6', w(1), w(3), w(6), limits);
    else if (magic === KSFS_MAGIC) fs = new FsImage(dev, 'teaching kernel', w(1), w(2), w(5), limits);
    else return `no xv6 file system (superblock magic 0x${magic.toString(16)})`;
    if (fs.total > dev.blocks)
      return `the superblock says ${fs.total} blocks but the image holds ${dev.blocks}`;
    if (fs.ninodes < 2 || fs.ninodes > 0x10000)
      return `the superblock's inode count ${fs.ninodes} is out of range`;
    if (fs.inodestart < 2 || fs.inodestart + Math.ceil(fs.ninodes / IPB) > fs.total)
      return `the inode table (block ${fs.inodestart}) lies outside the image`;
    return fs.list() ?? fs;
  }

  /** The layouts to try for `file`, most likely first. */
  layouts(file: FsFile): BlockLayout[] {
    if (this.format !== 'xv6') return this.guess;
    const nblocks = Math.ceil(file.size / BSIZE);
    // Up to 11 blocks both layouts read alike. From 13 to 267 blocks upstream needs its
    // indirect block in slot 12, while the lab keeps slot 12 for a double-indirect block
    // it has no use for yet.
    if (nblocks <= 11) return [this.guess[0]!];
    const ino = this.inode(file.inum);
    if (ino && nblocks > 12 && nblocks <= 11 + NINDIRECT)
      return ino.addrs[12] ? [UPSTREAM, FS_LAB] : [FS_LAB, UPSTREAM];
    return this.guess;
  }

  /** The contents of `file` under `layout`, or undefined when its blocks do not add up. */
  read(file: FsFile, layout: BlockLayout = this.layouts(file)[0]!): Uint8Array | undefined {
    const ino = this.inode(file.inum);
    return ino ? this.contents(ino, layout) : undefined;
  }

  private list(): string | undefined {
    const root = this.inode(ROOTINO);
    if (!root || root.type !== T_DIR) return 'the root inode is not a directory';
    if (root.size % DIRENT_SIZE !== 0) return `the root directory's size ${root.size} is not whole entries`;
    if (root.size / DIRENT_SIZE > this.limits.maxEntries)
      return `the root directory has ${root.size / DIRENT_SIZE} entries (at most ${this.limits.maxEntries} are read)`;
    let dir: Uint8Array | undefined;
    for (const l of this.guess) if ((dir = this.contents(root, l))) break;
    if (!dir) return 'the root directory names blocks outside the image';
    const seen = new Set<string>();
    const lab: number[] = [0, 0];
    for (let off = 0; off < dir.length && this.files.length < this.limits.maxFiles; off += DIRENT_SIZE) {
      const inum = dir[off]! | (dir[off + 1]! << 8);
      if (inum === 0 || inum >= this.ninodes) continue;
      let name = '';
      for (let i = 0; i < DIRSIZ && dir[off + 2 + i] !== 0; i++)
        name += String.fromCharCode(dir[off + 2 + i]!);
      if (name === '' || name === '.' || name === '..' || seen.has(name)) continue;
      seen.add(name);
      const ino = this.inode(inum);
      if (!ino || ino.type !== T_FILE) continue;
      this.files.push({ name, inum, size: ino.size });
      const nblocks = Math.ceil(ino.size / BSIZE);
      if (nblocks > 12 && nblocks <= 11 + NINDIRECT) lab[ino.addrs[12] ? 0 : 1]!++;
    }
    if (this.format === 'xv6' && lab[1]! > lab[0]!) this.guess.reverse();
    return undefined;
  }

  private inode(inum: number): Inode | undefined {
    if (!Number.isInteger(inum) || inum < 1 || inum >= this.ninodes) return undefined;
    const blk = this.dev.read(this.inodestart + Math.floor(inum / IPB));
    if (!blk) return undefined;
    const dv = new DataView(blk.buffer, blk.byteOffset + (inum % IPB) * INODE_SIZE, INODE_SIZE);
    const addrs: number[] = [];
    for (let i = 0; i < 13; i++) addrs.push(dv.getUint32(12 + i * 4, true));
    return { type: dv.getUint16(0, true), size: dv.getUint32(8, true), addrs };
  }

  /** A data or indirect block, if its number is inside the image (block 0 is never one). */
  private block(b: number | undefined): Uint8Array | undefined {
    return b !== undefined && b >= 2 && b < this.total ? this.dev.read(b) : undefined;
  }

  private contents(ino: Inode, layout: BlockLayout): Uint8Array | undefined {
    if (ino.size > this.limits.maxFile) return undefined;
    const nblocks = Math.ceil(ino.size / BSIZE);
    if (nblocks > capacity(layout)) return undefined;
    const out = new Uint8Array(ino.size);
    const word = (blk: Uint8Array, i: number): number =>
      new DataView(blk.buffer, blk.byteOffset, BSIZE).getUint32(i * 4, true);
    let indirect: Uint8Array | undefined;
    let double: Uint8Array | undefined;
    let middle: { index: number; blk: Uint8Array } | undefined;
    for (let bn = 0; bn < nblocks; bn++) {
      let addr: number;
      if (bn < layout.direct) addr = ino.addrs[bn]!;
      else if (bn < layout.direct + NINDIRECT) {
        indirect ??= this.block(ino.addrs[layout.direct]);
        if (!indirect) return undefined;
        addr = word(indirect, bn - layout.direct);
      } else {
        const k = bn - layout.direct - NINDIRECT;
        double ??= this.block(ino.addrs[layout.direct + 1]);
        if (!double) return undefined;
        const index = Math.floor(k / NINDIRECT);
        if (middle?.index !== index) {
          const blk = this.block(word(double, index));
          if (!blk) return undefined;
          middle = { index, blk };
        }
        addr = word(middle.blk, k % NINDIRECT);
      }
      const data = this.block(addr);
      if (!data) return undefined;
      const n = Math.min(BSIZE, ino.size - bn * BSIZE);
      out.set(data.subarray(0, n), bn * BSIZE);
    }
    return out;
  }
}

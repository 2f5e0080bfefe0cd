/**
 * The block device's backing store. The user's image is never modified behind their
 * back: a Disk keeps the original bytes untouched and records every written sector in an
 * in-memory overlay, so the same image boots the same way next time. `persist(path)`
 * writes the merged image back on request, atomically: a temporary file in the target's
 * directory, fsync, then rename over the target (POSIX rename replaces atomically), so a
 * crash leaves either the old image or the new one, never a torn one.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MachineConfigError } from './machine-options';

export const SECTOR_SIZE = 512;

export class Disk {
  /** Written sectors, by sector number. */
  private overlay = new Map<number, Uint8Array>();
  readonly sectors: number;

  constructor(private readonly image: Uint8Array) {
    if (image.length === 0 || image.length % SECTOR_SIZE !== 0) {
      throw new MachineConfigError(
        `disk image is ${image.length} bytes, not a whole number of ${SECTOR_SIZE}-byte sectors`,
      );
    }
    this.sectors = image.length / SECTOR_SIZE;
  }

  get byteLength(): number {
    return this.image.length;
  }

  /** Sectors written since the image was loaded (or restored). */
  get dirtySectors(): number {
    return this.overlay.size;
  }

  /** Copy `count` sectors from `sector` into `dest` at `destOff`; false when out of range. */
  read(sector: number, count: number, dest: Uint8Array, destOff: number): boolean {
    if (!this.inRange(sector, count)) return false;
    for (let k = 0; k < count; k++) {
      const s = sector + k;
      const o = this.overlay.get(s);
      const at = destOff + k * SECTOR_SIZE;
      if (o) dest.set(o, at);
      else dest.set(this.image.subarray(s * SECTOR_SIZE, (s + 1) * SECTOR_SIZE), at);
    }
    return true;
  }

  /** Write `count` sectors from `src` at `srcOff` into the overlay; false when out of range. */
  write(sector: number, count: number, src: Uint8Array, srcOff: number): boolean {
    if (!this.inRange(sector, count)) return false;
    for (let k = 0; k < count; k++) {
      const at = srcOff + k * SECTOR_SIZE;
      this.overlay.set(sector + k, src.slice(at, at + SECTOR_SIZE));
    }
    return true;
  }

  private inRange(sector: number, count: number): boolean {
    return Number.isInteger(sector) && sector >= 0 && count >= 0 && sector + count <= this.sectors;
  }

  /** The whole image as the guest sees it now (a fresh copy). */
  contents(): Uint8Array {
    const out = this.image.slice();
    for (const [s, data] of this.overlay) out.set(data, s * SECTOR_SIZE);
    return out;
  }

  /** Write the merged image to `path` atomically (temporary file, fsync, rename). */
  persist(path: string): void {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    const data = this.contents();
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'wx', 0o644);
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done);
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, path);
    } catch (e) {
      if (fd !== undefined) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        /* the temporary file may not exist */
      }
      throw e;
    }
    // Make the rename itself durable: fsync the directory (not possible everywhere).
    try {
      const dfd = openSync(dirname(path), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      /* directories cannot be opened for fsync on some platforms (Windows) */
    }
  }

  snapshot(): [number, Uint8Array][] {
    return Array.from(this.overlay, ([s, d]) => [s, d.slice()]);
  }

  restore(state: [number, Uint8Array][]): void {
    this.overlay = new Map(state.map(([s, d]) => [s, d.slice()]));
  }
}

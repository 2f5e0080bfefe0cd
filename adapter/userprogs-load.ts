/**
 * Where the user programs' ELFs come from, and keeping them current. Two sources:
 * - the disk image the machine runs (fsimage.ts): every program mkfs put in `/`, read
 *   once at launch; these are the programs that actually run, so they are tried first
 *   when identifying code;
 * - the launch configuration's `userPrograms` folder (xv6's `user/`, where make leaves
 *   `_ls`, `_sh`, ...). It may be missing or empty at launch (F5 right after `make clean`)
 *   or be rebuilt during the session, so it is looked at again when the machine stops:
 *   a listing and a stat of each `_name` file, at most once a second unless the folder
 *   itself changed, and only files whose size or time changed are read again.
 * A program is an ELF executable (ET_EXEC) for RISC-V: `.o` files, `initcode.out` and
 * files without the `_` prefix in the folder are not programs. Counts and sizes are
 * bounded; a file that does not parse is skipped with its name in the console line.
 */
import { join } from 'node:path';
import { parseElf, PT_LOAD, STT_FUNC, type ElfFile } from '../emulator/elf';
import type { Disk } from '../emulator/disk';
import { diskDevice, FsImage, type BlockDevice } from './fsimage';
import type { Host } from './host';
import type { UserProgram } from './userprogs';

const MAX_FILE = 16 << 20;
const MAX_PROGRAMS = 256;
const MAX_TOTAL = 256 << 20;
const ET_EXEC = 2;
/** A folder that has not changed is listed again at most this often. */
export const RESCAN_MS = 1000;

/** The ELF of a user program in `bytes`, or why it is not one. */
export function programElf(bytes: Uint8Array, label: string): ElfFile | string {
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    return 'not an ELF file';
  if (bytes.length < 64) return 'truncated';
  const type = bytes[16]! | (bytes[17]! << 8);
  if (type !== ET_EXEC) return type === 1 ? 'an object file, not a program' : 'not an executable ELF';
  try {
    const elf = parseElf(bytes, label);
    return elf.segments.some((s) => s.type === PT_LOAD) ? elf : 'no loadable segments';
  } catch (e) {
    // parseElf's messages start with the label ("x is truncated: ...").
    const m = e instanceof Error ? e.message : String(e);
    return m.startsWith(`${label} is `) ? m.slice(label.length + 4) : m;
  }
}

/** The programs in the root directory of a disk image, or why there are none. */
export function imagePrograms(
  dev: BlockDevice,
  imagePath: string,
): { programs: UserProgram[]; skipped: string[] } | string {
  const fs = FsImage.open(dev);
  if (typeof fs === 'string') return fs;
  const programs: UserProgram[] = [];
  const skipped: string[] = [];
  let total = 0;
  for (const file of fs.files) {
    if (programs.length >= MAX_PROGRAMS) break;
    const tooBig =
      file.size > MAX_FILE
        ? `${file.size} bytes, larger than ${MAX_FILE >> 20} MiB`
        : total + file.size > MAX_TOTAL
          ? `past ${MAX_TOTAL >> 20} MiB of programs`
          : '';
    if (tooBig) {
      skipped.push(`${file.name} (${tooBig})`);
      continue;
    }
    let why = 'its blocks lie outside the image';
    for (const layout of fs.layouts(file)) {
      const bytes = fs.read(file, layout);
      if (!bytes) continue;
      // Text files (README) are simply not programs.
      if (bytes[0] !== 0x7f) {
        why = '';
        break;
      }
      const elf = programElf(bytes, file.name);
      if (typeof elf === 'string') {
        why = elf;
        continue;
      }
      programs.push({ name: file.name, path: imagePath, origin: 'image', elf, bytes });
      total += bytes.length;
      why = '';
      break;
    }
    if (why) skipped.push(`${file.name} (${why})`);
  }
  return { programs, skipped };
}

interface FolderEntry {
  signature: string;
  program?: UserProgram;
  /** Why the file is not used, when it is not. */
  skipped?: string;
}

/** The user programs of one session: the disk image's and the folder's, merged. */
export class UserPrograms {
  /** What identification and breakpoints use: image programs first, those with symbols first. */
  programs: UserProgram[] = [];
  private image: UserProgram[] = [];
  private folderFiles = new Map<string, FolderEntry>();
  private folderSignature: string | undefined;
  private lastScan = -Infinity;

  constructor(
    private readonly host: Host,
    private readonly folder: string | undefined,
  ) {}

  /**
   * The disk image's programs (read from the machine's disk before the guest runs), then
   * the folder's: the console lines that say what was found where.
   */
  load(disk: Disk | undefined, imagePath: string | undefined): string[] {
    const lines = [this.loadImage(disk && diskDevice(disk), imagePath), this.loadFolder()];
    return lines.filter((l): l is string => l !== undefined);
  }

  /** Read the disk image's programs; one console line (or none without a disk). */
  loadImage(dev: BlockDevice | undefined, imagePath: string | undefined): string | undefined {
    if (!dev || !imagePath) return undefined;
    const r = imagePrograms(dev, imagePath);
    if (typeof r === 'string') {
      this.image = [];
      this.merge();
      return `note: no user programs from the disk image ${imagePath}: ${r}`;
    }
    this.image = r.programs;
    this.merge();
    return (
      `user programs: ${count(r.programs.length)} in the disk image ${imagePath}` + skippedText(r.skipped)
    );
  }

  /** The first look at the folder; one console line (or none without a folder). */
  loadFolder(now = Date.now()): string | undefined {
    if (!this.folder) return undefined;
    this.scan(now);
    const got = this.folderPrograms();
    const again = '; it is read again whenever the machine stops';
    if (this.folderSignature === undefined)
      return `user programs: the folder ${this.folder} does not exist yet${again}`;
    if (got.length === 0 && this.skippedNames().length === 0)
      return `user programs: none in the folder ${this.folder} yet (make builds them as _name)${again}`;
    return (
      `user programs: ${count(got.length)} in the folder ${this.folder}` + skippedText(this.skippedNames())
    );
  }

  /**
   * Look at the folder again (at a stop): a console line when its programs changed.
   * Cheap when nothing did: one stat of the folder, a listing at most once a second.
   */
  refresh(now = Date.now()): string | undefined {
    if (!this.folder) return undefined;
    if (this.dirSignature() === this.folderSignature && now - this.lastScan < RESCAN_MS) return undefined;
    const change = this.scan(now);
    if (!change) return undefined;
    return (
      `user programs: ${count(this.folderPrograms().length)} in the folder ${this.folder} (${change})` +
      skippedText(this.skippedNames())
    );
  }

  private dirSignature(): string | undefined {
    const s =
      this.folder !== undefined && this.host.kind(this.folder) === 'dir'
        ? this.host.stat(this.folder)
        : undefined;
    return s ? String(s.mtimeMs) : undefined;
  }

  /** List and stat the folder, reading what changed; a summary of the changes, if any. */
  private scan(now: number): string | undefined {
    const folder = this.folder!;
    this.lastScan = now;
    this.folderSignature = this.dirSignature();
    let names: string[] = [];
    if (this.folderSignature !== undefined) {
      try {
        names = this.host.readDir(folder);
      } catch {
        names = [];
      }
    }
    names = names
      .filter((n) => /^_[^./\\]+$/.test(n))
      .sort()
      .slice(0, MAX_PROGRAMS);
    const added: string[] = [];
    const changed: string[] = [];
    const next = new Map<string, FolderEntry>();
    let total = 0;
    for (const file of names) {
      const path = join(folder, file);
      const st = this.host.kind(path) === 'file' ? this.host.stat(path) : undefined;
      if (!st) continue;
      const signature = `${st.size}:${st.mtimeMs}`;
      const old = this.folderFiles.get(file);
      let entry = old?.signature === signature ? old : undefined;
      if (!entry) {
        entry = this.readProgram(file, path, signature, st.size, total);
        if (entry.program) (old?.program ? changed : added).push(entry.program.name);
      }
      total += entry.program?.bytes.length ?? 0;
      next.set(file, entry);
    }
    const gone = [...this.folderFiles]
      .filter(([f, e]) => e.program && !next.get(f)?.program)
      .map(([f]) => f.slice(1));
    this.folderFiles = next;
    const parts = [
      added.length ? `new: ${added.join(', ')}` : '',
      changed.length ? `changed: ${changed.join(', ')}` : '',
      gone.length ? `gone: ${gone.join(', ')}` : '',
    ].filter(Boolean);
    if (parts.length === 0) return undefined;
    this.merge();
    return parts.join('; ');
  }

  private readProgram(
    file: string,
    path: string,
    signature: string,
    size: number,
    total: number,
  ): FolderEntry {
    if (size > MAX_FILE) return { signature, skipped: `${file} (larger than ${MAX_FILE >> 20} MiB)` };
    if (total + size > MAX_TOTAL) return { signature, skipped: `${file} (too many bytes of programs)` };
    let bytes: Uint8Array;
    try {
      bytes = this.host.readFile(path);
    } catch (e) {
      return { signature, skipped: `${file} (${e instanceof Error ? e.message : String(e)})` };
    }
    const elf = programElf(bytes, file);
    if (typeof elf === 'string') return { signature, skipped: `${file} (${elf})` };
    return { signature, program: { name: file.slice(1), path, origin: 'folder', elf, bytes } };
  }

  private folderPrograms(): UserProgram[] {
    return [...this.folderFiles.values()].flatMap((e) => (e.program ? [e.program] : []));
  }

  private skippedNames(): string[] {
    return [...this.folderFiles.values()].flatMap((e) => (e.skipped ? [e.skipped] : []));
  }

  /** Image programs, then the folder's that differ from the image's; with symbols first. */
  private merge(): void {
    const inImage = new Map(this.image.map((p) => [p.name, p]));
    const folder = this.folderPrograms().filter((p) => !sameBytes(inImage.get(p.name)?.bytes, p.bytes));
    const all = [...this.image, ...folder];
    const named = (p: UserProgram): boolean => p.elf.symbols.some((s) => s.type === STT_FUNC);
    this.programs = [...all.filter(named), ...all.filter((p) => !named(p))];
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  const buf = (x: Uint8Array): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return a !== undefined && a.length === b.length && buf(a).equals(buf(b));
}

function count(n: number): string {
  return n === 1 ? '1 program' : `${n} programs`;
}

function skippedText(skipped: string[]): string {
  if (skipped.length === 0) return '';
  const shown = skipped.slice(0, 8).join(', ');
  return ` (skipped: ${shown}${skipped.length > 8 ? `, and ${skipped.length - 8} more` : ''})`;
}

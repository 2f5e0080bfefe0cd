/**
 * ELF64 reader for RISC-V images: the header, program headers (what the machine loads),
 * section headers and the symbol table (what the CLI and the debugger look up). It reads
 * only what it is given and validates every offset, so a truncated or foreign file gives
 * one clear `ElfError` instead of a crash. Reference: the System V gABI, "ELF Header",
 * "Program Header", "Sections" and "Symbol Table"; RISC-V psABI for e_machine 243.
 */

export class ElfError extends Error {
  override name = 'ElfError';
}

export const EM_RISCV = 243;
export const PT_LOAD = 1;
export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  /** sh_link: for a symbol table, the index of its string table. */
  link: number;
  /** The section's bytes (empty for SHT_NOBITS). */
  data: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_* type (low 4 bits of st_info). */
  type: number;
  /** STB_* binding (high 4 bits of st_info). */
  bind: number;
  shndx: number;
}

export interface ElfFile {
  entry: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  section(name: string): ElfSection | undefined;
  symbol(name: string): ElfSymbol | undefined;
  /** The function or object symbol containing `addr`, if any. */
  symbolAt(addr: number): ElfSymbol | undefined;
}

/** Read a 64-bit little-endian field as a number; values beyond 2^53 are an error. */
function u64(dv: DataView, off: number, what: string): number {
  const lo = dv.getUint32(off, true);
  const hi = dv.getUint32(off + 4, true);
  if (hi >= 0x200000)
    throw new ElfError(`${what} 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is out of range`);
  return hi * 0x1_0000_0000 + lo;
}

function cstring(bytes: Uint8Array, off: number): string {
  let end = off;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + off, end - off).toString('latin1');
}

/**
 * Parse an ELF image. `label` names the file in error messages.
 * Throws ElfError for anything that is not a well-formed 64-bit little-endian RISC-V ELF.
 */
export function parseElf(bytes: Uint8Array, label = 'file'): ElfFile {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError(`${label} is not an ELF file`);
  }
  if (bytes[4] !== 2)
    throw new ElfError(`${label} is a 32-bit ELF; this machine runs 64-bit RISC-V (RV64) programs`);
  if (bytes[5] !== 1) throw new ElfError(`${label} is a big-endian ELF; RISC-V is little-endian`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_RISCV)
    throw new ElfError(`${label} is an ELF for machine ${machine}, not RISC-V (${EM_RISCV})`);

  const entry = u64(dv, 24, 'entry point');
  const phoff = u64(dv, 32, 'program header offset');
  const shoff = u64(dv, 40, 'section header offset');
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  const shentsize = dv.getUint16(58, true);
  const shnum = dv.getUint16(60, true);
  const shstrndx = dv.getUint16(62, true);

  const inFile = (off: number, len: number, what: string): void => {
    if (off + len > bytes.length)
      throw new ElfError(`${label} is truncated: ${what} lies beyond the end of the file`);
  };

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < 56) throw new ElfError(`${label} has a malformed program header table`);
    inFile(phoff, phnum * phentsize, 'the program header table');
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      const seg: ElfSegment = {
        type: dv.getUint32(o, true),
        flags: dv.getUint32(o + 4, true),
        offset: u64(dv, o + 8, 'segment offset'),
        vaddr: u64(dv, o + 16, 'segment address'),
        paddr: u64(dv, o + 24, 'segment address'),
        filesz: u64(dv, o + 32, 'segment size'),
        memsz: u64(dv, o + 40, 'segment size'),
      };
      if (seg.type === PT_LOAD) {
        inFile(seg.offset, seg.filesz, `segment ${i}`);
        if (seg.filesz > seg.memsz)
          throw new ElfError(`${label}: segment ${i} has a file size larger than its memory size`);
      }
      segments.push(seg);
    }
  }

  const sections: ElfSection[] = [];
  if (shnum > 0 && shoff !== 0) {
    if (shentsize < 64) throw new ElfError(`${label} has a malformed section header table`);
    inFile(shoff, shnum * shentsize, 'the section header table');
    const raw = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push({
        nameOff: dv.getUint32(o, true),
        type: dv.getUint32(o + 4, true),
        flags: u64(dv, o + 8, 'section flags'),
        addr: u64(dv, o + 16, 'section address'),
        offset: u64(dv, o + 24, 'section offset'),
        size: u64(dv, o + 32, 'section size'),
        link: dv.getUint32(o + 40, true),
      });
    }
    const strtab = raw[shstrndx];
    let names: Uint8Array = new Uint8Array(0);
    if (strtab && strtab.type !== SHT_NOBITS) {
      inFile(strtab.offset, strtab.size, 'the section name table');
      names = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
    }
    for (const [i, s] of raw.entries()) {
      const nobits = s.type === SHT_NOBITS || s.type === 0;
      if (!nobits) inFile(s.offset, s.size, `section ${i}`);
      sections.push({
        name: s.nameOff < names.length ? cstring(names, s.nameOff) : '',
        type: s.type,
        flags: s.flags,
        addr: s.addr,
        offset: s.offset,
        size: s.size,
        link: s.link,
        data: nobits ? new Uint8Array(0) : bytes.subarray(s.offset, s.offset + s.size),
      });
    }
  }

  const symbols = readSymbols(sections, label);
  const byName = new Map<string, ElfSymbol>();
  for (const s of symbols) if (s.name && !byName.has(s.name)) byName.set(s.name, s);
  const sized = symbols
    .filter((s) => (s.type === STT_FUNC || s.type === STT_OBJECT) && s.size > 0)
    .sort((a, b) => a.value - b.value);

  return {
    entry,
    segments,
    sections,
    symbols,
    section: (name) => sections.find((s) => s.name === name),
    symbol: (name) => byName.get(name),
    symbolAt(addr) {
      let lo = 0;
      let hi = sized.length - 1;
      let best: ElfSymbol | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const s = sized[mid]!;
        if (s.value <= addr) {
          best = s;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return best && addr < best.value + best.size ? best : undefined;
    },
  };
}

function readSymbols(sections: ElfSection[], label: string): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return [];
  const names = sections[symtab.link]?.data ?? new Uint8Array(0);
  const data = symtab.data;
  if (data.length % 24 !== 0) throw new ElfError(`${label} has a malformed symbol table`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: ElfSymbol[] = [];
  for (let o = 0; o < data.length; o += 24) {
    const nameOff = dv.getUint32(o, true);
    const info = dv.getUint8(o + 4);
    const lo = dv.getUint32(o + 8, true);
    const hi = dv.getUint32(o + 12, true);
    out.push({
      name: nameOff < names.length ? cstring(names, nameOff) : '',
      // Addresses above 2^53 (sign-extended kernel addresses) keep their signed meaning.
      value: hi >= 0x200000 ? (hi | 0) * 0x1_0000_0000 + lo : hi * 0x1_0000_0000 + lo,
      size: dv.getUint32(o + 16, true) + dv.getUint32(o + 20, true) * 0x1_0000_0000,
      type: info & 0xf,
      bind: info >> 4,
      shndx: dv.getUint16(o + 6, true),
    });
  }
  return out;
}

/** The loadable segments of an ELF as the machine wants them (physical addresses). */
export function loadableSegments(
  elf: ElfFile,
  bytes: Uint8Array,
): { paddr: number; data: Uint8Array; memsz: number }[] {
  return elf.segments
    .filter((s) => s.type === PT_LOAD && s.memsz > 0)
    .map((s) => ({ paddr: s.paddr, data: bytes.subarray(s.offset, s.offset + s.filesz), memsz: s.memsz }));
}

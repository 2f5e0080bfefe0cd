/**
 * Builds small ELF64 RISC-V images in memory for tests: a loadable segment with the given
 * code, and optionally a symbol table. Lets tests make valid and deliberately broken files
 * without a cross compiler.
 */

export interface BuiltSymbol {
  name: string;
  value: number;
  size: number;
  type: number; // STT_*
}

export interface BuildOptions {
  entry?: number;
  loadAddr?: number;
  code: Uint8Array;
  /** Extra zeroed memory after the code (bss). */
  bss?: number;
  symbols?: BuiltSymbol[];
  machine?: number;
  elfClass?: number;
}

/** Layout: header, one program header, code, .symtab, .strtab, .shstrtab, section headers. */
export function buildElf(o: BuildOptions): Uint8Array {
  const loadAddr = o.loadAddr ?? 0x8000_0000;
  const syms = o.symbols ?? [];
  const strtab: number[] = [0];
  const nameOff = (s: string): number => {
    const off = strtab.length;
    for (const c of Buffer.from(s, 'latin1')) strtab.push(c);
    strtab.push(0);
    return off;
  };
  const symtab = new Uint8Array(24 * (syms.length + 1));
  const sdv = new DataView(symtab.buffer);
  syms.forEach((s, i) => {
    const o2 = 24 * (i + 1);
    sdv.setUint32(o2, nameOff(s.name), true);
    sdv.setUint8(o2 + 4, (1 << 4) | s.type); // STB_GLOBAL
    sdv.setUint16(o2 + 6, 1, true); // section index of .text
    sdv.setBigUint64(o2 + 8, BigInt(s.value), true);
    sdv.setBigUint64(o2 + 16, BigInt(s.size), true);
  });
  const shstr = [0];
  const shName = (s: string): number => {
    const off = shstr.length;
    for (const c of Buffer.from(s, 'latin1')) shstr.push(c);
    shstr.push(0);
    return off;
  };
  const names = ['.text', '.symtab', '.strtab', '.shstrtab'].map(shName);

  const codeOff = 64 + 56;
  const symOff = codeOff + o.code.length + ((8 - ((codeOff + o.code.length) % 8)) % 8);
  const strOff = symOff + symtab.length;
  const shstrOff = strOff + strtab.length;
  const shOff = shstrOff + shstr.length + ((8 - ((shstrOff + shstr.length) % 8)) % 8);
  const total = shOff + 64 * 5;
  const buf = new Uint8Array(total);
  const dv = new DataView(buf.buffer);
  buf.set([0x7f, 0x45, 0x4c, 0x46, o.elfClass ?? 2, 1, 1]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, o.machine ?? 243, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(o.entry ?? loadAddr), true);
  dv.setBigUint64(32, 64n, true);
  dv.setBigUint64(40, BigInt(shOff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, 1, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, 5, true);
  dv.setUint16(62, 4, true);
  // PT_LOAD
  dv.setUint32(64, 1, true);
  dv.setUint32(68, 7, true);
  dv.setBigUint64(72, BigInt(codeOff), true);
  dv.setBigUint64(80, BigInt(loadAddr), true);
  dv.setBigUint64(88, BigInt(loadAddr), true);
  dv.setBigUint64(96, BigInt(o.code.length), true);
  dv.setBigUint64(104, BigInt(o.code.length + (o.bss ?? 0)), true);
  buf.set(o.code, codeOff);
  buf.set(symtab, symOff);
  buf.set(strtab, strOff);
  buf.set(shstr, shstrOff);
  const sh = (
    i: number,
    name: number,
    type: number,
    addr: number,
    off: number,
    size: number,
    link = 0,
  ): void => {
    const b = shOff + 64 * i;
    dv.setUint32(b, name, true);
    dv.setUint32(b + 4, type, true);
    dv.setBigUint64(b + 16, BigInt(addr), true);
    dv.setBigUint64(b + 24, BigInt(off), true);
    dv.setBigUint64(b + 32, BigInt(size), true);
    dv.setUint32(b + 40, link, true);
  };
  sh(1, names[0]!, 1, loadAddr, codeOff, o.code.length);
  sh(2, names[1]!, 2, 0, symOff, symtab.length, 3);
  sh(3, names[2]!, 3, 0, strOff, strtab.length);
  sh(4, names[3]!, 3, 0, shstrOff, shstr.length);
  return buf;
}

/** Encode 32-bit instruction words little-endian. */
export function words(...ws: number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return b;
}

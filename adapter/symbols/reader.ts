/**
 * Byte cursor over one DWARF section (little-endian, as RISC-V is). Every read is
 * bounds-checked and a read past the end throws `DwarfError`, so a truncated or corrupt
 * section surfaces as one clear error for the unit being read instead of a crash.
 * Encodings: DWARF 5 section 7.6 (LEB128), 7.4 (32- and 64-bit DWARF formats).
 */

/** The one error type the symbol reader raises for malformed debug information. */
export class DwarfError extends Error {
  override name = 'DwarfError';
}

const TWO32 = 0x1_0000_0000;

export class Reader {
  pos: number;
  private readonly dv: DataView;

  constructor(
    readonly data: Uint8Array,
    pos = 0,
    readonly label = 'section',
  ) {
    this.pos = pos;
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get length(): number {
    return this.data.length;
  }

  atEnd(limit = this.data.length): boolean {
    return this.pos >= limit;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.data.length) {
      throw new DwarfError(
        `${this.label}: read of ${n} bytes at offset 0x${at.toString(16)} runs past the end`,
      );
    }
    this.pos = at + n;
    return at;
  }

  seek(pos: number): this {
    if (pos < 0 || pos > this.data.length)
      throw new DwarfError(`${this.label}: offset 0x${pos.toString(16)} is out of range`);
    this.pos = pos;
    return this;
  }

  skip(n: number): void {
    this.need(n);
  }

  u8(): number {
    return this.data[this.need(1)]!;
  }
  i8(): number {
    return this.dv.getInt8(this.need(1));
  }
  u16(): number {
    return this.dv.getUint16(this.need(2), true);
  }
  i16(): number {
    return this.dv.getInt16(this.need(2), true);
  }
  u24(): number {
    const at = this.need(3);
    return this.data[at]! | (this.data[at + 1]! << 8) | (this.data[at + 2]! << 16);
  }
  u32(): number {
    return this.dv.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.dv.getInt32(this.need(4), true);
  }
  /** A 64-bit value as a number: exact below 2^53, approximate (but huge) above. */
  u64(): number {
    const at = this.need(8);
    return this.dv.getUint32(at + 4, true) * TWO32 + this.dv.getUint32(at, true);
  }
  u64big(): bigint {
    return this.dv.getBigUint64(this.need(8), true);
  }
  i64big(): bigint {
    return this.dv.getBigInt64(this.need(8), true);
  }

  /** Unsigned LEB128 (DWARF 5 section 7.6) as a number; bits beyond 2^53 are approximate. */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
      if (scale > 2 ** 70)
        throw new DwarfError(`${this.label}: LEB128 at 0x${this.pos.toString(16)} is too long`);
    }
  }

  /** Signed LEB128 as a number. */
  sleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= scale;
        return result;
      }
      if (scale > 2 ** 70)
        throw new DwarfError(`${this.label}: LEB128 at 0x${this.pos.toString(16)} is too long`);
    }
  }

  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return result;
      if (shift > 70n)
        throw new DwarfError(`${this.label}: LEB128 at 0x${this.pos.toString(16)} is too long`);
    }
  }

  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift;
        return result;
      }
      if (shift > 70n)
        throw new DwarfError(`${this.label}: LEB128 at 0x${this.pos.toString(16)} is too long`);
    }
  }

  /** A section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF (section 7.4). */
  offset(is64: boolean): number {
    return is64 ? this.u64() : this.u32();
  }

  /** A target address of `size` bytes (4 or 8; 2 and 1 tolerated for odd producers). */
  addr(size: number): number {
    switch (size) {
      case 8:
        return this.u64();
      case 4:
        return this.u32();
      case 2:
        return this.u16();
      case 1:
        return this.u8();
      default:
        throw new DwarfError(`${this.label}: unsupported address size ${size}`);
    }
  }

  /**
   * The initial length field (section 7.4): returns the unit's length and whether it is
   * 64-bit DWARF (0xffffffff escape followed by an 8-byte length).
   */
  initialLength(): { length: number; is64: boolean } {
    const l = this.u32();
    if (l === 0xffffffff) return { length: this.u64(), is64: true };
    if (l >= 0xfffffff0) throw new DwarfError(`${this.label}: reserved unit length 0x${l.toString(16)}`);
    return { length: l, is64: false };
  }

  bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.data.subarray(at, at + n);
  }

  /** A NUL-terminated string (UTF-8). */
  cstr(): string {
    const start = this.pos;
    let end = start;
    const d = this.data;
    while (end < d.length && d[end] !== 0) end++;
    if (end >= d.length)
      throw new DwarfError(`${this.label}: unterminated string at 0x${start.toString(16)}`);
    this.pos = end + 1;
    return decodeUtf8(d, start, end);
  }
}

/** Read the NUL-terminated string at `off` in a string section. */
export function stringAt(section: Uint8Array, off: number, label: string): string {
  if (off < 0 || off >= section.length)
    throw new DwarfError(`${label}: string offset 0x${off.toString(16)} is out of range`);
  return new Reader(section, off, label).cstr();
}

const decoder = new TextDecoder('utf-8');
function decodeUtf8(d: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) if (d[i]! >= 0x80) ascii = false;
  if (ascii) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(d[i]!);
    return s;
  }
  return decoder.decode(d.subarray(start, end));
}

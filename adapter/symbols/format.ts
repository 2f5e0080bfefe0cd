/**
 * Turns the bytes of a value into text the way gdb's `print` shows it: integers in
 * decimal, chars as `97 'a'`, bools as true/false, enums by name, pointers in hex with
 * the symbol they point into (`0x80000010 <nodes+16>`) and the string a char pointer
 * points to, arrays and structs in braces with gdb's `<repeats N times>` runs. Nested
 * aggregates beyond `depth` are summarized as `{...}`; `children` lists the members or
 * elements a variables view expands.
 */
import { ATE as ATE_TABLE } from './constants';
import { sizeOf, strip, typeName, type Type } from './types';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const ATE = ATE_TABLE;

export interface FormatOptions {
  /** Reads target memory, for the strings char pointers point to. */
  readMemory?: (addr: number, len: number) => Uint8Array | undefined;
  /** Names the symbol containing an address, e.g. "nodes+16" or "add". */
  symbolize?: (addr: number) => string | undefined;
  /** Aggregate nesting printed in full; deeper ones print as `{...}`. Default: unlimited. */
  depth?: number;
  /** Prefix non-char pointers with their type, as gdb does for a top-level value. */
  topLevel?: boolean;
}

export interface Child {
  name: string;
  type: Type;
  bytes: Uint8Array;
}

const REPEAT_THRESHOLD = 10;
const MAX_ELEMENTS = 200;
const MAX_STRING = 200;

/** Little-endian unsigned integer of the first `size` bytes. */
export function readUnsigned(bytes: Uint8Array, size = bytes.length): bigint {
  let v = 0n;
  for (let i = Math.min(size, bytes.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

function isCharType(t: Type): boolean {
  const s = strip(t);
  return (
    s.kind === 'base' &&
    s.size === 1 &&
    (s.encoding === ATE.signed_char || s.encoding === ATE.unsigned_char || s.encoding === ATE.UTF)
  );
}

/** Member or element values of an aggregate, for a variables view to expand. */
export function children(type: Type, bytes: Uint8Array): Child[] {
  const t = strip(type);
  if (t.kind === 'struct' || t.kind === 'union') {
    return t.members.map((m) => {
      const size = sizeOf(m.type);
      if (m.bitSize === undefined)
        return { name: m.name, type: m.type, bytes: bytes.subarray(m.offset, m.offset + size) };
      return {
        name: m.name,
        type: m.type,
        bytes: extractBits(bytes, m.offset, m.bitOffset ?? 0, m.bitSize, size, isSigned(m.type)),
      };
    });
  }
  if (t.kind === 'array') {
    const [first, ...rest] = t.dims;
    const inner: Type =
      rest.length > 0 ? { kind: 'array', element: t.element, dims: rest, size: 0 } : t.element;
    const elemSize =
      rest.length > 0 ? rest.reduce<number>((a, d) => a * (d ?? 0), sizeOf(t.element)) : sizeOf(t.element);
    const count = Math.min(first ?? 0, elemSize > 0 ? Math.floor(bytes.length / elemSize) : 0, MAX_ELEMENTS);
    if (rest.length > 0) (inner as { size: number }).size = elemSize;
    const out: Child[] = [];
    for (let i = 0; i < count; i++)
      out.push({ name: `[${i}]`, type: inner, bytes: bytes.subarray(i * elemSize, (i + 1) * elemSize) });
    return out;
  }
  return [];
}

function isSigned(t: Type): boolean {
  const s = strip(t);
  if (s.kind === 'base') return s.encoding === ATE.signed || s.encoding === ATE.signed_char;
  return s.kind === 'enum' && s.signed;
}

/** A bit field's value as the bytes of its declared type (sign-extended when signed). */
function extractBits(
  bytes: Uint8Array,
  byteOffset: number,
  bitOffset: number,
  bitSize: number,
  size: number,
  signed: boolean,
): Uint8Array {
  const storage = readUnsigned(bytes.subarray(byteOffset, byteOffset + Math.ceil((bitOffset + bitSize) / 8)));
  let v = (storage >> BigInt(bitOffset)) & ((1n << BigInt(bitSize)) - 1n);
  if (signed && bitSize > 0 && (v >> BigInt(bitSize - 1)) & 1n) v -= 1n << BigInt(bitSize);
  const out = new Uint8Array(Math.max(size, 1));
  let u = BigInt.asUintN(out.length * 8, v);
  for (let i = 0; i < out.length; i++, u >>= 8n) out[i] = Number(u & 0xffn);
  return out;
}

/** gdb's rendering of one character inside quotes. */
function charText(c: number, quote: string): string {
  switch (c) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 9:
      return '\\t';
    case 10:
      return '\\n';
    case 11:
      return '\\v';
    case 12:
      return '\\f';
    case 13:
      return '\\r';
    case 27:
      return '\\033';
    case 92:
      return '\\\\';
  }
  if (String.fromCharCode(c) === quote) return `\\${quote}`;
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  return `\\${c.toString(8).padStart(3, '0')}`;
}

/** A run of characters as gdb prints strings: quoted segments and `'c' <repeats N times>`. */
function stringText(chars: number[]): string {
  const parts: string[] = [];
  let quoted = '';
  for (let i = 0; i < chars.length;) {
    let j = i;
    while (j < chars.length && chars[j] === chars[i]) j++;
    const run = j - i;
    if (run >= REPEAT_THRESHOLD) {
      if (quoted) parts.push(`"${quoted}"`);
      quoted = '';
      parts.push(`'${charText(chars[i]!, "'")}' <repeats ${run} times>`);
    } else {
      for (let k = i; k < j; k++) quoted += charText(chars[k]!, '"');
    }
    i = j;
  }
  if (quoted || parts.length === 0) parts.push(`"${quoted}"`);
  return parts.join(', ');
}

function formatFloat(v: number, digits: number): string {
  if (Number.isNaN(v)) return v < 0 ? '-nan' : 'nan(0x8000000000000)';
  if (!Number.isFinite(v)) return v < 0 ? '-inf' : 'inf';
  let s = v.toPrecision(digits);
  if (s.includes('e')) {
    const [m, e] = s.split('e') as [string, string];
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const exp = Number(e);
    s = `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return s;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** Format `bytes` as a value of `type`. */
export function formatValue(type: Type, bytes: Uint8Array, opts: FormatOptions = {}, level = 0): string {
  const t = strip(type);
  if (level > 32) return '{...}'; // only a corrupt self-containing type nests this deep
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'base': {
      if (bytes.length < t.size) return '<unavailable>';
      const u = readUnsigned(bytes, t.size);
      switch (t.encoding) {
        case ATE.boolean:
          return u === 0n ? 'false' : u === 1n ? 'true' : u.toString();
        case ATE.float: {
          const dv = new DataView(bytes.buffer, bytes.byteOffset, t.size);
          if (t.size === 4) return formatFloat(dv.getFloat32(0, true), 9);
          if (t.size === 8) return formatFloat(dv.getFloat64(0, true), 17);
          return `0x${u.toString(16)}`;
        }
        case ATE.signed:
        case ATE.signed_char: {
          const v = BigInt.asIntN(t.size * 8, u);
          return t.size === 1 ? `${v} '${charText(Number(u), "'")}'` : v.toString();
        }
        case ATE.unsigned_char:
        case ATE.UTF:
          return t.size === 1 ? `${u} '${charText(Number(u), "'")}'` : u.toString();
        default:
          return u.toString();
      }
    }
    case 'enum': {
      if (bytes.length < t.size) return '<unavailable>';
      const u = readUnsigned(bytes, t.size);
      const v = t.signed ? Number(BigInt.asIntN(t.size * 8, u)) : Number(u);
      return t.enumerators.find((e) => e.value === v)?.name ?? String(v);
    }
    case 'pointer': {
      if (bytes.length < t.size) return '<unavailable>';
      const addr = readUnsigned(bytes, t.size);
      let text = `0x${addr.toString(16)}`;
      const target = strip(t.target);
      const n = Number(addr);
      if (addr !== 0n && opts.symbolize && (target.kind === 'function' || !isCharType(t.target))) {
        const sym = opts.symbolize(n);
        if (sym) text += ` <${sym}>`;
      }
      if (addr !== 0n && isCharType(t.target) && opts.readMemory) {
        const s = readCString(opts.readMemory, n);
        if (s !== undefined) text += ` ${s}`;
      } else if (opts.topLevel) {
        text = `(${typeName(type)}) ${text}`;
      }
      return text;
    }
    case 'function':
      return `{${typeName(type)}}`;
    case 'struct':
    case 'union': {
      if (opts.depth !== undefined && level >= opts.depth) return '{...}';
      const parts = children(t, bytes).map(
        (c) => `${c.name} = ${formatValue(c.type, c.bytes, { ...opts, topLevel: false }, level + 1)}`,
      );
      return `{${parts.join(', ')}}`;
    }
    case 'array': {
      if (t.dims.length === 1 && isCharType(t.element)) {
        const chars = [...bytes.subarray(0, Math.min(t.dims[0] ?? 0, bytes.length))];
        // gdb drops one terminating NUL; other NULs print as \000 (or a repeats run).
        const shown = chars.length > 0 && chars[chars.length - 1] === 0 ? chars.slice(0, -1) : chars;
        return stringText(shown.slice(0, MAX_STRING));
      }
      if (opts.depth !== undefined && level >= opts.depth) return '{...}';
      const items = children(t, bytes).map((c) =>
        formatValue(c.type, c.bytes, { ...opts, topLevel: false }, level + 1),
      );
      const parts: string[] = [];
      for (let i = 0; i < items.length;) {
        let j = i;
        while (j < items.length && items[j] === items[i]) j++;
        if (j - i >= REPEAT_THRESHOLD) parts.push(`${items[i]} <repeats ${j - i} times>`);
        else for (let k = i; k < j; k++) parts.push(items[k]!);
        i = j;
      }
      const more = (t.dims[0] ?? 0) > MAX_ELEMENTS ? '...' : '';
      return `{${parts.join(', ')}${more}}`;
    }
    default:
      return '?';
  }
}

function readCString(
  readMemory: (addr: number, len: number) => Uint8Array | undefined,
  addr: number,
): string | undefined {
  const chars: number[] = [];
  for (let i = 0; i < MAX_STRING; i++) {
    const b = readMemory(addr + i, 1);
    if (!b || b.length < 1)
      return chars.length > 0
        ? `${stringText(chars)}<error: Cannot access memory>`
        : '<error: Cannot access memory>';
    if (b[0] === 0) return stringText(chars);
    chars.push(b[0]!);
  }
  return `${stringText(chars)}...`;
}

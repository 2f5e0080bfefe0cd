/**
 * Values of the C expression evaluator (cexpr.ts): a value is a DWARF type, its bytes and
 * where it lives; this module converts values to integers and back, and implements
 * member access, casts and the binary operators with C's usual arithmetic conversions
 * (C11 6.3.1.8, simplified to RV64's 4-byte int and 8-byte long) and pointer arithmetic
 * scaled by the target's size (C11 6.5.6).
 */
import { ATE } from './symbols/constants';
import { sizeOf, strip, typeName, type Type } from './symbols';

export class ExprError extends Error {
  override name = 'ExprError';
}

export interface Value {
  type: Type;
  bytes: Uint8Array;
  /** Where the value lives, when it is an lvalue. */
  address?: number;
  /** The register holding it: a DWARF register number or a register/CSR name. */
  register?: string;
}

export const LONG: Type = { kind: 'base', name: 'long', size: 8, encoding: ATE.signed };
export const ULONG: Type = { kind: 'base', name: 'unsigned long', size: 8, encoding: ATE.unsigned };
export const INT: Type = { kind: 'base', name: 'int', size: 4, encoding: ATE.signed };
export const CHAR: Type = { kind: 'base', name: 'char', size: 1, encoding: ATE.unsigned_char };
export const VOID: Type = { kind: 'void' };

export const BASE_NAMES = new Map<string, Type>([
  ['int', INT],
  ['long', LONG],
  ['unsigned long', ULONG],
  ['unsigned', { kind: 'base', name: 'unsigned int', size: 4, encoding: ATE.unsigned }],
  ['unsigned int', { kind: 'base', name: 'unsigned int', size: 4, encoding: ATE.unsigned }],
  ['char', CHAR],
  ['unsigned char', { kind: 'base', name: 'unsigned char', size: 1, encoding: ATE.unsigned_char }],
  ['short', { kind: 'base', name: 'short', size: 2, encoding: ATE.signed }],
  ['long long', { kind: 'base', name: 'long long', size: 8, encoding: ATE.signed }],
  ['unsigned long long', { kind: 'base', name: 'unsigned long long', size: 8, encoding: ATE.unsigned }],
  ['void', VOID],
]);

export function isSigned(t: Type): boolean {
  const s = strip(t);
  if (s.kind === 'base') return s.encoding === ATE.signed || s.encoding === ATE.signed_char;
  if (s.kind === 'enum') return s.signed;
  return false;
}

function leBytes(v: bigint, size: number): Uint8Array {
  const b = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    b[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return b;
}

export function scalarOf(v: Value): bigint {
  const t = strip(v.type);
  if (t.kind === 'array') {
    if (v.address === undefined) throw new ExprError('the array is not in memory');
    return BigInt(v.address);
  }
  if (t.kind === 'struct' || t.kind === 'union') throw new ExprError(`${typeName(v.type)} is not a number`);
  if (t.kind === 'void') throw new ExprError('void has no value');
  let x = 0n;
  for (let i = v.bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(v.bytes[i]!);
  return isSigned(t) ? BigInt.asIntN(v.bytes.length * 8, x) : x;
}

export function makeValue(type: Type, v: bigint): Value {
  return { type, bytes: leBytes(v, Math.max(1, sizeOf(type) || 8)) };
}

export function isPointerLike(t: Type): boolean {
  const s = strip(t);
  return s.kind === 'pointer' || s.kind === 'array';
}

export function pointee(t: Type): Type {
  const s = strip(t);
  if (s.kind === 'pointer') return s.target;
  if (s.kind === 'array') {
    return s.dims.length > 1
      ? {
          ...s,
          dims: s.dims.slice(1),
          size: sizeOf(s.element) * s.dims.slice(1).reduce<number>((a, d) => a * (d ?? 0), 1),
        }
      : s.element;
  }
  throw new ExprError(`${typeName(t)} is not a pointer`);
}

export function memberOf(base: Value, name: string): Value {
  const s = strip(base.type);
  if (s.kind !== 'struct' && s.kind !== 'union')
    throw new ExprError(
      `attempt to extract a component of a value that is not a structure: ${typeName(base.type)}`,
    );
  const m = s.members.find((x) => x.name === name);
  if (!m) throw new ExprError(`there is no member named ${name}`);
  const size = sizeOf(m.type);
  if (m.bitSize !== undefined) {
    let x = 0n;
    const raw = base.bytes.subarray(m.offset, m.offset + size);
    for (let i = raw.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(raw[i]!);
    x = (x >> BigInt(m.bitOffset ?? 0)) & ((1n << BigInt(m.bitSize)) - 1n);
    return makeValue(m.type, x);
  }
  const v: Value = { type: m.type, bytes: base.bytes.subarray(m.offset, m.offset + size) };
  if (base.address !== undefined) v.address = base.address + m.offset;
  return v;
}

export function cast(type: Type, v: Value): Value {
  const s = strip(type);
  if (s.kind === 'struct' || s.kind === 'union' || s.kind === 'array') {
    if (v.address === undefined) throw new ExprError(`cannot cast to ${typeName(type)}`);
    return { type, bytes: v.bytes, address: v.address };
  }
  return makeValue(type, scalarOf(v));
}

/** The usual arithmetic conversions, simplified to RV64's int (4 bytes) and long (8). */
export function arithType(a: Type, b: Type): Type {
  const sa = sizeOf(a);
  const sb = sizeOf(b);
  const size = Math.max(4, sa, sb);
  const unsigned = (!isSigned(a) && sa >= size) || (!isSigned(b) && sb >= size);
  if (size > 4) return unsigned ? ULONG : LONG;
  return unsigned ? { kind: 'base', name: 'unsigned int', size: 4, encoding: ATE.unsigned } : INT;
}

export function binaryOp(op: string, a: Value, b: Value): Value {
  if (op === '&&') return makeValue(INT, scalarOf(a) !== 0n && scalarOf(b) !== 0n ? 1n : 0n);
  if (op === '||') return makeValue(INT, scalarOf(a) !== 0n || scalarOf(b) !== 0n ? 1n : 0n);
  const x = scalarOf(a);
  const y = scalarOf(b);
  const pa = isPointerLike(a.type);
  const pb = isPointerLike(b.type);
  if ((op === '+' || op === '-') && (pa || pb)) {
    if (pa && pb && op === '-') {
      const size = BigInt(sizeOf(pointee(a.type)) || 1);
      return makeValue(LONG, (x - y) / size);
    }
    const ptr = pa ? a : b;
    const n = pa ? y : x;
    const target = pointee(ptr.type);
    const size = BigInt(sizeOf(target) || 1);
    const base = pa ? x : y;
    return makeValue({ kind: 'pointer', size: 8, target }, op === '+' ? base + n * size : base - n * size);
  }
  const cmp = (r: boolean): Value => makeValue(INT, r ? 1n : 0n);
  const t = pa || pb ? ULONG : arithType(a.type, b.type);
  const bits = sizeOf(t) * 8;
  const signed = isSigned(t);
  const cx = signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x);
  const cy = signed ? BigInt.asIntN(bits, y) : BigInt.asUintN(bits, y);
  switch (op) {
    case '==':
      return cmp(cx === cy);
    case '!=':
      return cmp(cx !== cy);
    case '<':
      return cmp(cx < cy);
    case '>':
      return cmp(cx > cy);
    case '<=':
      return cmp(cx <= cy);
    case '>=':
      return cmp(cx >= cy);
    case '+':
      return makeValue(t, cx + cy);
    case '-':
      return makeValue(t, cx - cy);
    case '*':
      return makeValue(t, cx * cy);
    case '/':
    case '%':
      if (cy === 0n) throw new ExprError('division by zero');
      return makeValue(t, op === '/' ? cx / cy : cx % cy);
    case '<<':
      return makeValue(t, cx << (cy & 63n));
    case '>>':
      return makeValue(t, cx >> (cy & 63n));
    case '&':
      return makeValue(t, cx & cy);
    case '|':
      return makeValue(t, cx | cy);
    case '^':
      return makeValue(t, cx ^ cy);
  }
  throw new ExprError(`unknown operator ${op}`);
}

/** Evaluate a C expression. */

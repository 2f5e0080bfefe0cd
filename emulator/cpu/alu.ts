/**
 * 64-bit integer arithmetic on pairs of 32-bit halves, for the interpreter. Registers live
 * in an Int32Array with the low half of x[i] at 2i and the high half at 2i+1; every helper
 * reads its operands as halves and writes the result straight into the register file at
 * index `rd` (rd = 64 is the x0 sink). Shifts and multiplies use only int32 operations
 * (Math.imul and 16-bit partial products). Division is the rare case: it uses doubles when
 * both operands are exact in a double (|v| < 2^53) and BigInt otherwise (unprivileged spec
 * 7.2 fixes the results of division by zero and of overflow; they are handled first).
 */

const TWO32 = 4294967296;

/** High 32 bits of the unsigned product of two 32-bit values. */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

export function shl(x: Int32Array, rd: number, lo: number, hi: number, sh: number): void {
  if (sh === 0) {
    x[rd] = lo;
    x[rd + 1] = hi;
  } else if (sh < 32) {
    x[rd + 1] = (hi << sh) | (lo >>> (32 - sh));
    x[rd] = lo << sh;
  } else {
    x[rd + 1] = lo << (sh - 32);
    x[rd] = 0;
  }
}

export function shr(x: Int32Array, rd: number, lo: number, hi: number, sh: number): void {
  if (sh === 0) {
    x[rd] = lo;
    x[rd + 1] = hi;
  } else if (sh < 32) {
    x[rd] = (lo >>> sh) | (hi << (32 - sh));
    x[rd + 1] = hi >>> sh;
  } else {
    x[rd] = hi >>> (sh - 32);
    x[rd + 1] = 0;
  }
}

export function sar(x: Int32Array, rd: number, lo: number, hi: number, sh: number): void {
  if (sh === 0) {
    x[rd] = lo;
    x[rd + 1] = hi;
  } else if (sh < 32) {
    x[rd] = (lo >>> sh) | (hi << (32 - sh));
    x[rd + 1] = hi >> sh;
  } else {
    x[rd] = hi >> (sh - 32);
    x[rd + 1] = hi >> 31;
  }
}

/** mul: the low 64 bits of the product. */
export function mul(x: Int32Array, rd: number, al: number, ah: number, bl: number, bh: number): void {
  const hi = (mulhu32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  x[rd] = Math.imul(al, bl);
  x[rd + 1] = hi;
}

/**
 * The high 64 bits of a 64x64 product, unsigned, then corrected for signed operands:
 * as signed values a = a_u - 2^64*[a<0], so hi(a*b) = hi_u - [a<0]*b - [b<0]*a (mod 2^64).
 * `signs`: 0 mulhu, 1 mulhsu (a signed), 3 mulh (both signed).
 */
export function mulh(
  x: Int32Array,
  rd: number,
  al: number,
  ah: number,
  bl: number,
  bh: number,
  signs: number,
): void {
  const p0h = mulhu32(al, bl) >>> 0;
  const p1l = Math.imul(al, bh) >>> 0;
  const p1h = mulhu32(al, bh) >>> 0;
  const p2l = Math.imul(ah, bl) >>> 0;
  const p2h = mulhu32(ah, bl) >>> 0;
  const p3l = Math.imul(ah, bh) >>> 0;
  const p3h = mulhu32(ah, bh) >>> 0;
  const w1 = p0h + p1l + p2l;
  const w2 = p1h + p2h + p3l + Math.floor(w1 / TWO32);
  let lo = w2 >>> 0;
  let hi = (p3h + Math.floor(w2 / TWO32)) >>> 0;
  if (signs & 1 && ah < 0) {
    // subtract b
    const nlo = lo - (bl >>> 0);
    hi = (hi - (bh >>> 0) - (nlo < 0 ? 1 : 0)) >>> 0;
    lo = nlo >>> 0;
  }
  if (signs & 2 && bh < 0) {
    const nlo = lo - (al >>> 0);
    hi = (hi - (ah >>> 0) - (nlo < 0 ? 1 : 0)) >>> 0;
    lo = nlo >>> 0;
  }
  x[rd] = lo;
  x[rd + 1] = hi;
}

const MAX_EXACT = 2 ** 53;

function toBig(lo: number, hi: number, signed: boolean): bigint {
  const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return signed ? BigInt.asIntN(64, v) : v;
}

function setBig(x: Int32Array, rd: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  x[rd] = Number(u & 0xffffffffn);
  x[rd + 1] = Number(u >> 32n);
}

function setNum(x: Int32Array, rd: number, v: number): void {
  x[rd] = v;
  x[rd + 1] = Math.floor(v / TWO32);
}

/** div/divu/rem/remu (64-bit). `signed`, `rem` select the instruction. */
export function div(
  x: Int32Array,
  rd: number,
  al: number,
  ah: number,
  bl: number,
  bh: number,
  signed: boolean,
  rem: boolean,
): void {
  if (bl === 0 && bh === 0) {
    // Division by zero: quotient all ones, remainder the dividend.
    if (rem) {
      x[rd] = al;
      x[rd + 1] = ah;
    } else {
      x[rd] = -1;
      x[rd + 1] = -1;
    }
    return;
  }
  if (signed && ah === -0x80000000 && al === 0 && bl === -1 && bh === -1) {
    // Overflow: INT64_MIN / -1 = INT64_MIN, remainder 0.
    x[rd] = rem ? 0 : al;
    x[rd + 1] = rem ? 0 : ah;
    return;
  }
  const a = signed ? ah * TWO32 + (al >>> 0) : (ah >>> 0) * TWO32 + (al >>> 0);
  const b = signed ? bh * TWO32 + (bl >>> 0) : (bh >>> 0) * TWO32 + (bl >>> 0);
  if (Math.abs(a) < MAX_EXACT && Math.abs(b) < MAX_EXACT) {
    // The double quotient rounds correctly to the truncated integer here (|a| < 2^53).
    const q = Math.trunc(a / b);
    setNum(x, rd, rem ? a - q * b : q);
    return;
  }
  // Rare: operands beyond 2^53 (BigInt is acceptable for division only).
  const A = toBig(al, ah, signed);
  const B = toBig(bl, bh, signed);
  setBig(x, rd, rem ? A % B : A / B);
}

/** divw/divuw/remw/remuw: 32-bit operands, sign-extended 32-bit result. */
export function divw(x: Int32Array, rd: number, a: number, b: number, signed: boolean, rem: boolean): void {
  let r: number;
  if (b === 0) r = rem ? a : -1;
  else if (signed) {
    if (a === -0x80000000 && b === -1) r = rem ? 0 : a;
    else r = rem ? a % b : (a / b) | 0;
  } else {
    const ua = a >>> 0;
    const ub = b >>> 0;
    r = rem ? ua % ub : Math.trunc(ua / ub);
  }
  r |= 0;
  x[rd] = r;
  x[rd + 1] = r >> 31;
}

/**
 * Integer arithmetic of the interpreter against BigInt reference computations: every
 * register-register and register-immediate operation of RV64IM on edge values (0, ±1,
 * INT64_MIN/MAX, 32-bit boundaries) and random ones, including mulh/mulhsu/mulhu, division
 * by zero and overflow (64-bit and W forms), shifts by 63/31, and sign extension of W
 * results and of loads.
 */
import assert from 'node:assert/strict';
import { RAM_BASE, rig, type Rig } from './fixtures/cpu-env';

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const sx32 = (v: bigint): bigint => u64(s32(v));

const EDGE: bigint[] = [
  0n,
  1n,
  2n,
  3n,
  7n,
  M64,
  M64 - 1n,
  1n << 63n,
  (1n << 63n) - 1n,
  (1n << 63n) + 1n,
  0xffffffffn,
  0x80000000n,
  0x7fffffffn,
  0x100000000n,
  0xffffffff80000000n,
  0xffffffff7fffffffn,
  0x123456789abcdef0n,
  0xfedcba9876543210n,
  0x8000000000000000n >> 11n,
  5n,
  M64 - 4n,
  1n << 53n,
  (1n << 53n) + 1n,
  u64(-(1n << 53n) - 1n),
];
let seed = 12345;
function rnd64(): bigint {
  let v = 0n;
  for (let k = 0; k < 4; k++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    v = (v << 16n) | BigInt(seed >>> 16);
  }
  return v;
}
const VALUES = [...EDGE, ...Array.from({ length: 12 }, rnd64)];

const divRef = (a: bigint, b: bigint, signed: boolean, rem: boolean, bits: 32 | 64): bigint => {
  const cv = (v: bigint): bigint => (signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
  const A = cv(a);
  const B = cv(b);
  let r: bigint;
  if (B === 0n) r = rem ? A : -1n;
  else if (signed && A === -(1n << BigInt(bits - 1)) && B === -1n) r = rem ? 0n : A;
  else r = rem ? A % B : A / B;
  return bits === 32 ? sx32(r) : u64(r);
};

const R_OPS: Record<string, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => u64(a + b),
  sub: (a, b) => u64(a - b),
  sll: (a, b) => u64(a << (b & 63n)),
  srl: (a, b) => a >> (b & 63n),
  sra: (a, b) => u64(s64(a) >> (b & 63n)),
  slt: (a, b) => (s64(a) < s64(b) ? 1n : 0n),
  sltu: (a, b) => (a < b ? 1n : 0n),
  xor: (a, b) => a ^ b,
  or: (a, b) => a | b,
  and: (a, b) => a & b,
  mul: (a, b) => u64(a * b),
  mulh: (a, b) => u64((s64(a) * s64(b)) >> 64n),
  mulhsu: (a, b) => u64((s64(a) * b) >> 64n),
  mulhu: (a, b) => (a * b) >> 64n,
  div: (a, b) => divRef(a, b, true, false, 64),
  divu: (a, b) => divRef(a, b, false, false, 64),
  rem: (a, b) => divRef(a, b, true, true, 64),
  remu: (a, b) => divRef(a, b, false, true, 64),
  addw: (a, b) => sx32(a + b),
  subw: (a, b) => sx32(a - b),
  sllw: (a, b) => sx32(a << (b & 31n)),
  srlw: (a, b) => sx32((a & 0xffffffffn) >> (b & 31n)),
  sraw: (a, b) => sx32(s32(a) >> (b & 31n)),
  mulw: (a, b) => sx32(a * b),
  divw: (a, b) => divRef(a, b, true, false, 32),
  divuw: (a, b) => divRef(a, b, false, false, 32),
  remw: (a, b) => divRef(a, b, true, true, 32),
  remuw: (a, b) => divRef(a, b, false, true, 32),
};

const I_OPS: Record<string, (a: bigint, imm: bigint) => bigint> = {
  addi: (a, i) => u64(a + i),
  slti: (a, i) => (s64(a) < i ? 1n : 0n),
  sltiu: (a, i) => (a < u64(i) ? 1n : 0n),
  xori: (a, i) => u64(a ^ u64(i)),
  ori: (a, i) => u64(a | u64(i)),
  andi: (a, i) => u64(a & u64(i)),
  addiw: (a, i) => sx32(a + i),
};
const SH_OPS: Record<string, (a: bigint, sh: bigint) => bigint> = {
  slli: (a, s) => u64(a << s),
  srli: (a, s) => a >> s,
  srai: (a, s) => u64(s64(a) >> s),
  slliw: (a, s) => sx32(a << s),
  srliw: (a, s) => sx32((a & 0xffffffffn) >> s),
  sraiw: (a, s) => sx32(s32(a) >> s),
};

/** Run one instruction with a1 = a, a2 = b; return a0. */
function exec1(r: Rig, text: string, a: bigint, b: bigint): bigint {
  r.bus.load(RAM_BASE, [text]);
  r.shared.ramWritten(RAM_BASE, 4);
  r.hart.setPc(BigInt(RAM_BASE));
  r.hart.setReg(10, 0xdeadn);
  r.hart.setReg(11, a);
  r.hart.setReg(12, b);
  assert.equal(r.hart.run(1), 1, text);
  return r.hart.getReg(10);
}

describe('cpu integer arithmetic', () => {
  const r = rig();
  for (const [name, ref] of Object.entries(R_OPS)) {
    it(`${name} matches the BigInt reference`, () => {
      for (const a of VALUES) {
        for (const b of VALUES) {
          const got = exec1(r, `${name} a0,a1,a2`, a, b);
          if (got !== ref(a, b))
            assert.fail(
              `${name}(${a.toString(16)}, ${b.toString(16)}) = ${got.toString(16)}, want ${ref(a, b).toString(16)}`,
            );
        }
      }
    });
  }
  for (const [name, ref] of Object.entries(I_OPS)) {
    it(`${name} matches the BigInt reference`, () => {
      for (const a of VALUES) {
        for (const imm of [0n, 1n, -1n, 2047n, -2048n, 1000n, -7n]) {
          const got = exec1(r, `${name} a0,a1,${imm}`, a, 0n);
          assert.equal(got, ref(a, imm), `${name}(${a.toString(16)}, ${imm})`);
        }
      }
    });
  }
  for (const [name, ref] of Object.entries(SH_OPS)) {
    it(`${name} matches the BigInt reference, including the largest shift`, () => {
      const max = name.endsWith('w') ? 31 : 63;
      for (const a of VALUES) {
        for (const sh of [0, 1, 7, 31, 32, 33, 63].filter((v) => v <= max)) {
          assert.equal(
            exec1(r, `${name} a0,a1,${sh}`, a, 0n),
            ref(a, BigInt(sh)),
            `${name}(${a.toString(16)}, ${sh})`,
          );
        }
      }
    });
  }
  it('division by zero and overflow follow unprivileged spec 7.2', () => {
    const MIN = 1n << 63n;
    assert.equal(exec1(r, 'div a0,a1,a2', 42n, 0n), M64);
    assert.equal(exec1(r, 'divu a0,a1,a2', 42n, 0n), M64);
    assert.equal(exec1(r, 'rem a0,a1,a2', 42n, 0n), 42n);
    assert.equal(exec1(r, 'remu a0,a1,a2', 42n, 0n), 42n);
    assert.equal(exec1(r, 'div a0,a1,a2', MIN, M64), MIN);
    assert.equal(exec1(r, 'rem a0,a1,a2', MIN, M64), 0n);
    assert.equal(exec1(r, 'divw a0,a1,a2', 0x80000000n, M64), 0xffffffff80000000n);
    assert.equal(exec1(r, 'remw a0,a1,a2', 0x80000000n, M64), 0n);
    assert.equal(exec1(r, 'divuw a0,a1,a2', 5n, 0n), M64);
    assert.equal(exec1(r, 'remuw a0,a1,a2', 0x80000005n, 0n), 0xffffffff80000005n);
  });
  it('lui, auipc, jal and jalr compute 64-bit values', () => {
    assert.equal(exec1(r, 'lui a0,0x80000', 0n, 0n), 0xffffffff80000000n);
    assert.equal(exec1(r, 'auipc a0,0x1', 0n, 0n), BigInt(RAM_BASE + 0x1000));
    assert.equal(exec1(r, 'auipc a0,0x80000', 0n, 0n), u64(BigInt(RAM_BASE) - 0x80000000n));
    assert.equal(exec1(r, 'jal a0,16', 0n, 0n), BigInt(RAM_BASE + 4));
    assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 16));
    exec1(r, 'jalr a0,3(a1)', BigInt(RAM_BASE + 0x100), 0n);
    assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 0x102), 'jalr clears bit 0');
  });
  it('writes to x0 are discarded', () => {
    r.bus.load(RAM_BASE, ['addi zero,zero,5', 'add a0,zero,zero']);
    r.shared.ramWritten(RAM_BASE, 8);
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.setReg(10, 9n);
    r.hart.run(2);
    assert.equal(r.hart.getReg(0), 0n);
    assert.equal(r.hart.getReg(10), 0n);
  });
  it('branches compare signed and unsigned at the boundaries', () => {
    const cases: [string, bigint, bigint, boolean][] = [
      ['blt', M64, 0n, true],
      ['blt', 0n, M64, false],
      ['bltu', M64, 0n, false],
      ['bltu', 0n, M64, true],
      ['bge', 1n << 63n, (1n << 63n) - 1n, false],
      ['bgeu', 1n << 63n, (1n << 63n) - 1n, true],
      ['beq', 0x100000000n, 0n, false],
      ['bne', 0x100000000n, 0n, true],
      ['bge', 5n, 5n, true],
      ['bltu', 0x1_0000_0000n, 0xffff_ffffn, false],
      ['blt', 0xffff_ffffn, 0x1_0000_0000n, true],
    ];
    for (const [op, a, b, taken] of cases) {
      exec1(r, `${op} a1,a2,64`, a, b);
      assert.equal(
        r.hart.getPc(),
        BigInt(RAM_BASE + (taken ? 64 : 4)),
        `${op} ${a.toString(16)} ${b.toString(16)}`,
      );
    }
  });
  it('loads sign- or zero-extend, aligned and misaligned', () => {
    const data = RAM_BASE + 0x1000;
    r.bus.w64(data, 0x8899aabbccddeeffn);
    r.bus.w64(data + 8, 0x0011223344556677n);
    const cases: [string, number, bigint][] = [
      ['lb', 0, 0xffffffffffffffffn],
      ['lbu', 0, 0xffn],
      ['lh', 0, 0xffffffffffffeeffn],
      ['lhu', 0, 0xeeffn],
      ['lw', 0, 0xffffffffccddeeffn],
      ['lwu', 0, 0xccddeeffn],
      ['ld', 0, 0x8899aabbccddeeffn],
      ['lw', 4, 0xffffffff8899aabbn],
      ['lh', 1, 0xffffffffffffddeen],
      ['lw', 3, 0xffffffff99aabbccn],
      ['ld', 5, 0x33445566778899aan],
      ['lhu', 7, 0x7788n],
      ['lb', 8, 0x77n],
    ];
    for (const [op, off, want] of cases) {
      assert.equal(exec1(r, `${op} a0,${off}(a1)`, BigInt(data), 0n), want, `${op} +${off}`);
    }
  });
  it('stores write the low bytes, aligned and misaligned', () => {
    const data = RAM_BASE + 0x2000;
    r.bus.w64(data, 0n);
    r.bus.w64(data + 8, 0n);
    exec1(r, 'sd a2,3(a1)', BigInt(data), 0x1122334455667788n);
    assert.equal(r.bus.r64(data), 0x4455667788000000n);
    assert.equal(r.bus.r64(data + 8), 0x112233n);
    exec1(r, 'sh a2,1(a1)', BigInt(data), 0xabcdn);
    exec1(r, 'sb a2,0(a1)', BigInt(data), 0x1ffn);
    exec1(r, 'sw a2,12(a1)', BigInt(data), 0xcafef00dn);
    assert.equal(r.bus.r64(data), 0x4455667788abcdffn);
    assert.equal(r.bus.r32(data + 12), 0xcafef00d);
  });
});

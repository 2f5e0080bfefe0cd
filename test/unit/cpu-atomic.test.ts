/**
 * The A extension: LR/SC success and failure (another hart's store, the hart's own sc,
 * DMA), every AMO in W and D forms against a reference, and misaligned atomics
 * (unprivileged spec chapter 8).
 */
import assert from 'node:assert/strict';
import { Exc } from '../../emulator/types';
import { RAM_BASE, rig } from './fixtures/cpu-env';

const DATA = RAM_BASE + 0x4000;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const sx32 = (v: bigint): bigint => u64(BigInt.asIntN(32, v));

describe('cpu atomics', () => {
  it('lr/sc succeeds when nothing intervened and sc gives up the reservation', () => {
    const r = rig();
    r.bus.w64(DATA, 5n);
    r.bus.load(RAM_BASE, ['lr.d a0,(a1)', 'addi a0,a0,1', 'sc.d a2,a0,(a1)', 'sc.d a3,a0,(a1)']);
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.setReg(11, BigInt(DATA));
    assert.equal(r.hart.run(4), 4);
    assert.equal(r.hart.getReg(12), 0n, 'first sc succeeds');
    assert.equal(r.hart.getReg(13), 1n, 'second sc fails: no reservation');
    assert.equal(r.bus.r64(DATA), 6n);
  });

  it("sc fails after another hart's store to the reserved address, not after a store elsewhere", () => {
    const r = rig(2);
    const [h0, h1] = r.harts as [typeof r.hart, typeof r.hart];
    r.bus.load(RAM_BASE, ['lr.w a0,(a1)', 'sc.w a2,a3,(a1)']);
    r.bus.load(RAM_BASE + 0x100, ['sw zero,0(a1)']);
    for (const [other, expect] of [
      [DATA + 64, 0n],
      [DATA + 4, 1n],
    ] as const) {
      r.bus.w32(DATA, 0xffffffff);
      h0.setPc(BigInt(RAM_BASE));
      h0.setReg(11, BigInt(DATA));
      h0.setReg(13, 0x77n);
      h1.setPc(BigInt(RAM_BASE + 0x100));
      h1.setReg(11, BigInt(other));
      assert.equal(h0.run(1), 1);
      assert.equal(h0.getReg(10), 0xffffffffffffffffn, 'lr.w sign-extends');
      assert.equal(h1.run(1), 1);
      assert.equal(h0.run(1), 1);
      assert.equal(h0.getReg(12), expect, `store at +${other - DATA}`);
    }
  });

  it('sc fails after a DMA write (ramWritten) over the reservation', () => {
    const r = rig();
    r.bus.load(RAM_BASE, ['lr.d a0,(a1)', 'sc.d a2,a0,(a1)']);
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.setReg(11, BigInt(DATA));
    r.hart.run(1);
    r.shared.ramWritten(DATA, 512);
    r.hart.run(1);
    assert.equal(r.hart.getReg(12), 1n);
  });

  const AMOS: Record<string, (a: bigint, b: bigint) => bigint> = {
    amoswap: (_a, b) => b,
    amoadd: (a, b) => a + b,
    amoxor: (a, b) => a ^ b,
    amoand: (a, b) => a & b,
    amoor: (a, b) => a | b,
    amomin: (a, b) => (s64(a) < s64(b) ? a : b),
    amomax: (a, b) => (s64(a) > s64(b) ? a : b),
    amominu: (a, b) => (a < b ? a : b),
    amomaxu: (a, b) => (a > b ? a : b),
  };
  const VALS = [
    0n,
    1n,
    0xffffffffffffffffn,
    0x8000000000000000n,
    0x7fffffff00000001n,
    0x00000000ffffffffn,
    0x80000000n,
    123456789n,
  ];
  for (const [name, ref] of Object.entries(AMOS)) {
    it(`${name}.w and ${name}.d return the old value and store the reference result`, () => {
      const r = rig();
      for (const a of VALS) {
        for (const b of VALS) {
          for (const w of ['w', 'd'] as const) {
            r.bus.load(RAM_BASE, [`${name}.${w}.aqrl a0,a2,(a1)`]);
            r.shared.ramWritten(RAM_BASE, 4);
            r.bus.w64(DATA, a);
            r.hart.setPc(BigInt(RAM_BASE));
            r.hart.setReg(11, BigInt(DATA));
            r.hart.setReg(12, b);
            assert.equal(r.hart.run(1), 1);
            if (w === 'd') {
              assert.equal(r.hart.getReg(10), a);
              assert.equal(r.bus.r64(DATA), u64(ref(a, b)), `${name}.d ${a} ${b}`);
            } else {
              const a32 = sx32(a);
              const b32 = sx32(b);
              const want = name.endsWith('u') ? ref(a & 0xffffffffn, b & 0xffffffffn) : ref(a32, b32);
              assert.equal(r.hart.getReg(10), a32);
              assert.equal(BigInt(r.bus.r32(DATA)), want & 0xffffffffn, `${name}.w ${a} ${b}`);
              assert.equal(r.bus.r64(DATA) >> 32n, a >> 32n, 'upper word untouched');
            }
          }
        }
      }
    });
  }

  it('misaligned lr raises load address-misaligned, sc and amo store/AMO address-misaligned', () => {
    for (const [src, cause] of [
      ['lr.w a0,(a1)', Exc.LoadMisaligned],
      ['sc.d a0,a2,(a1)', Exc.StoreMisaligned],
      ['amoadd.w a0,a2,(a1)', Exc.StoreMisaligned],
    ] as const) {
      const r = rig();
      r.bus.load(RAM_BASE, [src]);
      r.hart.writeCsr(0x305, BigInt(RAM_BASE + 0x8000));
      r.hart.setPc(BigInt(RAM_BASE));
      r.hart.setReg(11, BigInt(DATA + 2));
      r.hart.run(1);
      assert.equal(Number(r.hart.readCsr(0x342)), cause, src);
      assert.equal(r.hart.readCsr(0x343), BigInt(DATA + 2));
    }
  });
});

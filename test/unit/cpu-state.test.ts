/**
 * Hart state: reset values, snapshot/restore (running after a restore is indistinguishable
 * from never having snapshotted), decoded-code invalidation (self-modifying code, DMA via
 * ramWritten, fence.i), compressed code execution, and the debugger accessors.
 */
import assert from 'node:assert/strict';
import { assemble } from '../../emulator/cpu/asm';
import { Priv } from '../../emulator/types';
import { PageTables, RAM_BASE, A, D, R, V, W, X, rig } from './fixtures/cpu-env';

describe('cpu state', () => {
  it('resets to M-mode at pc 0 with mhartid = id', () => {
    const r = rig(3);
    const h = r.harts[2]!;
    assert.equal(h.priv, Priv.M);
    assert.equal(h.getPc(), 0n);
    assert.equal(h.readCsr(0xf14), 2n);
    assert.equal(h.waiting, false);
    assert.equal(h.instret, 0);
  });

  it('restoring a snapshot and running gives the same result as running on', () => {
    const src = `
        li s0, 300
        li s1, 0
        lui s2, 0x7
      l:
        ld t0, 0(s2)
        add t0, t0, s0
        mul s1, s1, t0
        addi s1, s1, 7
        sd s1, 0(s2)
        csrrw t1, sscratch, s1
        addi s0, s0, -1
        bne s0, zero, l
        ecall`;
    const make = () => {
      const r = rig();
      const pt = new PageTables(r.bus);
      pt.map(0x1000, RAM_BASE + 0x1000, V | R | X | A | D);
      pt.map(0x7000, RAM_BASE + 0x7000, V | R | W | A);
      r.bus.load(RAM_BASE + 0x1000, src);
      r.hart.writeCsr(0x180, pt.satp);
      r.hart.writeCsr(0x305, BigInt(RAM_BASE + 0x8000));
      r.bus.load(RAM_BASE + 0x8000, ['wfi']);
      r.hart.priv = Priv.S;
      r.hart.setPc(0x1000n);
      return r;
    };
    const a = make();
    a.hart.run(1000);
    const snap = a.hart.snapshot();
    const ram = a.bus.ram.u8.slice();
    a.hart.run(5000);
    const b = make();
    b.bus.ram.u8.set(ram);
    b.hart.restore(structuredClone(snap));
    b.hart.run(5000);
    for (let i = 1; i < 32; i++) assert.equal(b.hart.getReg(i), a.hart.getReg(i), `x${i}`);
    assert.equal(b.hart.getPc(), a.hart.getPc());
    assert.equal(b.hart.priv, a.hart.priv);
    assert.equal(b.hart.instret, a.hart.instret);
    for (const c of [0x300, 0x140, 0x341, 0x342, 0x180]) assert.equal(b.hart.readCsr(c), a.hart.readCsr(c));
    assert.deepEqual(b.bus.ram.u8, a.bus.ram.u8);
    assert.equal(a.hart.readCsr(0x342), 9n, 'the program ended in its ecall');
  });

  it('sees its own stores to code and DMA writes to code', () => {
    const r = rig();
    const [same, patch] = assemble(['addi a0,a0,1', 'addi a0,a0,100']);
    r.bus.load(RAM_BASE, ['sw a2,8(a1)', 'addi a0,a0,1', 'addi a0,a0,1', 'addi a0,a0,1']);
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.setReg(11, BigInt(RAM_BASE));
    r.hart.setReg(12, BigInt(same!));
    // Decode everything first (the store rewrites the same bits), then really patch.
    r.hart.run(4);
    assert.equal(r.hart.getReg(10), 3n);
    r.hart.setReg(10, 0n);
    r.hart.setReg(12, BigInt(patch!));
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.run(4);
    assert.equal(r.hart.getReg(10), 102n, 'self-modified code runs the new instruction');
    r.bus.w32(RAM_BASE + 4, patch!);
    r.shared.ramWritten(RAM_BASE + 4, 4);
    r.hart.setReg(10, 0n);
    r.hart.setPc(BigInt(RAM_BASE + 4));
    r.hart.run(3);
    assert.equal(r.hart.getReg(10), 201n, 'DMA-written code is re-decoded');
  });

  it("fence.i drops decoded code that changed behind the harts' backs", () => {
    const r = rig();
    const big = assemble(['addi a0,a0,100'])[0]!;
    r.bus.load(RAM_BASE, ['addi a0,a0,1', 'nop', 'fence.i']);
    const at = (off: number, n: number): void => {
      r.hart.setPc(BigInt(RAM_BASE + off));
      assert.equal(r.hart.run(n), n);
    };
    at(0, 1);
    assert.equal(r.hart.getReg(10), 1n);
    r.bus.w32(RAM_BASE, big); // no ramWritten: the decoded slot is stale
    at(0, 1);
    assert.equal(r.hart.getReg(10), 2n, 'stale decoded instruction');
    at(8, 1); // fence.i
    at(0, 1);
    assert.equal(r.hart.getReg(10), 102n);
  });

  it('re-decodes an instruction whose upper half is overwritten', () => {
    const r = rig();
    // sh a2,6(a1) rewrites bits 31..16 of the instruction at +4 (addi a0,a0,1 -> addi a0,a0,0x7ff).
    r.bus.load(RAM_BASE, ['sh a2,6(a1)', 'addi a0,a0,1', 'jal zero,-8']);
    r.hart.setPc(BigInt(RAM_BASE + 4));
    r.hart.setReg(11, BigInt(RAM_BASE));
    r.hart.setReg(12, 0x7ff5n);
    r.hart.run(2); // decode the addi and the jump first
    assert.equal(r.hart.getReg(10), 1n);
    r.hart.run(2); // sh, then the patched addi
    assert.equal(r.hart.getReg(10), 1n + 0x7ffn);
  });

  it('runs compressed code, mixing 16- and 32-bit instructions', () => {
    const r = rig();
    // c.li a0,5; c.addi a0,3; c.slli a0,2; addi a1,zero,7; c.add a0,a1; c.mv a2,a0; c.addi16sp sp,-32; c.nop
    const halves = [0x4515, 0x050d, 0x050a, 0x0593, 0x0070, 0x952e, 0x862a, 0x7179, 0x0001];
    halves.forEach((v, k) => r.bus.ram.dv.setUint16(2 * k, v, true));
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.setReg(2, 0x1000n);
    assert.equal(r.hart.run(8), 8);
    assert.equal(r.hart.getReg(10), 39n);
    assert.equal(r.hart.getReg(12), 39n);
    assert.equal(r.hart.getReg(2), 0x1000n - 48n);
    assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 18));
  });

  it('debugger accessors read and write 64-bit registers, x0 stays zero, CSR reads have no side effects', () => {
    const r = rig();
    r.hart.setReg(5, 0xfedcba9876543210n);
    r.hart.setReg(0, 5n);
    assert.equal(r.hart.getReg(5), 0xfedcba9876543210n);
    assert.equal(r.hart.getReg(0), 0n);
    r.hart.setPc(0xffffffff80001000n);
    assert.equal(r.hart.getPc(), 0xffffffff80001000n);
    r.hart.writeCsr(0x344, 2n);
    assert.equal(r.hart.readCsr(0x344), 2n);
    assert.equal(r.hart.readCsr(0x344), 2n);
  });
});

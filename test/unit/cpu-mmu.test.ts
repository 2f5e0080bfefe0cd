/**
 * Sv39 translation (privileged spec 4.3, 4.4): 4 KiB pages and 1 GiB / 2 MiB superpages,
 * misaligned superpages, every permission check (R/W/X/U, SUM, MXR, MPRV), reserved
 * encodings, A/D updates by the walker, non-canonical addresses, access faults outside
 * RAM and devices, MMIO through a mapping, the TLB and sfence.vma, and the debugger's
 * side-effect-free translate().
 */
import assert from 'node:assert/strict';
import { Access, Exc, Priv } from '../../emulator/types';
import { A, D, MMIO_BASE, PageTables, R, RAM_BASE, U, V, W, X, rig, type Rig } from './fixtures/cpu-env';

const CODE_VA = 0x1000;
const HANDLER = RAM_BASE + 0x8000;

interface Mmu extends Rig {
  pt: PageTables;
}

/** One instruction at CODE_VA, mapped for `priv`; traps go to M. */
function mmu(insn: string, priv: Priv = Priv.S): Mmu {
  const r = rig();
  const pt = new PageTables(r.bus);
  r.bus.load(RAM_BASE + CODE_VA, [insn, 'nop']);
  r.bus.load(HANDLER, ['wfi']);
  pt.map(CODE_VA, RAM_BASE + CODE_VA, V | R | X | A | D | (priv === Priv.U ? U : 0));
  r.hart.writeCsr(0x305, BigInt(HANDLER));
  r.hart.writeCsr(0x180, pt.satp);
  return { ...r, pt };
}

/** Run the instruction with a1 = va (a2 = store value) at `priv`; the exception code or -1. */
function access(m: Mmu, va: number | bigint, priv: Priv = Priv.S, mstatus = 0n): number {
  m.hart.writeCsr(0x300, mstatus);
  m.hart.writeCsr(0x342, 0n);
  m.hart.priv = priv;
  m.hart.setPc(BigInt(CODE_VA));
  m.hart.setReg(11, BigInt.asUintN(64, BigInt(va)));
  m.hart.setReg(12, 0x1122334455667788n);
  m.hart.run(1);
  if (m.hart.priv !== Priv.M) return -1; // no trap: still at `priv`
  return Number(m.hart.readCsr(0x342));
}

describe('cpu Sv39 MMU', () => {
  it('walks 4 KiB pages and 2 MiB and 1 GiB superpages', () => {
    const m = mmu('ld a0,0(a1)');
    m.bus.w64(RAM_BASE + 0x5238, 0xaaaan);
    m.bus.w64(RAM_BASE + 0x201238, 0xbbbbn);
    m.pt.map(0x7000, RAM_BASE + 0x5000, V | R | A);
    m.pt.map(0x20_0000, RAM_BASE + 0x20_0000, V | R | A, 1);
    m.pt.map(0x4000_0000, RAM_BASE, V | R | A, 2);
    assert.equal(access(m, 0x7238), -1);
    assert.equal(m.hart.getReg(10), 0xaaaan);
    assert.equal(access(m, 0x20_1238), -1);
    assert.equal(m.hart.getReg(10), 0xbbbbn);
    assert.equal(access(m, 0x4020_1238), -1);
    assert.equal(m.hart.getReg(10), 0xbbbbn);
    assert.equal(m.hart.translate(0x4020_1238n, Access.Load).ok, true);
    assert.deepEqual(m.hart.translate(0x4000_5238n, Access.Load), { ok: true, paddr: RAM_BASE + 0x5238 });
  });

  it('faults on a misaligned superpage, an invalid PTE, W without R, and a leaf-less level 0', () => {
    const m = mmu('ld a0,0(a1)');
    m.pt.map(0x20_0000, RAM_BASE + 0x1000, V | R | A, 1);
    assert.equal(access(m, 0x20_0000), Exc.LoadPageFault);
    assert.equal(m.hart.readCsr(0x343), 0x20_0000n);
    m.pt.map(0x9000, RAM_BASE + 0x9000, R | A);
    assert.equal(access(m, 0x9000), Exc.LoadPageFault, 'V = 0');
    m.pt.map(0xa000, RAM_BASE + 0xa000, V | W | A | D);
    assert.equal(access(m, 0xa000), Exc.LoadPageFault, 'W without R is reserved');
    m.pt.map(0xb000, RAM_BASE + 0x30_0000, V); // a pointer at level 0
    assert.equal(access(m, 0xb000), Exc.LoadPageFault);
    assert.equal(access(m, 0x6_0000_0000), Exc.LoadPageFault, 'unmapped');
  });

  it('checks R, W and X on loads, stores and fetches', () => {
    const ld = mmu('ld a0,0(a1)');
    ld.pt.map(0x7000, RAM_BASE + 0x7000, V | X | A);
    assert.equal(access(ld, 0x7000), Exc.LoadPageFault, 'execute-only');
    const st = mmu('sd a2,0(a1)');
    st.pt.map(0x7000, RAM_BASE + 0x7000, V | R | A | D);
    assert.equal(access(st, 0x7008), Exc.StorePageFault);
    assert.equal(st.hart.readCsr(0x343), 0x7008n);
    st.pt.map(0x8000, RAM_BASE + 0xc000, V | R | W | A | D);
    assert.equal(access(st, 0x8010), -1);
    assert.equal(st.bus.r64(RAM_BASE + 0xc010), 0x1122334455667788n);
    const jr = mmu('jalr zero,0(a1)');
    jr.pt.map(0x7000, RAM_BASE + 0x7000, V | R | A);
    assert.equal(access(jr, 0x7004), -1, 'the jump itself retires');
    jr.hart.run(1);
    assert.equal(Number(jr.hart.readCsr(0x342)), Exc.InstrPageFault);
    assert.equal(jr.hart.readCsr(0x343), 0x7004n, 'tval = the fetch address');
  });

  it('U pages: S needs SUM for loads and stores and may never execute them; U may not touch S pages', () => {
    const m = mmu('ld a0,0(a1)', Priv.U);
    m.pt.map(0x7000, RAM_BASE + 0x7000, V | R | W | X | U | A | D);
    m.pt.map(0x9000, RAM_BASE + 0x9000, V | R | W | A | D);
    assert.equal(access(m, 0x7000, Priv.S), Exc.InstrPageFault, 'S fetching a U page (the code page is U)');
    const s = mmu('ld a0,0(a1)', Priv.S);
    s.pt.map(0x7000, RAM_BASE + 0x7000, V | R | W | X | U | A | D);
    assert.equal(access(s, 0x7000, Priv.S), Exc.LoadPageFault, 'no SUM');
    assert.equal(access(s, 0x7000, Priv.S, 1n << 18n), -1, 'SUM');
    const jr = mmu('jalr zero,0(a1)', Priv.S);
    jr.pt.map(0x7000, RAM_BASE + 0x7000, V | R | X | U | A);
    access(jr, 0x7000, Priv.S, 1n << 18n);
    jr.hart.run(1);
    assert.equal(Number(jr.hart.readCsr(0x342)), Exc.InstrPageFault, 'SUM does not allow executing U pages');
    assert.equal(access(m, 0x7000, Priv.U), -1);
    assert.equal(access(m, 0x9000, Priv.U), Exc.LoadPageFault, 'U touching an S page');
  });

  it('MXR makes execute-only pages readable', () => {
    const m = mmu('lw a0,0(a1)');
    m.bus.w32(RAM_BASE + 0x7000, 0x1234);
    m.pt.map(0x7000, RAM_BASE + 0x7000, V | X | A);
    assert.equal(access(m, 0x7000), Exc.LoadPageFault);
    assert.equal(access(m, 0x7000, Priv.S, 1n << 19n), -1);
    assert.equal(m.hart.getReg(10), 0x1234n);
  });

  it('MPRV: M-mode loads and stores translate with MPP, fetches do not', () => {
    const r = rig();
    const pt = new PageTables(r.bus);
    r.bus.load(RAM_BASE + 0x1000, ['ld a0,0(a1)', 'sd a2,0(a1)']);
    pt.map(0x7000, RAM_BASE + 0x6000, V | R | W | A | D);
    r.bus.w64(RAM_BASE + 0x6000, 0x77n);
    r.hart.writeCsr(0x180, pt.satp);
    r.hart.writeCsr(0x300, (1n << 17n) | (1n << 11n)); // MPRV, MPP = S
    r.hart.setPc(BigInt(RAM_BASE + 0x1000));
    r.hart.setReg(11, 0x7000n);
    r.hart.setReg(12, 0x99n);
    assert.equal(r.hart.run(2), 2);
    assert.equal(r.hart.getReg(10), 0x77n);
    assert.equal(r.bus.r64(RAM_BASE + 0x6000), 0x99n);
    // MPP = U with an S page: fault.
    r.hart.writeCsr(0x300, 1n << 17n);
    r.hart.writeCsr(0x305, BigInt(RAM_BASE + 0x8000));
    r.hart.setPc(BigInt(RAM_BASE + 0x1000));
    r.hart.run(1);
    assert.equal(Number(r.hart.readCsr(0x342)), Exc.LoadPageFault);
  });

  it('sets A on access and D on store in the PTE, and re-walks a clean TLB entry on store', () => {
    const m = mmu('ld a0,0(a1)');
    m.pt.map(0x7000, RAM_BASE + 0x7000, V | R | W);
    const pte = m.pt.leaf(0x7000);
    assert.equal(access(m, 0x7000), -1);
    assert.equal(Number(m.bus.r64(pte) & 0xffn), V | R | W | A);
    m.bus.load(RAM_BASE + CODE_VA, ['sd a2,0(a1)']);
    m.shared.ramWritten(RAM_BASE + CODE_VA, 4);
    assert.equal(access(m, 0x7000), -1);
    assert.equal(Number(m.bus.r64(pte) & 0xffn), V | R | W | A | D);
  });

  it('faults on non-canonical addresses with the address in tval', () => {
    const m = mmu('ld a0,0(a1)');
    m.pt.map(0x7000, RAM_BASE + 0x7000, V | R | A);
    const bad = 0x0000_0080_0000_7000n; // bit 39 set, bit 38 clear
    assert.equal(access(m, bad), Exc.LoadPageFault);
    assert.equal(m.hart.readCsr(0x343), bad);
    const neg = 0xffff_ffc0_0000_7000n; // canonical negative: bits 63..38 set, unmapped
    assert.equal(access(m, neg), Exc.LoadPageFault);
    assert.equal(m.hart.readCsr(0x343), neg);
    m.pt.map(-0x40_0000_0000 + 0x7000, RAM_BASE + 0x7000, V | R | A);
    assert.equal(access(m, neg), -1, 'the top half of the address space maps through entry 256');
  });

  it('raises access faults for physical addresses outside RAM and devices, and reaches MMIO through a mapping', () => {
    const m = mmu('lw a0,0(a1)');
    m.pt.map(0x7000, 0x5000_0000, V | R | W | A | D);
    m.pt.map(0x8000, MMIO_BASE, V | R | W | A | D);
    assert.equal(access(m, 0x7004), Exc.LoadAccessFault);
    assert.equal(m.hart.readCsr(0x343), 0x7004n);
    m.bus.mmio.set(MMIO_BASE + 8, 0x87654321);
    assert.equal(access(m, 0x8008), -1);
    assert.equal(m.hart.getReg(10), 0xffffffff87654321n);
    const st = mmu('sw a2,0(a1)');
    st.pt.map(0x7000, 0x5000_0000, V | R | W | A | D);
    assert.equal(access(st, 0x7000), Exc.StoreAccessFault);
    const pt = mmu('ld a0,0(a1)');
    pt.hart.writeCsr(0x180, (8n << 60n) | 0x40000n); // root outside RAM
    pt.hart.priv = Priv.S;
    pt.hart.setPc(BigInt(CODE_VA));
    pt.hart.run(1);
    assert.equal(Number(pt.hart.readCsr(0x342)), Exc.InstrAccessFault, 'walk outside RAM: access fault');
  });

  it('keeps translations in the TLB until sfence.vma', () => {
    const r = rig();
    const pt = new PageTables(r.bus);
    r.bus.load(RAM_BASE + CODE_VA, ['ld a0,0(a1)', 'ld a0,0(a1)', 'sfence.vma zero,zero', 'ld a0,0(a1)']);
    pt.map(CODE_VA, RAM_BASE + CODE_VA, V | R | X | A | D);
    pt.map(0x7000, RAM_BASE + 0x5000, V | R | A);
    r.bus.w64(RAM_BASE + 0x5000, 1n);
    r.bus.w64(RAM_BASE + 0x6000, 2n);
    r.hart.writeCsr(0x180, pt.satp);
    r.hart.priv = Priv.S;
    r.hart.setPc(BigInt(CODE_VA));
    r.hart.setReg(11, 0x7000n);
    r.hart.run(1);
    assert.equal(r.hart.getReg(10), 1n);
    pt.map(0x7000, RAM_BASE + 0x6000, V | R | A);
    r.hart.run(1);
    assert.equal(r.hart.getReg(10), 1n, 'stale translation until the fence');
    r.hart.run(2);
    assert.equal(r.hart.getReg(10), 2n);
  });

  it('translate() for the debugger neither sets A/D nor fills the TLB', () => {
    const m = mmu('ld a0,0(a1)');
    m.pt.map(0x7000, RAM_BASE + 0x7000, V | R | W);
    const pte = m.pt.leaf(0x7000);
    m.hart.priv = Priv.S;
    assert.deepEqual(m.hart.translate(0x7010n, Access.Store), { ok: true, paddr: RAM_BASE + 0x7010 });
    assert.equal(Number(m.bus.r64(pte) & 0xffn), V | R | W);
    assert.deepEqual(m.hart.translate(0x7010n, Access.Fetch), { ok: false, cause: Exc.InstrPageFault });
    m.hart.priv = Priv.M;
    assert.deepEqual(m.hart.translate(0x7010n, Access.Load), { ok: true, paddr: 0x7010 }, 'M: bare');
    assert.deepEqual(m.hart.translate(0x7010n, Access.Load, 0n), { ok: true, paddr: 0x7010 });
  });

  it('executes a 32-bit instruction that straddles two pages, and faults on the second half', () => {
    const r = rig();
    const pt = new PageTables(r.bus);
    pt.map(0x1000, RAM_BASE + 0x1000, V | R | X | A);
    pt.map(0x2000, RAM_BASE + 0x3000, V | R | X | A);
    const addi = 0x00150513; // addi a0,a0,1
    r.bus.ram.dv.setUint16(0x1ffe, addi & 0xffff, true);
    r.bus.ram.dv.setUint16(0x3000, addi >>> 16, true);
    r.bus.w32(RAM_BASE + 0x3002, 0x00150513);
    r.hart.writeCsr(0x180, pt.satp);
    r.hart.writeCsr(0x305, BigInt(RAM_BASE + 0x8000));
    r.hart.priv = Priv.S;
    r.hart.setPc(0x1ffen);
    assert.equal(r.hart.run(2), 2);
    assert.equal(r.hart.getReg(10), 2n);
    assert.equal(r.hart.getPc(), 0x2006n);
    pt.map(0x2000, RAM_BASE + 0x3000, 0);
    r.hart.writeCsr(0x180, pt.satp);
    r.hart.priv = Priv.S;
    r.hart.setPc(0x1ffen);
    r.hart.run(1);
    assert.equal(Number(r.hart.readCsr(0x342)), Exc.InstrPageFault);
    assert.equal(r.hart.readCsr(0x343), 0x2000n);
  });
});

describe('cpu: exact xtval for addresses a number cannot hold', () => {
  // 2^53 + 7 and friends are non-canonical (Sv39) and past physical memory (Bare); the
  // fault must report the exact address, as QEMU does (found by the differential test).
  const cases: [string, bigint, number][] = [
    ['lbu a0,0(a1)', 0x20_0000_0000_0007n, Exc.LoadPageFault],
    ['lbu a0,7(a1)', 0x0400_0000_0000_0000n, Exc.LoadPageFault],
    ['sd a2,-8(a1)', 0x8000_0000_0000_0001n, Exc.StorePageFault],
    ['amoadd.d a0,a2,(a1)', 0x7fff_ffff_ffff_fff8n, Exc.StorePageFault],
  ];
  for (const [insn, reg, cause] of cases) {
    it(`${insn} with a1 = 0x${reg.toString(16)} (Sv39)`, () => {
      const m = mmu(insn);
      assert.equal(access(m, reg), cause);
      const imm = /(-?\d+)\(a1\)/.exec(insn)?.[1] ?? '0';
      assert.equal(m.hart.readCsr(0x343), BigInt.asUintN(64, reg + BigInt(imm)), 'mtval');
      assert.equal(m.hart.getPc(), BigInt(HANDLER));
    });
  }

  it('c.ld a0,8(a1) (a compressed load decodes to the same address)', () => {
    const m = mmu('nop');
    // c.ld a0,8(a1) = 0x6588 (RVC quadrant 0, funct3 011), then c.nop.
    m.bus.load(RAM_BASE + CODE_VA, Uint32Array.of(0x0001_6588));
    assert.equal(access(m, 0x0123_4567_89ab_cdefn), Exc.LoadPageFault);
    assert.equal(m.hart.readCsr(0x343), 0x0123_4567_89ab_cdf7n);
  });

  it('in M-mode without translation it is an access fault with the exact mtval', () => {
    const r = rig();
    r.bus.load(RAM_BASE, ['lbu a0,3(a1)', 'nop']);
    r.hart.writeCsr(0x305, BigInt(RAM_BASE + 0x100));
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.setReg(11, 0x0040_0000_0000_0001n);
    r.hart.run(1);
    assert.equal(r.hart.readCsr(0x342), BigInt(Exc.LoadAccessFault));
    assert.equal(r.hart.readCsr(0x343), 0x0040_0000_0000_0004n);
  });
});

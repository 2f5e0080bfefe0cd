/**
 * CSRs and traps: the sstatus/sie/sip views, read-only and privileged CSRs, counter enables,
 * WARL fields, trap entry with and without delegation, vectored interrupts, priorities,
 * mret/sret, wfi, Sstc, illegal encodings, breakpoints and the trap hook
 * (privileged spec 3.1, 3.3, 4.1).
 */
import assert from 'node:assert/strict';
import { Irq, Priv, type TrapInfo } from '../../emulator/types';
import { TrapRing } from '../../emulator/cpu/trap-ring';
import { RAM_BASE, rig, type Rig } from './fixtures/cpu-env';

const C = {
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  stimecmp: 0x14d,
  satp: 0x180,
  mstatus: 0x300,
  misa: 0x301,
  medeleg: 0x302,
  mideleg: 0x303,
  mie: 0x304,
  mtvec: 0x305,
  mcounteren: 0x306,
  menvcfg: 0x30a,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  mhartid: 0xf14,
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
};
const INT = 1n << 63n;
const HANDLER_M = RAM_BASE + 0x8000;
const HANDLER_S = RAM_BASE + 0x9000;

function setup(src: string | string[], priv: Priv = Priv.M, nHarts = 1): Rig {
  const r = rig(nHarts);
  r.bus.load(RAM_BASE, src);
  r.bus.load(HANDLER_M, ['wfi', 'j 0']);
  r.bus.load(HANDLER_S, ['wfi', 'j 0']);
  r.hart.writeCsr(C.mtvec, BigInt(HANDLER_M));
  r.hart.writeCsr(C.stvec, BigInt(HANDLER_S));
  r.hart.setPc(BigInt(RAM_BASE));
  r.hart.priv = priv;
  return r;
}
const csr = (r: Rig, n: number): bigint => r.hart.readCsr(n)!;

describe('cpu CSRs', () => {
  it('mstatus keeps its writable bits; UXL/SXL read 2; sstatus is a masked view', () => {
    const r = setup([]);
    assert.ok(r.hart.writeCsr(C.mstatus, (1n << 64n) - 1n));
    assert.equal(csr(r, C.mstatus), 0xa_007e19aan);
    assert.equal(csr(r, C.sstatus), 0x2_000c0122n);
    r.hart.writeCsr(C.sstatus, 0n);
    assert.equal(csr(r, C.mstatus), 0xa_0072_1888n);
    // MPP = 2 is reserved: the field keeps its value.
    r.hart.writeCsr(C.mstatus, 2n << 11n);
    assert.equal((csr(r, C.mstatus) >> 11n) & 3n, 3n);
  });

  it('sie and sip are mie and mip masked by mideleg', () => {
    const r = setup([]);
    r.hart.writeCsr(C.mie, 0xfffn);
    assert.equal(csr(r, C.mie), 0xaaan);
    assert.equal(csr(r, C.sie), 0n);
    r.hart.writeCsr(C.sie, 0n);
    assert.equal(csr(r, C.mie), 0xaaan, 'sie bits not delegated are read-only zero');
    r.hart.writeCsr(C.mideleg, 0xfffn);
    assert.equal(csr(r, C.mideleg), 0x222n);
    r.hart.writeCsr(C.sie, 0n);
    assert.equal(csr(r, C.mie), 0x888n);
    r.hart.writeCsr(C.sip, 0xfffn);
    assert.equal(csr(r, C.mip), 0x2n, 'only SSIP is writable through sip');
    r.hart.setInterruptLine(Irq.SExt, true);
    r.hart.setInterruptLine(Irq.MTimer, true);
    assert.equal(csr(r, C.mip), 0x282n);
    assert.equal(csr(r, C.sip), 0x202n);
    r.hart.writeCsr(C.mip, 0n);
    assert.equal(csr(r, C.mip), 0x280n, 'device lines are not cleared by software');
  });

  it('reads constants, ignores invalid WARL values, and clears mepc bit 0', () => {
    const r = setup([]);
    assert.equal(csr(r, C.misa), (2n << 62n) | 0x141105n);
    r.hart.writeCsr(C.mtvec, BigInt(RAM_BASE + 0x102));
    assert.equal(csr(r, C.mtvec), BigInt(HANDLER_M), 'mode 2 is not a legal mtvec mode');
    r.hart.writeCsr(C.mepc, 0x80001003n);
    assert.equal(csr(r, C.mepc), 0x80001002n);
    r.hart.writeCsr(C.satp, (9n << 60n) | 5n);
    assert.equal(csr(r, C.satp), 0n, 'Sv48 is not supported: the write has no effect');
    r.hart.writeCsr(C.satp, (8n << 60n) | 5n);
    assert.equal(csr(r, C.satp), (8n << 60n) | 5n);
    r.hart.writeCsr(C.medeleg, 0xffffn);
    assert.equal(csr(r, C.medeleg), 0xb3ffn);
    assert.equal(r.hart.readCsr(0x7c0), undefined);
    assert.equal(r.hart.readCsr(0x3a1), undefined, 'odd pmpcfg registers do not exist on RV64');
    assert.equal(r.hart.writeCsr(C.mhartid, 1n), false);
  });

  it('csrrw/csrrs/csrrc and immediate forms return the old value and apply the new one', () => {
    const r = setup(
      [
        'li a0, 0x55',
        'csrrw a1,mscratch,a0',
        'csrrsi a2,mscratch,2',
        'csrrc a3,mscratch,a0',
        'csrrwi a4,mscratch,31',
        'csrrs a5,mscratch,zero',
        'csrrs a6,mhartid,zero',
      ],
      Priv.M,
      2,
    );
    r.hart.writeCsr(C.mscratch, 0x1234n);
    assert.equal(r.hart.run(7), 7);
    assert.deepEqual(
      [11, 12, 13, 14, 15, 16].map((i) => r.hart.getReg(i)),
      [0x1234n, 0x55n, 0x57n, 2n, 31n, 0n],
    );
    assert.equal(r.harts[1]!.readCsr(C.mhartid), 1n);
  });

  it('writing a read-only CSR, a missing CSR, or one above the privilege is illegal with the bits in tval', () => {
    for (const [src, priv] of [
      ['csrrw zero,mhartid,a0', Priv.M],
      ['csrrsi a0,cycle,1', Priv.M],
      ['csrrs a0,0x7c0,zero', Priv.M],
      ['csrrs a0,mstatus,zero', Priv.S],
      ['csrrs a0,sstatus,zero', Priv.U],
      ['csrrs a0,3,zero', Priv.M],
    ] as const) {
      const r = setup([src], priv);
      r.hart.run(1);
      assert.equal(r.hart.priv, Priv.M, src);
      assert.equal(csr(r, C.mcause), 2n, src);
      assert.equal(csr(r, C.mtval), BigInt(r.bus.r32(RAM_BASE)), src);
      assert.equal(csr(r, C.mepc), BigInt(RAM_BASE), src);
      assert.equal(r.hart.getPc(), BigInt(HANDLER_M));
    }
  });

  it('gates cycle/time/instret below M by mcounteren and scounteren', () => {
    const r = setup(['csrrs a0,time,zero', 'csrrs a1,instret,zero'], Priv.U);
    r.shared.mtime = 777;
    r.hart.run(1);
    assert.equal(csr(r, C.mcause), 2n, 'not enabled: illegal');
    r.hart.writeCsr(C.mcounteren, 7n);
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.priv = Priv.U;
    r.hart.run(1);
    assert.equal(r.hart.getPc(), BigInt(HANDLER_M), 'U also needs scounteren');
    r.hart.writeCsr(C.scounteren, 7n);
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.priv = Priv.U;
    r.hart.instret = 100;
    assert.equal(r.hart.run(2), 2);
    assert.equal(r.hart.getReg(10), 777n);
    assert.equal(r.hart.getReg(11), 101n);
  });
});

describe('cpu traps', () => {
  it('ecall from U goes to M without delegation, to S with it', () => {
    let r = setup(['ecall'], Priv.U);
    r.hart.writeCsr(C.mstatus, 1n << 3n); // MIE
    r.hart.run(1);
    assert.equal(r.hart.priv, Priv.M);
    assert.equal(csr(r, C.mcause), 8n);
    assert.equal(csr(r, C.mepc), BigInt(RAM_BASE));
    assert.equal(csr(r, C.mtval), 0n);
    const ms = csr(r, C.mstatus);
    assert.equal((ms >> 11n) & 3n, 0n, 'MPP = U');
    assert.equal((ms >> 7n) & 1n, 1n, 'MPIE = old MIE');
    assert.equal((ms >> 3n) & 1n, 0n, 'MIE cleared');
    assert.equal(r.hart.getPc(), BigInt(HANDLER_M));

    r = setup(['ecall'], Priv.U);
    r.hart.writeCsr(C.medeleg, 1n << 8n);
    r.hart.writeCsr(C.sstatus, 2n); // SIE
    r.hart.run(1);
    assert.equal(r.hart.priv, Priv.S);
    assert.equal(csr(r, C.scause), 8n);
    assert.equal(csr(r, C.sepc), BigInt(RAM_BASE));
    const ss = csr(r, C.sstatus);
    assert.equal((ss >> 8n) & 1n, 0n, 'SPP = U');
    assert.equal((ss >> 5n) & 1n, 1n, 'SPIE = old SIE');
    assert.equal((ss >> 1n) & 1n, 0n, 'SIE cleared');
    assert.equal(r.hart.getPc(), BigInt(HANDLER_S));
  });

  it('never delegates a trap taken from M; ecall from S reports cause 9', () => {
    let r = setup(['ecall'], Priv.M);
    r.hart.writeCsr(C.medeleg, 0xffffn);
    r.hart.run(1);
    assert.equal(r.hart.priv, Priv.M);
    assert.equal(csr(r, C.mcause), 11n);
    r = setup(['ecall'], Priv.S);
    r.hart.run(1);
    assert.equal(csr(r, C.mcause), 9n);
    assert.equal((csr(r, C.mstatus) >> 11n) & 3n, 1n, 'MPP = S');
  });

  it('ebreak and c.ebreak: cause 3, tval = 0 (as QEMU 7.2)', () => {
    const r = setup(['ebreak']);
    r.hart.writeCsr(C.mtval, 0x55n);
    r.hart.run(1);
    assert.equal(csr(r, C.mcause), 3n);
    assert.equal(csr(r, C.mepc), BigInt(RAM_BASE));
    assert.equal(csr(r, C.mtval), 0n);
    r.bus.ram.dv.setUint16(0x10, 0x9002, true);
    r.shared.ramWritten(RAM_BASE, 0x20);
    r.hart.setPc(BigInt(RAM_BASE + 0x10));
    r.hart.run(1);
    assert.equal(csr(r, C.mepc), BigInt(RAM_BASE + 0x10));
    assert.equal(csr(r, C.mcause), 3n);
  });

  it('F/D, reserved and unknown encodings raise illegal-instruction with the bits in tval', () => {
    for (const [bits, len] of [
      [0x02b57553, 4], // fadd.d
      [0x00053007, 4], // fld
      [0x0000, 2], // all-zero halfword (c.addi4spn with imm 0)
      [0x2000, 2], // c.fld
      [0x6101, 2], // c.addi16sp with imm 0
      [0x6081, 2], // c.lui x1 with imm 0
      [0x2001, 2], // c.addiw x0
      [0x4002, 2], // c.lwsp x0
      [0x8002, 2], // c.jr x0
      [0x9c41, 2], // reserved CA encoding
      [0x8000, 2], // quadrant 0 funct3 100
      [0xffffffff, 4],
      [0x0000707f, 4],
    ] as const) {
      const r = setup([]);
      if (len === 4) r.bus.w32(RAM_BASE, bits);
      else r.bus.ram.dv.setUint16(0, bits, true);
      r.hart.run(1);
      assert.equal(csr(r, C.mcause), 2n, bits.toString(16));
      assert.equal(csr(r, C.mtval), BigInt(bits), bits.toString(16));
    }
  });

  it('takes a delegated interrupt in S through a vectored stvec, with the interrupt bit in scause', () => {
    const r = setup(['nop', 'nop'], Priv.U);
    r.hart.writeCsr(C.stvec, BigInt(HANDLER_S) | 1n);
    r.hart.writeCsr(C.mideleg, 0x222n);
    r.hart.writeCsr(C.mie, 0x20n);
    r.hart.writeCsr(C.mip, 0x20n); // STIP, set by M
    r.hart.run(1);
    assert.equal(r.hart.priv, Priv.S);
    assert.equal(csr(r, C.scause), INT | 5n);
    assert.equal(csr(r, C.sepc), BigInt(RAM_BASE));
    assert.equal(r.hart.getPc(), BigInt(HANDLER_S + 4 * 5));
  });

  it('exceptions go to the vector base even in vectored mode', () => {
    const r = setup(['ecall']);
    r.hart.writeCsr(C.mtvec, BigInt(HANDLER_M) | 1n);
    r.hart.run(1);
    assert.equal(r.hart.getPc(), BigInt(HANDLER_M));
  });

  it('global enables: M interrupts always taken below M; S interrupts masked by SIE in S and never taken in M', () => {
    const r = setup(['nop', 'nop', 'nop', 'nop'], Priv.S);
    r.hart.writeCsr(C.mideleg, 0x222n);
    r.hart.writeCsr(C.mie, 0x2n | 0x80n);
    r.hart.writeCsr(C.sip, 2n); // SSIP pending, SIE = 0
    assert.equal(r.hart.run(1), 1, 'SSI masked in S with SIE = 0');
    r.hart.setInterruptLine(Irq.MTimer, true); // MTI: M-level, taken from S whatever MIE
    r.hart.run(1);
    assert.equal(r.hart.priv, Priv.M);
    assert.equal(csr(r, C.mcause), INT | 7n);
    r.hart.setInterruptLine(Irq.MTimer, false);
    r.hart.writeCsr(C.mstatus, (1n << 3n) | 2n); // MIE, SIE set, still in M
    r.hart.setPc(BigInt(RAM_BASE));
    assert.equal(r.hart.run(1), 1, 'delegated SSI is not taken in M');
  });

  it('takes the highest priority interrupt first: MEI over MSI over MTI over SEI', () => {
    const r = setup(['nop']);
    r.hart.writeCsr(C.mie, 0xaaan);
    r.hart.writeCsr(C.mstatus, 1n << 3n);
    r.hart.setInterruptLine(Irq.SExt, true);
    r.hart.setInterruptLine(Irq.MTimer, true);
    r.hart.setInterruptLine(Irq.MSoft, true);
    r.hart.run(1);
    assert.equal(csr(r, C.mcause), INT | 3n);
    r.hart.setInterruptLine(Irq.MExt, true);
    r.hart.writeCsr(C.mstatus, 1n << 3n);
    r.hart.run(1);
    assert.equal(csr(r, C.mcause), INT | 11n);
  });

  it('mret restores privilege and enables and clears MPRV below M; sret likewise', () => {
    const r = setup(['mret']);
    r.hart.writeCsr(C.mepc, BigInt(RAM_BASE + 0x40));
    r.hart.writeCsr(C.mstatus, (1n << 11n) | (1n << 7n) | (1n << 17n));
    assert.equal(r.hart.run(1), 1);
    assert.equal(r.hart.priv, Priv.S);
    assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 0x40));
    const ms = csr(r, C.mstatus);
    assert.equal(ms & 0xffffn, (1n << 7n) | (1n << 3n), 'MIE = MPIE, MPIE = 1, MPP = U');
    assert.equal((ms >> 17n) & 1n, 0n, 'MPRV cleared');
    r.bus.load(RAM_BASE + 0x40, ['sret']);
    r.shared.ramWritten(RAM_BASE + 0x40, 4);
    r.hart.writeCsr(C.sepc, BigInt(RAM_BASE + 0x80));
    r.hart.writeCsr(C.sstatus, 1n << 5n); // SPIE, SPP = U
    r.hart.run(1);
    assert.equal(r.hart.priv, Priv.U);
    assert.equal(csr(r, C.sstatus) & 0x122n, 0x22n, 'SIE = SPIE, SPIE = 1, SPP = U');
    assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 0x80));
  });

  it('sret is illegal in U and under TSR in S; mret is illegal below M; wfi under TW and in U', () => {
    for (const [src, priv, ms] of [
      ['sret', Priv.U, 0n],
      ['sret', Priv.S, 1n << 22n],
      ['mret', Priv.S, 0n],
      ['wfi', Priv.U, 0n],
      ['wfi', Priv.S, 1n << 21n],
      ['sfence.vma zero,zero', Priv.S, 1n << 20n],
      ['sfence.vma zero,zero', Priv.U, 0n],
    ] as const) {
      const r = setup([src], priv);
      r.hart.writeCsr(C.mstatus, ms);
      r.hart.run(1);
      assert.equal(csr(r, C.mcause), 2n, `${src} in ${priv}`);
    }
  });

  it('wfi stops the hart until an enabled interrupt is pending, whatever the global enables', () => {
    const r = setup(['wfi', 'addi a0,a0,1', 'addi a0,a0,1']);
    r.hart.writeCsr(C.mie, 0x80n);
    assert.equal(r.hart.run(10), 1);
    assert.equal(r.hart.stopReason, 'wfi');
    assert.equal(r.hart.waiting, true);
    assert.equal(r.hart.run(10), 0, 'still waiting');
    r.hart.setInterruptLine(Irq.SExt, true); // not enabled in mie: no wake-up
    assert.equal(r.hart.waiting, true);
    r.hart.setInterruptLine(Irq.MTimer, true); // enabled in mie, MIE = 0: wake, no trap
    assert.equal(r.hart.waiting, false);
    assert.equal(r.hart.run(2), 2);
    assert.equal(r.hart.getReg(10), 2n);
    assert.equal(r.hart.priv, Priv.M);
    assert.equal(csr(r, C.mcause), 0n);
  });

  it('wfi wake-up takes the interrupt when it is enabled', () => {
    const r = setup(['wfi', 'addi a0,a0,1'], Priv.S);
    r.hart.writeCsr(C.mie, 0x800n);
    r.hart.run(5);
    assert.equal(r.hart.waiting, true);
    r.hart.setInterruptLine(Irq.MExt, true);
    r.hart.run(1);
    assert.equal(csr(r, C.mcause), INT | 11n);
    assert.equal(csr(r, C.mepc), BigInt(RAM_BASE + 4), 'resumes after the wfi');
  });

  it('Sstc: STIP follows mtime >= stimecmp when menvcfg.STCE is set; S access needs mcounteren.TM', () => {
    const r = setup(['csrrs a0,stimecmp,zero'], Priv.S);
    r.hart.writeCsr(C.stimecmp, 1000n);
    r.shared.mtime = 2000;
    r.hart.timeChanged();
    assert.equal(csr(r, C.mip) & 0x20n, 0n, 'STCE off: no Sstc timer');
    assert.equal(r.hart.nextTimerDeadline(), Infinity);
    r.hart.writeCsr(C.menvcfg, 1n << 63n);
    assert.equal(csr(r, C.mip) & 0x20n, 0x20n);
    r.hart.writeCsr(C.mip, 0n);
    assert.equal(csr(r, C.mip) & 0x20n, 0x20n, 'STIP is read-only under Sstc');
    r.hart.writeCsr(C.stimecmp, 5000n);
    assert.equal(csr(r, C.mip) & 0x20n, 0n);
    assert.equal(r.hart.nextTimerDeadline(), 5000);
    r.hart.run(1);
    assert.equal(csr(r, C.mcause), 2n, 'mcounteren.TM clear: illegal from S');
    r.hart.writeCsr(C.mcounteren, 2n);
    r.hart.setPc(BigInt(RAM_BASE));
    r.hart.priv = Priv.S;
    assert.equal(r.hart.run(1), 1);
    assert.equal(r.hart.getReg(10), 5000n);
    // The timer fires into S when delegated and enabled.
    r.hart.writeCsr(C.mideleg, 0x20n);
    r.hart.writeCsr(C.mie, 0x20n);
    r.hart.writeCsr(C.sstatus, 2n);
    r.bus.load(RAM_BASE + 4, ['nop', 'nop']);
    r.shared.ramWritten(RAM_BASE, 16);
    r.shared.mtime = 6000;
    r.hart.timeChanged();
    r.hart.run(1);
    assert.equal(csr(r, C.scause), INT | 5n);
  });

  it('stops before a breakpoint pc, and skipBreakpointOnce executes it', () => {
    const r = setup(['addi a0,a0,1', 'addi a0,a0,1', 'addi a0,a0,1']);
    r.shared.breakpoints.add(RAM_BASE + 4);
    assert.equal(r.hart.run(10), 1);
    assert.equal(r.hart.stopReason, 'breakpoint');
    assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 4));
    assert.equal(r.hart.run(10), 0, 'still at the breakpoint');
    r.hart.skipBreakpointOnce();
    assert.equal(r.hart.run(2), 2);
    assert.equal(r.hart.getReg(10), 3n);
  });

  /** The trap of the ecall at RAM_BASE + 4 (after one addi), taken in M-mode. */
  const ECALL_AT_4: TrapInfo = {
    hart: 0,
    interrupt: false,
    cause: 11,
    tval: 0n,
    epc: BigInt(RAM_BASE + 4),
    fromPriv: Priv.M,
    toPriv: Priv.M,
    instret: 1,
  };

  it('calls the trap hook after trap entry and stops when it returns true', () => {
    const r = setup(['addi a0,a0,1', 'ecall', 'addi a0,a0,1']);
    const seen: TrapInfo[] = [];
    r.shared.onTrap = (t) => {
      seen.push(t);
      return true;
    };
    assert.equal(r.hart.run(10), 1);
    assert.equal(r.hart.stopReason, 'trap-hook');
    assert.equal(seen.length, 1);
    assert.deepEqual(r.hart.lastTrap, ECALL_AT_4);
    assert.equal(r.hart.getPc(), BigInt(HANDLER_M));
  });

  it('records every trap in the trap ring and calls the hook only for the causes asked', () => {
    const r = setup(['addi a0,a0,1', 'ecall', 'addi a0,a0,1']);
    const seen: TrapInfo[] = [];
    r.shared.onTrap = (t) => {
      seen.push(t);
      return true;
    };
    r.shared.onTrapCauses = (1 << 12) | (1 << 13) | (1 << 15);
    r.shared.trapRing = new TrapRing(4);
    assert.equal(r.hart.run(2), 1, 'the ecall uses a step and retires nothing');
    assert.notEqual(r.hart.stopReason, 'trap-hook');
    assert.equal(seen.length, 0, 'an ecall is not a page fault');
    assert.deepEqual(r.shared.trapRing.since(0), [ECALL_AT_4]);
  });
});

/**
 * CSR decoding for display: causes in words, status flags, satp, interrupt bits, trap
 * vectors, and the one-line `name = value (decoding)` format.
 */
import assert from 'node:assert/strict';
import {
  causeName,
  decodeCause,
  decodeInterruptBits,
  decodeSatp,
  decodeStatus,
  decodeTvec,
  formatCsr,
  splitSatp,
} from '../../adapter/csr';

describe('CSR decoding', () => {
  it('names exception and interrupt causes (privileged spec table 3.6)', () => {
    assert.equal(causeName(false, 15), 'Store/AMO page fault');
    assert.equal(causeName(false, 8), 'Environment call from U-mode');
    assert.equal(causeName(false, 2), 'Illegal instruction');
    assert.equal(causeName(true, 5), 'Supervisor timer interrupt');
    assert.equal(causeName(true, 9), 'Supervisor external interrupt');
    assert.equal(causeName(false, 10), 'Exception 10 (reserved or custom)');
  });

  it('reads the interrupt bit of scause', () => {
    assert.equal(decodeCause(0xfn), 'Store/AMO page fault');
    assert.equal(decodeCause((1n << 63n) | 5n), 'Supervisor timer interrupt');
    assert.equal(decodeCause((1n << 63n) | 1n), 'Supervisor software interrupt');
  });

  it('formats a CSR as name = hex (meaning)', () => {
    assert.equal(formatCsr('scause', 0xfn), 'scause = 0xf (Store/AMO page fault)');
    assert.equal(
      formatCsr('scause', 0x8000000000000005n),
      'scause = 0x8000000000000005 (Supervisor timer interrupt)',
    );
    assert.equal(formatCsr('sepc', 0x1234n), 'sepc = 0x1234');
  });

  it('decodes sstatus flags, always showing SPP', () => {
    // SPIE | SPP=S | SUM | FS=Dirty | UXL=64 | SD
    const v = (1n << 5n) | (1n << 8n) | (1n << 18n) | (3n << 13n) | (2n << 32n) | (1n << 63n);
    assert.equal(decodeStatus(v, true), 'SD UXL=64 SUM FS=Dirty SPP=S SPIE');
    assert.equal(decodeStatus(1n << 1n, true), 'SPP=U SIE');
  });

  it('decodes mstatus including the machine fields', () => {
    // MIE | MPIE | MPP=S | SIE
    const v = (1n << 3n) | (1n << 7n) | (1n << 11n) | (1n << 1n);
    assert.equal(decodeStatus(v, false), 'MPP=S SPP=U MPIE MIE SIE');
    // the supervisor view hides the machine-only fields
    assert.equal(decodeStatus(v, true), 'SPP=U SIE');
  });

  it('splits satp into mode, ASID and root table', () => {
    const v = (8n << 60n) | (3n << 44n) | 0x87fffn;
    assert.deepEqual(splitSatp(v), { mode: 8, modeName: 'Sv39', asid: 3, ppn: 0x87fff, rootPa: 0x87fff000 });
    assert.equal(decodeSatp(v), 'Sv39, ASID 3, root PPN 0x87fff at 0x87fff000');
    assert.equal(decodeSatp(0n), 'Bare: no translation');
  });

  it('names interrupt enable and pending bits', () => {
    assert.equal(decodeInterruptBits((1n << 9n) | (1n << 5n) | (1n << 1n), 'IE', true), 'SEIE STIE SSIE');
    assert.equal(decodeInterruptBits((1n << 7n) | (1n << 11n), 'IP', false), 'MEIP MTIP');
    assert.equal(decodeInterruptBits(0n, 'IP', true), 'none');
    assert.equal(decodeInterruptBits(1n << 13n, 'IE', false), 'other 0x2000');
  });

  it('splits trap vectors into base and mode', () => {
    assert.equal(decodeTvec(0x80001000n), 'base 0x80001000, Direct');
    assert.equal(decodeTvec(0x80001001n), 'base 0x80001000, Vectored');
    assert.equal(formatCsr('stvec', 0x3ffffff000n), 'stvec = 0x3ffffff000 (base 0x3ffffff000, Direct)');
  });

  it('names the delegated exceptions of medeleg in words, as mideleg its interrupts', () => {
    // xv6's start(): ecall from U, the three page faults.
    const v = (1n << 8n) | (1n << 12n) | (1n << 13n) | (1n << 15n);
    assert.equal(
      formatCsr('medeleg', v),
      'medeleg = 0xb100 (Environment call from U-mode, Instruction page fault, Load page fault, Store/AMO page fault)',
    );
    assert.equal(formatCsr('medeleg', 1n << 10n), 'medeleg = 0x400 (exception 10)');
    assert.equal(formatCsr('mideleg', 1n << 5n), 'mideleg = 0x20 (Supervisor timer interrupt)');
  });
});

/**
 * The control and status registers (privileged spec 1.12, chapters 2-4): which exist, who
 * may access them, what a read returns and which bits a write keeps (WARL). Values pass as
 * 32-bit halves through `h.tmpLo`/`h.tmpHi` (reads) and the `lo`/`hi` arguments (writes),
 * so no BigInt is involved. Plain CSRs are stored in `h.csr` (lo at 2*n, hi at 2*n + 1);
 * the views (sstatus, sie, sip), counters and mip are computed.
 */
import { Priv } from '../types';
import type { Hart } from './hart';

export const Csr = {
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  senvcfg: 0x10a,
  sscratch: 0x140,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  stimecmp: 0x14d,
  satp: 0x180,
  mvendorid: 0xf11,
  marchid: 0xf12,
  mimpid: 0xf13,
  mhartid: 0xf14,
  mconfigptr: 0xf15,
  mstatus: 0x300,
  misa: 0x301,
  medeleg: 0x302,
  mideleg: 0x303,
  mie: 0x304,
  mtvec: 0x305,
  mcounteren: 0x306,
  menvcfg: 0x30a,
  mcountinhibit: 0x320,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  pmpcfg0: 0x3a0,
  pmpaddr0: 0x3b0,
  mcycle: 0xb00,
  minstret: 0xb02,
} as const;

// mstatus bits (privileged spec 3.1.6).
export const SIE = 1 << 1;
export const MIE = 1 << 3;
export const SPIE = 1 << 5;
export const MPIE = 1 << 7;
export const SPP = 1 << 8;
export const MPP_SHIFT = 11;
export const MPRV = 1 << 17;
export const SUM = 1 << 18;
export const MXR = 1 << 19;
export const TVM = 1 << 20;
export const TW = 1 << 21;
export const TSR = 1 << 22;
const MSTATUS_WMASK = SIE | MIE | SPIE | MPIE | SPP | (3 << MPP_SHIFT) | MPRV | SUM | MXR | TVM | TW | TSR;
/** High half of mstatus: UXL = SXL = 2 (64-bit), read-only. */
export const MSTATUS_HI = 2 | (2 << 2);
/** sstatus view (privileged spec 4.1.1): SIE SPIE UBE SPP VS FS XS SUM MXR; UXL in the high half. */
const SSTATUS_RMASK = 0x000de762;
const SSTATUS_WMASK = SIE | SPIE | SPP | SUM | MXR;

// Interrupt bits (privileged spec 3.1.9).
export const SSIP = 1 << 1;
export const MSIP = 1 << 3;
export const STIP = 1 << 5;
export const MTIP = 1 << 7;
export const SEIP = 1 << 9;
export const MEIP = 1 << 11;
const DELEGABLE_IRQS = SSIP | STIP | SEIP;
const MIE_WMASK = SSIP | MSIP | STIP | MTIP | SEIP | MEIP;
/** Exceptions 0-9, 12, 13, 15; ecall from M (11) cannot be delegated. */
const MEDELEG_WMASK = 0xb3ff;

/** misa: MXL = 2 (RV64) and the extensions A C I M S U (privileged spec 3.1.1). */
const MISA_LO = (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
const MISA_HI = 0x80000000 | 0;

/** menvcfg.STCE (bit 63) enables Sstc's stimecmp. */
export const STCE_HI = 0x80000000 | 0;

const exists = new Uint8Array(4096);
for (const c of [
  0xc00, 0xc01, 0xc02, 0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141, 0x142, 0x143, 0x144, 0x14d, 0x180,
  0xf11, 0xf12, 0xf13, 0xf14, 0xf15, 0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x30a, 0x320, 0x340,
  0x341, 0x342, 0x343, 0x344, 0xb00, 0xb02,
])
  exists[c] = 1;
for (let k = 3; k < 32; k++) exists[0xc00 + k] = exists[0xb00 + k] = exists[0x320 + k] = 1;
// RV64 has only the even pmpcfg registers (privileged spec 3.7.1).
for (let k = 0; k < 16; k += 2) exists[0x3a0 + k] = 1;
for (let k = 0; k < 64; k++) exists[0x3b0 + k] = 1;

export function csrExists(csr: number): boolean {
  return exists[csr & 0xfff] === 1;
}

/** Read-only by address (privileged spec 2.1: bits 11:10 = 3). */
export function csrReadOnly(csr: number): boolean {
  return csr >>> 10 === 3;
}

/**
 * May the guest at the hart's privilege access `csr`? (Illegal-instruction otherwise.)
 * Covers existence, the privilege in bits 9:8, read-only CSRs, counter enables
 * (privileged spec 3.1.11, 4.1.5), satp under TVM (3.1.6.5) and Sstc's stimecmp.
 */
export function csrPermitted(h: Hart, csr: number, write: boolean): boolean {
  if (!csrExists(csr)) return false;
  const p = h.priv;
  if ((p as number) < ((csr >>> 8) & 3)) return false;
  if (write && csrReadOnly(csr)) return false;
  const c = h.csr;
  if (csr >= 0xc00 && csr < 0xc20 && p < Priv.M) {
    const bit = 1 << (csr & 31);
    if (!(c[Csr.mcounteren * 2]! & bit)) return false;
    if (p === Priv.U && !(c[Csr.scounteren * 2]! & bit)) return false;
  }
  if (csr === Csr.satp && p === Priv.S && c[Csr.mstatus * 2]! & TVM) return false;
  if (csr === Csr.stimecmp && p < Priv.M) {
    if (!(c[Csr.mcounteren * 2]! & 2) || !(c[Csr.menvcfg * 2 + 1]! & STCE_HI)) return false;
  }
  return true;
}

function out(h: Hart, lo: number, hi: number): true {
  h.tmpLo = lo | 0;
  h.tmpHi = hi | 0;
  return true;
}

function outNum(h: Hart, v: number): true {
  return out(h, v >>> 0, Math.floor(v / 4294967296));
}

/** Read `csr` into h.tmpLo/h.tmpHi without side effects; false if it does not exist. */
export function csrRead(h: Hart, csr: number): boolean {
  if (!csrExists(csr)) return false;
  const c = h.csr;
  switch (csr) {
    case Csr.sstatus:
      return out(h, c[Csr.mstatus * 2]! & SSTATUS_RMASK, MSTATUS_HI & 3);
    case Csr.mstatus:
      return out(h, c[Csr.mstatus * 2]!, MSTATUS_HI);
    case Csr.misa:
      return out(h, MISA_LO, MISA_HI);
    case Csr.mhartid:
      return out(h, h.id, 0);
    case Csr.mip:
      return out(h, h.mip(), 0);
    case Csr.sip:
      return out(h, h.mip() & c[Csr.mideleg * 2]!, 0);
    case Csr.sie:
      return out(h, c[Csr.mie * 2]! & c[Csr.mideleg * 2]!, 0);
    case Csr.cycle:
    case Csr.instret:
    case Csr.mcycle:
    case Csr.minstret:
      return outNum(h, h.instret);
    case Csr.time:
      return outNum(h, h.shared.mtime);
    default:
      if ((csr >= 0xc03 && csr < 0xc20) || (csr >= 0xb03 && csr < 0xb20) || (csr >= 0x320 && csr < 0x340)) {
        return out(h, 0, 0); // no hardware performance counters
      }
      return out(h, c[csr * 2]!, c[csr * 2 + 1]!);
  }
}

/**
 * Write `csr` keeping only its writable bits (WARL). The caller has checked access; returns
 * false only for a CSR that does not exist or is read-only. Side effects on translation and
 * interrupts are applied by `h.csrChanged`.
 */
export function csrWrite(h: Hart, csr: number, lo: number, hi: number): boolean {
  if (!csrExists(csr) || csrReadOnly(csr)) return false;
  const c = h.csr;
  const i = csr * 2;
  switch (csr) {
    case Csr.mstatus: {
      const old = c[i]!;
      let v = (old & ~MSTATUS_WMASK) | (lo & MSTATUS_WMASK);
      // MPP is WARL over {U, S, M}: the reserved value 2 leaves it unchanged.
      if (((v >>> MPP_SHIFT) & 3) === 2) v = (v & ~(3 << MPP_SHIFT)) | (old & (3 << MPP_SHIFT));
      c[i] = v;
      break;
    }
    case Csr.sstatus: {
      const m = Csr.mstatus * 2;
      c[m] = (c[m]! & ~SSTATUS_WMASK) | (lo & SSTATUS_WMASK);
      break;
    }
    case Csr.misa:
      break; // WARL: writes are ignored (the extensions cannot be switched off)
    case Csr.medeleg:
      c[i] = lo & MEDELEG_WMASK;
      break;
    case Csr.mideleg:
      c[i] = lo & DELEGABLE_IRQS;
      break;
    case Csr.mie:
      c[i] = lo & MIE_WMASK;
      break;
    case Csr.sie: {
      const d = c[Csr.mideleg * 2]!;
      const m = Csr.mie * 2;
      c[m] = (c[m]! & ~d) | (lo & d);
      break;
    }
    case Csr.mip: {
      // SSIP, SEIP (the software bit, ORed with the PLIC line) and STIP unless Sstc owns it.
      const sstc = (c[Csr.menvcfg * 2 + 1]! & STCE_HI) !== 0;
      const m = SSIP | SEIP | (sstc ? 0 : STIP);
      h.mipSw = (h.mipSw & ~m) | (lo & m);
      break;
    }
    case Csr.sip: {
      const m = SSIP & c[Csr.mideleg * 2]!;
      h.mipSw = (h.mipSw & ~m) | (lo & m);
      break;
    }
    case Csr.mtvec:
    case Csr.stvec:
      // Modes 0 (direct) and 1 (vectored) only; another mode leaves the register as it was.
      if ((lo & 3) < 2) {
        c[i] = lo;
        c[i + 1] = hi;
      }
      break;
    case Csr.mepc:
    case Csr.sepc:
      c[i] = lo & ~1;
      c[i + 1] = hi;
      break;
    case Csr.mcounteren:
    case Csr.scounteren:
      c[i] = lo;
      break;
    case Csr.menvcfg:
      c[i] = lo & 1;
      c[i + 1] = hi & STCE_HI;
      break;
    case Csr.senvcfg:
      c[i] = lo & 1;
      break;
    case Csr.satp: {
      // privileged spec 4.1.11: only Bare (0) and Sv39 (8); another MODE makes the write no-op.
      const mode = hi >>> 28;
      if (mode !== 0 && mode !== 8) break;
      c[i] = lo;
      c[i + 1] = hi;
      break;
    }
    case Csr.mcycle:
    case Csr.minstret:
      h.instret = (hi >>> 0) * 4294967296 + (lo >>> 0);
      break;
    default:
      if ((csr >= 0xb03 && csr < 0xb20) || (csr >= 0x320 && csr < 0x340)) break; // no HPM counters
      if (csr >= Csr.pmpaddr0 && csr < Csr.pmpaddr0 + 64) {
        c[i] = lo;
        c[i + 1] = hi & 0x3fffff; // pmpaddr holds bits 55:2 of an address
        break;
      }
      c[i] = lo;
      c[i + 1] = hi;
  }
  h.csrChanged(csr);
  return true;
}

/**
 * A Zicsr instruction (unprivileged spec 9.1): `kind` 0 read-write, 1 read-set, 2 read-clear;
 * `write` is false for csrrs/csrrc with rs1 = x0 (or a zero immediate), which only read.
 * Returns false after taking illegal-instruction.
 */
export function csrInstruction(
  h: Hart,
  kind: number,
  csr: number,
  rd: number,
  srcLo: number,
  srcHi: number,
  write: boolean,
  raw: number,
): boolean {
  if (!csrPermitted(h, csr, write)) return h.illegal(raw);
  let oldLo = 0;
  let oldHi = 0;
  // csrrw with rd = x0 (the sink, 64) does not read the CSR.
  if (kind !== 0 || rd !== 64) {
    csrRead(h, csr);
    oldLo = h.tmpLo;
    oldHi = h.tmpHi;
  }
  if (write) {
    let lo = srcLo;
    let hi = srcHi;
    if (kind === 1) {
      lo |= oldLo;
      hi |= oldHi;
    } else if (kind === 2) {
      lo = oldLo & ~lo;
      hi = oldHi & ~hi;
    }
    csrWrite(h, csr, lo, hi);
    // privileged spec 3.1.10: the instruction that writes minstret/mcycle does not also
    // increment it (the run loop counts it after this returns).
    if (csr === Csr.mcycle || csr === Csr.minstret) h.instret--;
  }
  h.x[rd] = oldLo;
  h.x[rd + 1] = oldHi;
  return true;
}

/**
 * The interpreter: the operations (one number per base instruction) and the run loop that
 * executes pre-decoded slots. Compressed instructions decode to the operation of their
 * 32-bit expansion (unprivileged spec 16.8), so this loop, and later the JIT, only ever
 * sees base operations.
 *
 * `Op` is a `const enum` declared in this file so that the big switch below has literal
 * case labels (a dense jump table) even when files are compiled one by one. Op 0 marks a
 * decoded slot not yet filled.
 *
 * Slot layout (see shared.ts): [op, rd*2, rs1*2, rs2*2, imm, length, raw bits, -].
 * Register halves: x[r] low, x[r+1] high; rd = 64 is the x0 sink.
 */

import { Exc, Priv } from '../types';
import { div, divw, mul, mulh, sar, shl, shr } from './alu';
import { atomic } from './atomic';
import { Csr, TVM, TW, csrInstruction } from './csr';
import type { Hart } from './hart';

export const enum Op {
  Undecoded = 0,
  Illegal,
  LUI,
  AUIPC,
  JAL,
  JALR,
  BEQ,
  BNE,
  BLT,
  BGE,
  BLTU,
  BGEU,
  LB,
  LH,
  LW,
  LD,
  LBU,
  LHU,
  LWU,
  SB,
  SH,
  SW,
  SD,
  ADDI,
  SLTI,
  SLTIU,
  XORI,
  ORI,
  ANDI,
  SLLI,
  SRLI,
  SRAI,
  ADD,
  SUB,
  SLL,
  SLT,
  SLTU,
  XOR,
  SRL,
  SRA,
  OR,
  AND,
  ADDIW,
  SLLIW,
  SRLIW,
  SRAIW,
  ADDW,
  SUBW,
  SLLW,
  SRLW,
  SRAW,
  FENCE,
  FENCE_I,
  ECALL,
  EBREAK,
  MRET,
  SRET,
  WFI,
  SFENCE_VMA,
  CSRRW,
  CSRRS,
  CSRRC,
  CSRRWI,
  CSRRSI,
  CSRRCI,
  MUL,
  MULH,
  MULHSU,
  MULHU,
  DIV,
  DIVU,
  REM,
  REMU,
  MULW,
  DIVW,
  DIVUW,
  REMW,
  REMUW,
  LR_W,
  SC_W,
  LR_D,
  SC_D,
  AMO_W, // amo*.w: the function (funct5) is kept in the decoded imm field
  AMO_D,
}

/** AMO functions: funct5 of the A extension (unprivileged spec 8.4). */
export const enum Amo {
  ADD = 0x00,
  SWAP = 0x01,
  XOR = 0x04,
  OR = 0x08,
  AND = 0x0c,
  MIN = 0x10,
  MAX = 0x14,
  MINU = 0x18,
  MAXU = 0x1c,
}

const TWO32 = 4294967296;

/** Execute up to `n` instructions on `h` (HartApi.run). */
export function runHart(h: Hart, n: number): number {
  const x = h.x;
  const ram = h.ram;
  const u8 = ram.u8;
  const u16 = ram.u16;
  const i32 = ram.i32;
  const dv = ram.dv;
  const shared = h.shared;
  const watch = shared.watch;
  const bps = shared.breakpoints;
  if (bps.dirty) shared.refreshBreakpointFlags();
  const bpOn = bps.size > 0;
  const perOffset = bps.perOffset;
  // The virtual page the last breakpoint check was in, and whether a breakpoint lies in it:
  // most pages have none, so most instructions cost no set lookup.
  let bpBase = -1;
  let bpHere = false;
  const jitOn = shared.jit;
  const jitThreshold = shared.jitThreshold;
  let skipBp = h.skipBp;
  h.skipBp = false;
  h.stopReason = null;
  let count = 0; // instructions retired
  let steps = 0; // loop iterations: a trap costs one, so a trap storm still ends
  if (h.waiting) {
    if ((h.mip() & h.csr[Csr.mie * 2]!) === 0) {
      h.stopReason = 'wfi';
      return 0;
    }
    h.waiting = false;
  }
  loop: while (steps++ < n) {
    if (h.attention) {
      // An interrupt taken here uses this step; the handler runs from the next one.
      const a = h.service();
      if (a === 1) break;
      if (a === 2) continue;
    }
    const pc = h.pc;
    let off = pc - h.fetchBase;
    if (jitOn && off >= 0 && off < 4096) {
      // A compiled block starts here: enter it when all of it fits in the budget and no
      // breakpoint is on any of its instructions (jit-codegen.ts gives the contract). The
      // block's `mayHit` flag answers for breakpoints, so the page lookup below is left to
      // the instructions this loop interprets. The retired instructions were counted in
      // h.instret by the blocks.
      const blk = h.jitBlocks[(off | 0) >> 1];
      if (blk !== undefined && blk.len <= n - steps + 1 && !(blk.mayHit && blk.hitsBreakpoint(bps, pc))) {
        let r = h.runBlocks(blk, pc, n - steps + 1, bps);
        if (r >= 0) steps += r - 1;
        else {
          r = ~r;
          steps += r; // the trap used one step
        }
        count += r;
        shared.jitEntries++;
        shared.jitRetired += r;
        skipBp = false;
        continue;
      }
    }
    if (bpOn) {
      const d = pc - bpBase;
      if (!(d >= 0 && d < 4096)) {
        bpBase = pc - (pc % 4096);
        bpHere = bps.onPage(pc);
      }
      // The offset table first: a number lookup, where the set would box a pc above 2^31.
      // Before the fetch: a breakpoint on an unmapped page stops before its page fault.
      if (bpHere && !skipBp && perOffset[(pc - bpBase) >> 1]! > 0 && bps.has(pc)) {
        h.stopReason = 'breakpoint';
        break;
      }
      skipBp = false;
    }
    if (!(off >= 0 && off < 4096)) {
      if (!h.enterPage(pc)) continue;
      off = pc - h.fetchBase;
    }
    let d = h.code;
    let s = (off | 0) << 2;
    let op = d[s]! as Op;
    if (op === Op.Undecoded) {
      const decoded = h.decodeHere(off | 0);
      if (decoded < 0) continue;
      op = decoded;
      d = h.execArr;
      s = h.execBase;
    }
    if (jitOn && d[s + 7]!++ === jitThreshold && d === h.code) h.compileAt(off | 0);
    const rd = d[s + 1]!;
    const rs1 = d[s + 2]!;
    const rs2 = d[s + 3]!;
    const imm = d[s + 4]!;
    let next = pc + d[s + 5]!;
    switch (op) {
      // ---- Upper immediates and jumps (unprivileged spec 2.4, 2.5) ----
      case Op.LUI:
        x[rd] = imm;
        x[rd + 1] = imm >> 31;
        break;
      case Op.AUIPC: {
        const v = pc + imm;
        x[rd] = v;
        x[rd + 1] = Math.floor(v / TWO32);
        break;
      }
      case Op.JAL:
        x[rd] = next;
        x[rd + 1] = Math.floor(next / TWO32);
        next = pc + imm;
        break;
      case Op.JALR: {
        const t = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        x[rd] = next;
        x[rd + 1] = Math.floor(next / TWO32);
        next = t - (t & 1);
        break;
      }
      // ---- Branches ----
      case Op.BEQ:
        if (x[rs1] === x[rs2] && x[rs1 + 1] === x[rs2 + 1]) next = pc + imm;
        break;
      case Op.BNE:
        if (x[rs1] !== x[rs2] || x[rs1 + 1] !== x[rs2 + 1]) next = pc + imm;
        break;
      case Op.BLT: {
        const ah = x[rs1 + 1]!;
        const bh = x[rs2 + 1]!;
        if (ah < bh || (ah === bh && x[rs1]! >>> 0 < x[rs2]! >>> 0)) next = pc + imm;
        break;
      }
      case Op.BGE: {
        const ah = x[rs1 + 1]!;
        const bh = x[rs2 + 1]!;
        if (!(ah < bh || (ah === bh && x[rs1]! >>> 0 < x[rs2]! >>> 0))) next = pc + imm;
        break;
      }
      case Op.BLTU: {
        const ah = x[rs1 + 1]! >>> 0;
        const bh = x[rs2 + 1]! >>> 0;
        if (ah < bh || (ah === bh && x[rs1]! >>> 0 < x[rs2]! >>> 0)) next = pc + imm;
        break;
      }
      case Op.BGEU: {
        const ah = x[rs1 + 1]! >>> 0;
        const bh = x[rs2 + 1]! >>> 0;
        if (!(ah < bh || (ah === bh && x[rs1]! >>> 0 < x[rs2]! >>> 0))) next = pc + imm;
        break;
      }
      // ---- Loads (2.6, 5.3): fast path on a TLB hit in RAM, else the slow path ----
      case Op.LB:
      case Op.LBU: {
        const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        const o = h.ldOff(va, 1);
        let v: number;
        if (o >= 0) v = u8[o]!;
        else {
          if (!h.loadSlow(va, 1)) continue loop;
          v = h.tmpLo & 0xff;
        }
        if (op === Op.LB) v = (v << 24) >> 24;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.LH:
      case Op.LHU: {
        const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        const o = h.ldOff(va, 2);
        let v: number;
        if (o >= 0) v = (o & 1) === 0 ? u16[o >> 1]! : dv.getUint16(o, true);
        else {
          if (!h.loadSlow(va, 2)) continue loop;
          v = h.tmpLo & 0xffff;
        }
        if (op === Op.LH) v = (v << 16) >> 16;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.LW:
      case Op.LWU: {
        const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        const o = h.ldOff(va, 4);
        let v: number;
        if (o >= 0) v = (o & 3) === 0 ? i32[o >> 2]! : dv.getInt32(o, true);
        else {
          if (!h.loadSlow(va, 4)) continue loop;
          v = h.tmpLo | 0;
        }
        x[rd] = v;
        x[rd + 1] = op === Op.LW ? v >> 31 : 0;
        break;
      }
      case Op.LD: {
        const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        const o = h.ldOff(va, 8);
        let lo: number;
        let hi: number;
        if (o >= 0) {
          if ((o & 3) === 0) {
            lo = i32[o >> 2]!;
            hi = i32[(o >> 2) + 1]!;
          } else {
            lo = dv.getInt32(o, true);
            hi = dv.getInt32(o + 4, true);
          }
        } else {
          if (!h.loadSlow(va, 8)) continue loop;
          lo = h.tmpLo;
          hi = h.tmpHi;
        }
        x[rd] = lo;
        x[rd + 1] = hi;
        break;
      }
      // ---- Stores: a store to a watched page (decoded code, reservations) tells shared ----
      case Op.SB: {
        const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        const o = h.stOff(va, 1);
        if (o >= 0) {
          u8[o] = x[rs2]!;
          if (watch[o >>> 12] !== 0) shared.stored(h.id, o, 1);
        } else if (!h.storeSlow(va, 1, x[rs2]! & 0xff, 0)) continue loop;
        break;
      }
      case Op.SH: {
        const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        const o = h.stOff(va, 2);
        if (o >= 0) {
          if ((o & 1) === 0) u16[o >> 1] = x[rs2]!;
          else dv.setUint16(o, x[rs2]! & 0xffff, true);
          if (watch[o >>> 12] !== 0) shared.stored(h.id, o, 2);
        } else if (!h.storeSlow(va, 2, x[rs2]! & 0xffff, 0)) continue loop;
        break;
      }
      case Op.SW: {
        const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        const o = h.stOff(va, 4);
        if (o >= 0) {
          if ((o & 3) === 0) i32[o >> 2] = x[rs2]!;
          else dv.setInt32(o, x[rs2]!, true);
          if (watch[o >>> 12] !== 0) shared.stored(h.id, o, 4);
        } else if (!h.storeSlow(va, 4, x[rs2]!, 0)) continue loop;
        break;
      }
      case Op.SD: {
        const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0) + imm;
        const o = h.stOff(va, 8);
        if (o >= 0) {
          if ((o & 3) === 0) {
            i32[o >> 2] = x[rs2]!;
            i32[(o >> 2) + 1] = x[rs2 + 1]!;
          } else {
            dv.setInt32(o, x[rs2]!, true);
            dv.setInt32(o + 4, x[rs2 + 1]!, true);
          }
          if (watch[o >>> 12] !== 0) shared.stored(h.id, o, 8);
        } else if (!h.storeSlow(va, 8, x[rs2]!, x[rs2 + 1]!)) continue loop;
        break;
      }
      // ---- Integer register-immediate (2.4, 5.2) ----
      case Op.ADDI: {
        const a = x[rs1]!;
        const lo = (a + imm) | 0;
        x[rd + 1] = (x[rs1 + 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
        x[rd] = lo;
        break;
      }
      case Op.SLTI: {
        const ah = x[rs1 + 1]!;
        const bh = imm >> 31;
        x[rd] = ah < bh || (ah === bh && x[rs1]! >>> 0 < imm >>> 0) ? 1 : 0;
        x[rd + 1] = 0;
        break;
      }
      case Op.SLTIU: {
        const ah = x[rs1 + 1]! >>> 0;
        const bh = (imm >> 31) >>> 0;
        x[rd] = ah < bh || (ah === bh && x[rs1]! >>> 0 < imm >>> 0) ? 1 : 0;
        x[rd + 1] = 0;
        break;
      }
      case Op.XORI:
        x[rd + 1] = x[rs1 + 1]! ^ (imm >> 31);
        x[rd] = x[rs1]! ^ imm;
        break;
      case Op.ORI:
        x[rd + 1] = x[rs1 + 1]! | (imm >> 31);
        x[rd] = x[rs1]! | imm;
        break;
      case Op.ANDI:
        x[rd + 1] = x[rs1 + 1]! & (imm >> 31);
        x[rd] = x[rs1]! & imm;
        break;
      case Op.SLLI:
        shl(x, rd, x[rs1]!, x[rs1 + 1]!, imm);
        break;
      case Op.SRLI:
        shr(x, rd, x[rs1]!, x[rs1 + 1]!, imm);
        break;
      case Op.SRAI:
        sar(x, rd, x[rs1]!, x[rs1 + 1]!, imm);
        break;
      // ---- Integer register-register ----
      case Op.ADD: {
        const a = x[rs1]!;
        const lo = (a + x[rs2]!) | 0;
        x[rd + 1] = (x[rs1 + 1]! + x[rs2 + 1]! + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
        x[rd] = lo;
        break;
      }
      case Op.SUB: {
        const a = x[rs1]!;
        const b = x[rs2]!;
        x[rd + 1] = (x[rs1 + 1]! - x[rs2 + 1]! - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
        x[rd] = (a - b) | 0;
        break;
      }
      case Op.SLL:
        shl(x, rd, x[rs1]!, x[rs1 + 1]!, x[rs2]! & 63);
        break;
      case Op.SLT: {
        const ah = x[rs1 + 1]!;
        const bh = x[rs2 + 1]!;
        x[rd] = ah < bh || (ah === bh && x[rs1]! >>> 0 < x[rs2]! >>> 0) ? 1 : 0;
        x[rd + 1] = 0;
        break;
      }
      case Op.SLTU: {
        const ah = x[rs1 + 1]! >>> 0;
        const bh = x[rs2 + 1]! >>> 0;
        x[rd] = ah < bh || (ah === bh && x[rs1]! >>> 0 < x[rs2]! >>> 0) ? 1 : 0;
        x[rd + 1] = 0;
        break;
      }
      case Op.XOR:
        x[rd + 1] = x[rs1 + 1]! ^ x[rs2 + 1]!;
        x[rd] = x[rs1]! ^ x[rs2]!;
        break;
      case Op.SRL:
        shr(x, rd, x[rs1]!, x[rs1 + 1]!, x[rs2]! & 63);
        break;
      case Op.SRA:
        sar(x, rd, x[rs1]!, x[rs1 + 1]!, x[rs2]! & 63);
        break;
      case Op.OR:
        x[rd + 1] = x[rs1 + 1]! | x[rs2 + 1]!;
        x[rd] = x[rs1]! | x[rs2]!;
        break;
      case Op.AND:
        x[rd + 1] = x[rs1 + 1]! & x[rs2 + 1]!;
        x[rd] = x[rs1]! & x[rs2]!;
        break;
      // ---- 32-bit word operations (5.2): results sign-extended from bit 31 ----
      case Op.ADDIW: {
        const v = (x[rs1]! + imm) | 0;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.SLLIW: {
        const v = x[rs1]! << imm;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.SRLIW: {
        const v = (x[rs1]! >>> imm) | 0;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.SRAIW: {
        const v = x[rs1]! >> imm;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.ADDW: {
        const v = (x[rs1]! + x[rs2]!) | 0;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.SUBW: {
        const v = (x[rs1]! - x[rs2]!) | 0;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.SLLW: {
        const v = x[rs1]! << (x[rs2]! & 31);
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.SRLW: {
        const v = (x[rs1]! >>> (x[rs2]! & 31)) | 0;
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.SRAW: {
        const v = x[rs1]! >> (x[rs2]! & 31);
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      // ---- M extension (chapter 7) ----
      case Op.MUL:
        mul(x, rd, x[rs1]!, x[rs1 + 1]!, x[rs2]!, x[rs2 + 1]!);
        break;
      case Op.MULH:
        mulh(x, rd, x[rs1]!, x[rs1 + 1]!, x[rs2]!, x[rs2 + 1]!, 3);
        break;
      case Op.MULHSU:
        mulh(x, rd, x[rs1]!, x[rs1 + 1]!, x[rs2]!, x[rs2 + 1]!, 1);
        break;
      case Op.MULHU:
        mulh(x, rd, x[rs1]!, x[rs1 + 1]!, x[rs2]!, x[rs2 + 1]!, 0);
        break;
      case Op.DIV:
      case Op.DIVU:
      case Op.REM:
      case Op.REMU:
        div(x, rd, x[rs1]!, x[rs1 + 1]!, x[rs2]!, x[rs2 + 1]!, op === Op.DIV || op === Op.REM, op >= Op.REM);
        break;
      case Op.MULW: {
        const v = Math.imul(x[rs1]!, x[rs2]!);
        x[rd] = v;
        x[rd + 1] = v >> 31;
        break;
      }
      case Op.DIVW:
      case Op.DIVUW:
      case Op.REMW:
      case Op.REMUW:
        divw(x, rd, x[rs1]!, x[rs2]!, op === Op.DIVW || op === Op.REMW, op >= Op.REMW);
        break;
      // ---- A extension (chapter 8) ----
      case Op.LR_W:
      case Op.LR_D:
      case Op.SC_W:
      case Op.SC_D:
      case Op.AMO_W:
      case Op.AMO_D:
        if (!atomic(h, op, rd, rs1, rs2, imm, d[s + 6]!)) continue loop;
        break;
      // ---- Fences ----
      case Op.FENCE:
        break; // one hart at a time: memory is always coherent
      case Op.FENCE_I:
        shared.flushCode();
        break;
      // ---- Zicsr (chapter 9) ----
      case Op.CSRRW:
      case Op.CSRRS:
      case Op.CSRRC:
        if (
          !csrInstruction(
            h,
            op - Op.CSRRW,
            imm,
            rd,
            x[rs1]!,
            x[rs1 + 1]!,
            op === Op.CSRRW || rs1 !== 0,
            d[s + 6]!,
          )
        ) {
          continue loop;
        }
        break;
      case Op.CSRRWI:
      case Op.CSRRSI:
      case Op.CSRRCI:
        if (
          !csrInstruction(h, op - Op.CSRRWI, imm, rd, rs2 >> 1, 0, op === Op.CSRRWI || rs2 !== 0, d[s + 6]!)
        ) {
          continue loop;
        }
        break;
      // ---- Privileged (privileged spec 3.3) ----
      case Op.ECALL:
        h.trap(Exc.EcallU + h.priv, 0, false);
        continue loop;
      case Op.EBREAK:
        // xtval = 0, as QEMU 7.2 writes it (checked on qemu-system-riscv64 7.2).
        h.trap(Exc.Breakpoint, 0, false);
        continue loop;
      case Op.MRET:
        if (h.mret(d[s + 6]!)) {
          count++;
          h.instret++;
        }
        continue loop;
      case Op.SRET:
        if (h.sret(d[s + 6]!)) {
          count++;
          h.instret++;
        }
        continue loop;
      case Op.WFI:
        // privileged spec 3.1.6.5: illegal in U; in S when TW is set (QEMU: at once).
        if (h.priv === Priv.U || (h.priv === Priv.S && h.csr[Csr.mstatus * 2]! & TW)) {
          h.illegal(d[s + 6]!);
          continue loop;
        }
        h.pc = next;
        count++;
        h.instret++;
        if ((h.mip() & h.csr[Csr.mie * 2]!) === 0) {
          h.waiting = true;
          h.stopReason = 'wfi';
          return count;
        }
        continue loop;
      case Op.SFENCE_VMA:
        if (h.priv === Priv.U || (h.priv === Priv.S && h.csr[Csr.mstatus * 2]! & TVM)) {
          h.illegal(d[s + 6]!);
          continue loop;
        }
        h.flushTlb();
        break;
      default:
        // Op.Illegal: unknown, reserved and F/D encodings; xtval = the instruction bits.
        h.illegal(d[s + 6]!);
        continue loop;
    }
    h.pc = next;
    count++;
    h.instret++;
  }
  return count;
}

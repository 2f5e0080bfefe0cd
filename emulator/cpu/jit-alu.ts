/**
 * The JIT's register-only instructions (upper immediates, integer and M-extension
 * arithmetic), as JavaScript source over the block's register locals (jit-codegen.ts).
 * Register `r` (an x-array index, 2 * number) lives in the locals `L{r/2}` (low half) and
 * `H{r/2}` (high half); x0 reads as the constant 0 and writes to it (rd = 64, the sink)
 * are dropped. Every result is computed into temporaries before rd is assigned, so rd may
 * equal a source. The few operations with an out-of-line helper (variable shifts,
 * multiplies, divisions: the interpreter's own, alu.ts) write `h.x` and the local is
 * reloaded from it, so results are identical to the interpreter's by construction.
 */
import { Op } from './exec';

const T32 = '4294967296';

/** Source of the low half of register `r` (x-array index). */
export function lo(r: number): string {
  return r === 0 ? '0' : `L${r >> 1}`;
}

/** Source of the high half of register `r`. */
export function hi(r: number): string {
  return r === 0 ? '0' : `H${r >> 1}`;
}

/** True when `rd` is the x0 sink (or x0 itself): the result is dropped. */
export function sink(rd: number): boolean {
  return rd === 64 || rd === 0;
}

/** `rd = (l, h)`, both evaluated before either is assigned. */
export function assign(rd: number, l: string, h: string): string {
  if (sink(rd)) return '';
  return `{ const tl = ${l}, th = ${h}; ${lo(rd)} = tl; ${hi(rd)} = th; }`;
}

/** `rd = sign-extended 32-bit result`. */
function assignW(rd: number, expr: string): string {
  if (sink(rd)) return '';
  return `{ const tl = ${expr}; ${lo(rd)} = tl; ${hi(rd)} = tl >> 31; }`;
}

/** `rd = the number v` (an exact integer below 2^53 in magnitude): its two halves. */
export function assignNum(rd: number, v: string): string {
  if (sink(rd)) return '';
  return `{ const v = ${v}; ${lo(rd)} = v | 0; ${hi(rd)} = Math.floor(v / ${T32}) | 0; }`;
}

/** A call of an alu.ts helper that writes h.x[rd]; the locals of rd are reloaded. */
function helper(rd: number, call: string): string {
  if (sink(rd)) return '';
  return `${call} ${lo(rd)} = x[${rd}]; ${hi(rd)} = x[${rd + 1}];`;
}

/** Signed (or unsigned) 64-bit a < b over the locals of registers a and b. */
export function cmpLt(a: number, b: number, unsigned: boolean): string {
  const u = unsigned ? ' >>> 0' : '';
  return `((${hi(a)}${u}) < (${hi(b)}${u}) || (${hi(a)} === ${hi(b)} && (${lo(a)} >>> 0) < (${lo(b)} >>> 0)))`;
}

function shiftImm(kind: 'shl' | 'shr' | 'sar', rd: number, rs1: number, sh: number): string {
  const l = lo(rs1);
  const g = hi(rs1);
  if (sh === 0) return assign(rd, l, g);
  if (kind === 'shl') {
    if (sh < 32) return assign(rd, `${l} << ${sh}`, `(${g} << ${sh}) | (${l} >>> ${32 - sh})`);
    return assign(rd, '0', `${l} << ${sh - 32}`);
  }
  const op = kind === 'shr' ? '>>>' : '>>';
  if (sh < 32) return assign(rd, `(${l} >>> ${sh}) | (${g} << ${32 - sh})`, `(${g} ${op} ${sh}) | 0`);
  const top = kind === 'shr' ? '0' : `${g} >> 31`;
  return assign(rd, `(${g} ${op} ${sh - 32}) | 0`, top);
}

/** Ops that write rd (every op but branches, stores, fences and system instructions). */
export function writesRd(op: Op): boolean {
  return !(
    (op >= Op.BEQ && op <= Op.BGEU) ||
    (op >= Op.SB && op <= Op.SD) ||
    (op >= Op.FENCE && op <= Op.SFENCE_VMA)
  );
}

/** Ops that read rs1 (as a register). */
export function readsRs1(op: Op): boolean {
  return !(op === Op.LUI || op === Op.AUIPC || op === Op.JAL || (op >= Op.CSRRWI && op <= Op.CSRRCI));
}

/** Ops that read rs2 (as a register). */
export function readsRs2(op: Op): boolean {
  return (
    (op >= Op.BEQ && op <= Op.BGEU) ||
    (op >= Op.SB && op <= Op.SD) ||
    (op >= Op.ADD && op <= Op.AND) ||
    (op >= Op.ADDW && op <= Op.SRAW) ||
    (op >= Op.MUL && op <= Op.REMUW)
  );
}

/** Source of a register-only instruction at virtual address `pc + ofs`. */
export function aluSource(
  d: { op: Op; rd: number; rs1: number; rs2: number; imm: number },
  ofs: number,
): string {
  const { rd, rs1, rs2, imm } = d;
  if (sink(rd)) return '';
  const a = lo(rs1);
  const ah = hi(rs1);
  const b = lo(rs2);
  const bh = hi(rs2);
  const ih = imm >> 31;
  switch (d.op) {
    case Op.LUI:
      return assign(rd, `${imm}`, `${ih}`);
    case Op.AUIPC:
      return assignNum(rd, `pc + ${ofs + imm}`);
    case Op.ADDI:
      return assign(rd, `(${a} + ${imm}) | 0`, `(${ah} + ${ih} + ((tl >>> 0) < (${a} >>> 0) ? 1 : 0)) | 0`);
    case Op.SLTI:
      return assign(rd, `(${ah} < ${ih} || (${ah} === ${ih} && (${a} >>> 0) < ${imm >>> 0})) ? 1 : 0`, '0');
    case Op.SLTIU:
      return assign(
        rd,
        `((${ah} >>> 0) < ${ih >>> 0} || ((${ah} >>> 0) === ${ih >>> 0} && (${a} >>> 0) < ${imm >>> 0})) ? 1 : 0`,
        '0',
      );
    case Op.XORI:
      return assign(rd, `${a} ^ ${imm}`, `${ah} ^ ${ih}`);
    case Op.ORI:
      return assign(rd, `${a} | ${imm}`, `${ah} | ${ih}`);
    case Op.ANDI:
      return assign(rd, `${a} & ${imm}`, `${ah} & ${ih}`);
    case Op.SLLI:
      return shiftImm('shl', rd, rs1, imm);
    case Op.SRLI:
      return shiftImm('shr', rd, rs1, imm);
    case Op.SRAI:
      return shiftImm('sar', rd, rs1, imm);
    case Op.ADD:
      return assign(rd, `(${a} + ${b}) | 0`, `(${ah} + ${bh} + ((tl >>> 0) < (${a} >>> 0) ? 1 : 0)) | 0`);
    case Op.SUB:
      return assign(rd, `(${a} - ${b}) | 0`, `(${ah} - ${bh} - ((${a} >>> 0) < (${b} >>> 0) ? 1 : 0)) | 0`);
    case Op.SLL:
      return helper(rd, `rt.shl(x, ${rd}, ${a}, ${ah}, ${b} & 63);`);
    case Op.SRL:
      return helper(rd, `rt.shr(x, ${rd}, ${a}, ${ah}, ${b} & 63);`);
    case Op.SRA:
      return helper(rd, `rt.sar(x, ${rd}, ${a}, ${ah}, ${b} & 63);`);
    case Op.SLT:
      return assign(rd, `${cmpLt(rs1, rs2, false)} ? 1 : 0`, '0');
    case Op.SLTU:
      return assign(rd, `${cmpLt(rs1, rs2, true)} ? 1 : 0`, '0');
    case Op.XOR:
      return assign(rd, `${a} ^ ${b}`, `${ah} ^ ${bh}`);
    case Op.OR:
      return assign(rd, `${a} | ${b}`, `${ah} | ${bh}`);
    case Op.AND:
      return assign(rd, `${a} & ${b}`, `${ah} & ${bh}`);
    case Op.ADDIW:
      return assignW(rd, `(${a} + ${imm}) | 0`);
    case Op.SLLIW:
      return assignW(rd, `${a} << ${imm}`);
    case Op.SRLIW:
      return assignW(rd, `(${a} >>> ${imm}) | 0`);
    case Op.SRAIW:
      return assignW(rd, `${a} >> ${imm}`);
    case Op.ADDW:
      return assignW(rd, `(${a} + ${b}) | 0`);
    case Op.SUBW:
      return assignW(rd, `(${a} - ${b}) | 0`);
    case Op.SLLW:
      return assignW(rd, `${a} << (${b} & 31)`);
    case Op.SRLW:
      return assignW(rd, `(${a} >>> (${b} & 31)) | 0`);
    case Op.SRAW:
      return assignW(rd, `${a} >> (${b} & 31)`);
    case Op.MUL:
      return helper(rd, `rt.mul(x, ${rd}, ${a}, ${ah}, ${b}, ${bh});`);
    case Op.MULH:
      return helper(rd, `rt.mulh(x, ${rd}, ${a}, ${ah}, ${b}, ${bh}, 3);`);
    case Op.MULHSU:
      return helper(rd, `rt.mulh(x, ${rd}, ${a}, ${ah}, ${b}, ${bh}, 1);`);
    case Op.MULHU:
      return helper(rd, `rt.mulh(x, ${rd}, ${a}, ${ah}, ${b}, ${bh}, 0);`);
    case Op.DIV:
    case Op.DIVU:
    case Op.REM:
    case Op.REMU: {
      const signed = d.op === Op.DIV || d.op === Op.REM;
      const rem = d.op >= Op.REM;
      return helper(rd, `rt.div(x, ${rd}, ${a}, ${ah}, ${b}, ${bh}, ${signed}, ${rem});`);
    }
    case Op.MULW:
      return assignW(rd, `Math.imul(${a}, ${b})`);
    case Op.DIVW:
    case Op.DIVUW:
    case Op.REMW:
    case Op.REMUW: {
      const signed = d.op === Op.DIVW || d.op === Op.REMW;
      const rem = d.op >= Op.REMW;
      return helper(rd, `rt.divw(x, ${rd}, ${a}, ${b}, ${signed}, ${rem});`);
    }
    default:
      throw new Error(`jit: op ${d.op} is not a register-only op`); // a generator bug, never guest input
  }
}

/**
 * The JIT's code generator: turns the decoded slots of one basic block into the source of
 * a JavaScript function `(h, pc, b, m) => number` that does exactly what the interpreter
 * (exec.ts) would do for those instructions, with the operands baked in as constants.
 *
 * Contract of a generated function (relied on by exec.ts):
 * - `pc` is the virtual address of the block's first instruction; every pc-relative value
 *   is computed from it, so one physical block serves every virtual mapping of its page.
 * - `m` is the number of instructions it may retire (at least the block's length). A block
 *   whose last instruction jumps back to its own start loops inside the function while a
 *   whole further pass fits in `m`.
 * - It returns the number of instructions retired, with `h.pc` and `h.instret` exact; or,
 *   when a load or store trapped, `~retired` (the faulting instruction did not retire and
 *   the trap was taken by the slow path with `h.pc` and `h.instret` exact at the fault).
 * - It leaves early after any slow-path access that set `h.attention` (a device may have
 *   raised an interrupt) and after any store that invalidated the block itself (`b.valid`),
 *   so the interpreter's per-instruction checks are never skipped when they could matter.
 */
import { Op } from './exec';
import { TLB_MASK } from './mmu';

/** A decoded instruction as the generator sees it (fields as in the slot, see shared.ts). */
export interface JitInsn {
  op: Op;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  len: number;
  /** The instruction bits (xtval of an illegal-instruction trap). */
  raw: number;
}

/** A CSR instruction that only reads (Zicsr 9.1: csrrs/csrrc with rs1 = x0, or zimm = 0). */
function csrReadOnly(d: { op: Op; rs1: number; rs2: number }): boolean {
  if (d.op === Op.CSRRS || d.op === Op.CSRRC) return d.rs1 === 0;
  if (d.op === Op.CSRRSI || d.op === Op.CSRRCI) return d.rs2 === 0;
  return false;
}

function csrOp(op: Op): boolean {
  return op >= Op.CSRRW && op <= Op.CSRRCI;
}

/** Ops a block may contain in its body (no side effects beyond registers and memory). */
export function jitBodyOp(d: { op: Op; rs1: number; rs2: number }): boolean {
  const op = d.op;
  return (
    (op >= Op.LUI && op <= Op.AUIPC) ||
    (op >= Op.LB && op <= Op.FENCE) ||
    (op >= Op.MUL && op <= Op.REMUW) ||
    csrReadOnly(d)
  );
}

/**
 * Ops that end a block and are compiled into it: control transfers, and CSR writes (which
 * may change privilege context or enable an interrupt: the run loop looks at once).
 */
export function jitEndOp(d: { op: Op; rs1: number; rs2: number }): boolean {
  return (d.op >= Op.JAL && d.op <= Op.BGEU) || (csrOp(d.op) && !csrReadOnly(d));
}

/** The call of the interpreter's CSR instruction for `d` (Zicsr chapter 9). */
function csrCall(d: JitInsn): string {
  const imm = d.op >= Op.CSRRWI;
  const kind = d.op - (imm ? Op.CSRRWI : Op.CSRRW);
  const src = imm ? `${d.rs2 >> 1}, 0` : `x[${d.rs1}], x[${d.rs1 + 1}]`;
  const write = imm ? d.op === Op.CSRRWI || d.rs2 !== 0 : d.op === Op.CSRRW || d.rs1 !== 0;
  return `rt.csr(h, ${kind}, ${d.imm}, ${d.rd}, ${src}, ${write}, ${d.raw | 0})`;
}

const T32 = '4294967296';

/** Source for `rd = 64-bit result of halves lo/hi expressions`, skipped for the x0 sink. */
function set64(rd: number, lo: string, hi: string): string {
  return `x[${rd + 1}] = ${hi}; x[${rd}] = ${lo};`;
}

function setW(rd: number, expr: string): string {
  return `{ const v = ${expr}; x[${rd}] = v; x[${rd + 1}] = v >> 31; }`;
}

function cmpLt(a: number, b: number, unsigned: boolean): string {
  const u = unsigned ? ' >>> 0' : '';
  return `((x[${a + 1}]${u}) < (x[${b + 1}]${u}) || (x[${a + 1}] === x[${b + 1}] && (x[${a}] >>> 0) < (x[${b}] >>> 0)))`;
}

function shiftImm(kind: 'shl' | 'shr' | 'sar', rd: number, rs1: number, sh: number): string {
  const lo = `x[${rs1}]`;
  const hi = `x[${rs1 + 1}]`;
  if (sh === 0) return `{ const l = ${lo}, g = ${hi}; x[${rd}] = l; x[${rd + 1}] = g; }`;
  if (kind === 'shl') {
    if (sh < 32)
      return `{ const l = ${lo}, g = ${hi}; x[${rd + 1}] = (g << ${sh}) | (l >>> ${32 - sh}); x[${rd}] = l << ${sh}; }`;
    return `{ const l = ${lo}; x[${rd + 1}] = l << ${sh - 32}; x[${rd}] = 0; }`;
  }
  const op = kind === 'shr' ? '>>>' : '>>';
  if (sh < 32)
    return `{ const l = ${lo}, g = ${hi}; x[${rd}] = (l >>> ${sh}) | (g << ${32 - sh}); x[${rd + 1}] = g ${op} ${sh}; }`;
  const top = kind === 'shr' ? '0' : `g >> 31`;
  return `{ const g = ${hi}; x[${rd}] = g ${op} ${sh - 32}; x[${rd + 1}] = ${top}; }`;
}

/** Source for the leave-the-block sequence after `n` more retired instructions. */
function exit(n: number, pcOff: number | string): string {
  return `{ h.pc = pc + ${pcOff}; h.instret = i0 + c + ${n}; return c + ${n}; }`;
}

/** The body of one non-branch instruction `k` at byte offset `ofs` in the block. */
function body(d: JitInsn, k: number, ofs: number): string {
  const { rd, rs1, imm } = d;
  const nofs = ofs + d.len;
  const va = `x[${rs1 + 1}] * ${T32} + (x[${rs1}] >>> 0) + ${imm}`;
  const slow = `h.pc = pc + ${ofs}; h.instret = i0 + c + ${k};`;
  const pure = rd === 64; // writes only the x0 sink: no effect
  switch (d.op) {
    case Op.LUI:
      return pure ? '' : `x[${rd}] = ${imm}; x[${rd + 1}] = ${imm >> 31};`;
    case Op.AUIPC:
      return pure
        ? ''
        : `{ const v = pc + ${ofs + imm}; x[${rd}] = v; x[${rd + 1}] = Math.floor(v / ${T32}); }`;
    case Op.LB:
    case Op.LBU:
    case Op.LH:
    case Op.LHU:
    case Op.LW:
    case Op.LWU:
    case Op.LD:
      return load(d, k, ofs, nofs, va, slow);
    case Op.SB:
    case Op.SH:
    case Op.SW:
    case Op.SD:
      return store(d, k, ofs, nofs, va, slow);
    case Op.FENCE:
      return '';
    case Op.CSRRW:
    case Op.CSRRS:
    case Op.CSRRC:
    case Op.CSRRWI:
    case Op.CSRRSI:
    case Op.CSRRCI:
      // A read: it may trap (privilege) and may read instret, so both are exact first.
      return `${slow} if (!${csrCall(d)}) return ~(c + ${k}); if (h.attention) ${exit(k + 1, ofs + d.len)}`;
    default:
      return pure ? '' : alu(d);
  }
}

/**
 * The TLB hit test of Hart.ldOff/stOff, inlined: `o` = the RAM offset of an access of
 * `size` bytes at `va` within one page on a hit, else -1 (the slow path decides).
 */
function tlb(perm: 'pr' | 'pw', size: number, rs1: number, imm: number): string {
  // The page offset and TLB index come from the low word alone (2^32 is a multiple of the
  // page size), in int32 arithmetic; the page number from the exact double `va`.
  return (
    `const l = (x[${rs1}] + ${imm}) | 0, po = l & 4095, ti = (l >>> 12) & ${TLB_MASK};` +
    ` const vpn = (va - po) * 0.000244140625, to = toff[ti];` +
    ` const o = ttag[ti] === vpn && ${perm}[tflags[ti]] === 1 && po <= ${4096 - size} && to >= 0 ? to + po : -1;`
  );
}

function load(d: JitInsn, k: number, _ofs: number, nofs: number, va: string, slow: string): string {
  const size =
    d.op === Op.LB || d.op === Op.LBU ? 1 : d.op === Op.LH || d.op === Op.LHU ? 2 : d.op === Op.LD ? 8 : 4;
  const rd = d.rd;
  let fast: string;
  let fromSlow: string;
  let write: string;
  if (size === 8) {
    fast = `if ((o & 3) === 0) { lo = i32[o >> 2]; hi = i32[(o >> 2) + 1]; } else { lo = dv.getInt32(o, true); hi = dv.getInt32(o + 4, true); }`;
    fromSlow = `lo = h.tmpLo; hi = h.tmpHi;`;
    write = `x[${rd}] = lo; x[${rd + 1}] = hi;`;
  } else {
    if (size === 1) {
      fast = `lo = u8[o];`;
      fromSlow = `lo = h.tmpLo & 0xff;`;
    } else if (size === 2) {
      fast = `lo = (o & 1) === 0 ? u16[o >> 1] : dv.getUint16(o, true);`;
      fromSlow = `lo = h.tmpLo & 0xffff;`;
    } else {
      fast = `lo = (o & 3) === 0 ? i32[o >> 2] : dv.getInt32(o, true);`;
      fromSlow = `lo = h.tmpLo | 0;`;
    }
    const ext = d.op === Op.LB ? `lo = (lo << 24) >> 24; ` : d.op === Op.LH ? `lo = (lo << 16) >> 16; ` : '';
    const high = d.op === Op.LWU ? '0' : 'lo >> 31';
    write = `${ext}x[${rd}] = lo; x[${rd + 1}] = ${high};`;
  }
  return (
    `{ const va = ${va}; ${tlb('pr', size, d.rs1, d.imm)} let lo, hi = 0, e = false;` +
    ` if (o >= 0) { ${fast} } else { ${slow} if (!h.loadSlow(va, ${size})) return ~(c + ${k}); ${fromSlow}` +
    ` e = h.attention || !b.valid; }` +
    ` ${write} if (e) ${exit(k + 1, nofs)} }`
  );
}

function store(d: JitInsn, k: number, _ofs: number, nofs: number, va: string, slow: string): string {
  const { rs2 } = d;
  const size = d.op === Op.SB ? 1 : d.op === Op.SH ? 2 : d.op === Op.SW ? 4 : 8;
  let fast: string;
  let slowArgs: string;
  if (size === 1) {
    fast = `u8[o] = x[${rs2}];`;
    slowArgs = `x[${rs2}] & 0xff, 0`;
  } else if (size === 2) {
    fast = `if ((o & 1) === 0) u16[o >> 1] = x[${rs2}]; else dv.setUint16(o, x[${rs2}] & 0xffff, true);`;
    slowArgs = `x[${rs2}] & 0xffff, 0`;
  } else if (size === 4) {
    fast = `if ((o & 3) === 0) i32[o >> 2] = x[${rs2}]; else dv.setInt32(o, x[${rs2}], true);`;
    slowArgs = `x[${rs2}], 0`;
  } else {
    fast =
      `if ((o & 3) === 0) { i32[o >> 2] = x[${rs2}]; i32[(o >> 2) + 1] = x[${rs2 + 1}]; }` +
      ` else { dv.setInt32(o, x[${rs2}], true); dv.setInt32(o + 4, x[${rs2 + 1}], true); }`;
    slowArgs = `x[${rs2}], x[${rs2 + 1}]`;
  }
  return (
    `{ const va = ${va}; ${tlb('pw', size, d.rs1, d.imm)}` +
    ` if (o >= 0) { ${fast} if (watch[o >>> 12] !== 0) { shared.stored(h.id, o, ${size}); if (h.attention || !b.valid) ${exit(k + 1, nofs)} } }` +
    ` else { ${slow} if (!h.storeSlow(va, ${size}, ${slowArgs})) return ~(c + ${k});` +
    ` if (h.attention || !b.valid) ${exit(k + 1, nofs)} } }`
  );
}

function alu(d: JitInsn): string {
  const { rd, rs1, rs2, imm } = d;
  const a = `x[${rs1}]`;
  const ah = `x[${rs1 + 1}]`;
  const b = `x[${rs2}]`;
  const bh = `x[${rs2 + 1}]`;
  const ih = imm >> 31;
  switch (d.op) {
    case Op.ADDI:
      return `{ const a = ${a}; const lo = (a + ${imm}) | 0; x[${rd + 1}] = (${ah} + ${ih} + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; x[${rd}] = lo; }`;
    case Op.SLTI:
      return `x[${rd}] = (${ah} < ${ih} || (${ah} === ${ih} && (${a} >>> 0) < ${imm >>> 0})) ? 1 : 0; x[${rd + 1}] = 0;`;
    case Op.SLTIU:
      return `x[${rd}] = ((${ah} >>> 0) < ${ih >>> 0} || ((${ah} >>> 0) === ${ih >>> 0} && (${a} >>> 0) < ${imm >>> 0})) ? 1 : 0; x[${rd + 1}] = 0;`;
    case Op.XORI:
      return set64(rd, `${a} ^ ${imm}`, `${ah} ^ ${ih}`);
    case Op.ORI:
      return set64(rd, `${a} | ${imm}`, `${ah} | ${ih}`);
    case Op.ANDI:
      return set64(rd, `${a} & ${imm}`, `${ah} & ${ih}`);
    case Op.SLLI:
      return shiftImm('shl', rd, rs1, imm);
    case Op.SRLI:
      return shiftImm('shr', rd, rs1, imm);
    case Op.SRAI:
      return shiftImm('sar', rd, rs1, imm);
    case Op.ADD:
      return `{ const a = ${a}; const lo = (a + ${b}) | 0; x[${rd + 1}] = (${ah} + ${bh} + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; x[${rd}] = lo; }`;
    case Op.SUB:
      return `{ const a = ${a}, b = ${b}; x[${rd + 1}] = (${ah} - ${bh} - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0; x[${rd}] = (a - b) | 0; }`;
    case Op.SLL:
      return `rt.shl(x, ${rd}, ${a}, ${ah}, ${b} & 63);`;
    case Op.SRL:
      return `rt.shr(x, ${rd}, ${a}, ${ah}, ${b} & 63);`;
    case Op.SRA:
      return `rt.sar(x, ${rd}, ${a}, ${ah}, ${b} & 63);`;
    case Op.SLT:
      return `x[${rd}] = ${cmpLt(rs1, rs2, false)} ? 1 : 0; x[${rd + 1}] = 0;`;
    case Op.SLTU:
      return `x[${rd}] = ${cmpLt(rs1, rs2, true)} ? 1 : 0; x[${rd + 1}] = 0;`;
    case Op.XOR:
      return set64(rd, `${a} ^ ${b}`, `${ah} ^ ${bh}`);
    case Op.OR:
      return set64(rd, `${a} | ${b}`, `${ah} | ${bh}`);
    case Op.AND:
      return set64(rd, `${a} & ${b}`, `${ah} & ${bh}`);
    case Op.ADDIW:
      return setW(rd, `(${a} + ${imm}) | 0`);
    case Op.SLLIW:
      return setW(rd, `${a} << ${imm}`);
    case Op.SRLIW:
      return setW(rd, `(${a} >>> ${imm}) | 0`);
    case Op.SRAIW:
      return setW(rd, `${a} >> ${imm}`);
    case Op.ADDW:
      return setW(rd, `(${a} + ${b}) | 0`);
    case Op.SUBW:
      return setW(rd, `(${a} - ${b}) | 0`);
    case Op.SLLW:
      return setW(rd, `${a} << (${b} & 31)`);
    case Op.SRLW:
      return setW(rd, `(${a} >>> (${b} & 31)) | 0`);
    case Op.SRAW:
      return setW(rd, `${a} >> (${b} & 31)`);
    case Op.MUL:
      return `rt.mul(x, ${rd}, ${a}, ${ah}, ${b}, ${bh});`;
    case Op.MULH:
      return `rt.mulh(x, ${rd}, ${a}, ${ah}, ${b}, ${bh}, 3);`;
    case Op.MULHSU:
      return `rt.mulh(x, ${rd}, ${a}, ${ah}, ${b}, ${bh}, 1);`;
    case Op.MULHU:
      return `rt.mulh(x, ${rd}, ${a}, ${ah}, ${b}, ${bh}, 0);`;
    case Op.DIV:
    case Op.DIVU:
    case Op.REM:
    case Op.REMU: {
      const signed = d.op === Op.DIV || d.op === Op.REM;
      const rem = d.op >= Op.REM;
      return `rt.div(x, ${rd}, ${a}, ${ah}, ${b}, ${bh}, ${signed}, ${rem});`;
    }
    case Op.MULW:
      return setW(rd, `Math.imul(${a}, ${b})`);
    case Op.DIVW:
    case Op.DIVUW:
    case Op.REMW:
    case Op.REMUW: {
      const signed = d.op === Op.DIVW || d.op === Op.REMW;
      const rem = d.op >= Op.REMW;
      return `rt.divw(x, ${rd}, ${a}, ${b}, ${signed}, ${rem});`;
    }
    default:
      throw new Error(`jit: op ${d.op} is not a body op`); // a generator bug, never guest input
  }
}

/** The ending control transfer: sets `np`, the next pc; `back` is true when it is `pc`. */
function branch(d: JitInsn, ofs: number): { code: string; back: string } {
  const { rd, rs1, rs2, imm } = d;
  const nofs = ofs + d.len;
  const tgt = ofs + imm;
  let cond: string;
  switch (d.op) {
    case Op.JAL: {
      const link =
        rd === 64 ? '' : `{ const v = pc + ${nofs}; x[${rd}] = v; x[${rd + 1}] = Math.floor(v / ${T32}); }`;
      return { code: `${link} np = pc + ${tgt};`, back: tgt === 0 ? 'true' : 'false' };
    }
    case Op.JALR:
      return {
        code:
          `{ const a = x[${rs1 + 1}] * ${T32} + (x[${rs1}] >>> 0) + ${imm}; const v = pc + ${nofs};` +
          ` x[${rd}] = v; x[${rd + 1}] = Math.floor(v / ${T32}); np = a - (a & 1); }`,
        back: 'np === pc',
      };
    case Op.BEQ:
      cond = `x[${rs1}] === x[${rs2}] && x[${rs1 + 1}] === x[${rs2 + 1}]`;
      break;
    case Op.BNE:
      cond = `x[${rs1}] !== x[${rs2}] || x[${rs1 + 1}] !== x[${rs2 + 1}]`;
      break;
    case Op.BLT:
      cond = cmpLt(rs1, rs2, false);
      break;
    case Op.BGE:
      cond = `!${cmpLt(rs1, rs2, false)}`;
      break;
    case Op.BLTU:
      cond = cmpLt(rs1, rs2, true);
      break;
    default:
      cond = `!${cmpLt(rs1, rs2, true)}`;
      break;
  }
  return { code: `np = pc + ((${cond}) ? ${tgt} : ${nofs});`, back: tgt === 0 ? `np === pc` : 'false' };
}

/** Source of the function body for a block (see the contract above). */
export function generateBlock(insns: readonly JitInsn[]): string {
  const n = insns.length;
  const parts: string[] = [];
  let ofs = 0;
  const last = insns[n - 1]!;
  const ends = jitEndOp(last);
  for (let k = 0; k < n; k++) {
    const d = insns[k]!;
    if (k === n - 1 && ends) break;
    parts.push(body(d, k, ofs));
    ofs += d.len;
  }
  const mem = insns.some((d) => d.op >= Op.LB && d.op <= Op.SD);
  const arrays = mem
    ? ` const r = h.ram, u8 = r.u8, u16 = r.u16, i32 = r.i32, dv = r.dv, shared = h.shared, watch = shared.watch;` +
      ` const t = h.dtlb, ttag = t.tag, tflags = t.flags, toff = t.off, pr = h.permR, pw = h.permW;`
    : '';
  if (ends && csrOp(last.op)) {
    // A CSR write ends the block. Counting it with ++ keeps the interpreter's order: a
    // write to minstret has already taken one off for itself (csr.ts).
    const head = `const x = h.x; const i0 = h.instret; const c = 0;${arrays}`;
    const k = n - 1;
    const call =
      `h.pc = pc + ${ofs}; h.instret = i0 + ${k}; if (!${csrCall(last)}) return ~${k};` +
      ` h.pc = pc + ${ofs + last.len}; h.instret++; return ${n};`;
    return `${head}\n${parts.join('\n')}\n${call}`;
  }
  const head = `const x = h.x; const i0 = h.instret; let c = 0;${arrays}`;
  if (!ends) {
    return `${head}\n${parts.join('\n')}\n${exit(n, ofs)}`;
  }
  const br = branch(last, ofs);
  const tail =
    `${br.code}\nc += ${n};\n` +
    // Another pass needs no attention or validity check: every access that could set
    // h.attention or drop this block (slow paths, stores to watched pages, CSR calls)
    // already left the function when it did.
    `if (${br.back} && c + ${n} <= m) continue;\n` +
    `h.pc = np; h.instret = i0 + c; return c;`;
  return `${head} let np = 0;\nfor (;;) {\n${parts.join('\n')}\n${tail}\n}`;
}

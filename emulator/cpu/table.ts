/**
 * The instruction table: every RV64IMAC + Zicsr + Zifencei + privileged encoding this hart
 * implements, one entry each with its mask/match, mnemonic, the operation the interpreter
 * executes for it (`op`, a case of the switch in exec.ts), how its operands are extracted,
 * and an operand template for the disassembler. The decoder, the interpreter, the
 * disassembler, the test encoder and the tests are all driven by this one list.
 *
 * Compressed entries (unprivileged spec 16.8, table 16.5-16.7) extract the operands of their
 * 32-bit expansion, so they execute as the base operation; `fields` returns null for the
 * reserved encodings, which then raise illegal-instruction.
 */
import { Op } from './exec';

/** Operands of one instruction (register numbers, not yet doubled). */
export interface Fields {
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
}

/**
 * Disassembly template characters: d rd, s rs1, t rs2, i imm (decimal), h imm (hex),
 * x imm >>> 12 (hex, for lui/auipc/c.lui), o pc-relative target, m imm(rs1), a (rs1),
 * c CSR name, u zimm (stored in rs2), f fence pred,succ. Anything else is copied.
 */
export interface InsnDef {
  readonly name: string;
  readonly mask: number;
  readonly match: number;
  readonly length: 2 | 4;
  readonly op: Op;
  readonly fields: (insn: number) => Fields | null;
  readonly asm: string;
}

const rd = (i: number): number => (i >>> 7) & 31;
const rs1 = (i: number): number => (i >>> 15) & 31;
const rs2 = (i: number): number => (i >>> 20) & 31;
const immI = (i: number): number => i >> 20;
const immS = (i: number): number => ((i >> 25) << 5) | ((i >>> 7) & 31);
const immB = (i: number): number =>
  ((i >> 31) << 12) | (((i >>> 7) & 1) << 11) | (((i >>> 25) & 0x3f) << 5) | (((i >>> 8) & 0xf) << 1);
const immJ = (i: number): number =>
  ((i >> 31) << 20) | (((i >>> 12) & 0xff) << 12) | (((i >>> 20) & 1) << 11) | (((i >>> 21) & 0x3ff) << 1);

const R = (i: number): Fields => ({ rd: rd(i), rs1: rs1(i), rs2: rs2(i), imm: 0 });
const I = (i: number): Fields => ({ rd: rd(i), rs1: rs1(i), rs2: 0, imm: immI(i) });
const S = (i: number): Fields => ({ rd: 0, rs1: rs1(i), rs2: rs2(i), imm: immS(i) });
const B = (i: number): Fields => ({ rd: 0, rs1: rs1(i), rs2: rs2(i), imm: immB(i) });
const U = (i: number): Fields => ({ rd: rd(i), rs1: 0, rs2: 0, imm: i & 0xfffff000 });
const J = (i: number): Fields => ({ rd: rd(i), rs1: 0, rs2: 0, imm: immJ(i) });
const SH6 = (i: number): Fields => ({ rd: rd(i), rs1: rs1(i), rs2: 0, imm: (i >>> 20) & 63 });
const SH5 = (i: number): Fields => ({ rd: rd(i), rs1: rs1(i), rs2: 0, imm: (i >>> 20) & 31 });
const CSR = (i: number): Fields => ({ rd: rd(i), rs1: rs1(i), rs2: 0, imm: i >>> 20 });
const CSRI = (i: number): Fields => ({ rd: rd(i), rs1: 0, rs2: rs1(i), imm: i >>> 20 });
const AMO = (i: number): Fields => ({ rd: rd(i), rs1: rs1(i), rs2: rs2(i), imm: i >>> 27 });
const NONE = (): Fields => ({ rd: 0, rs1: 0, rs2: 0, imm: 0 });
const FENCE = (i: number): Fields => ({ rd: 0, rs1: 0, rs2: 0, imm: (i >>> 20) & 0xff });

const entries: InsnDef[] = [];
function def(
  name: string,
  mask: number,
  match: number,
  op: Op,
  fields: InsnDef['fields'],
  asm: string,
): void {
  entries.push({ name, mask: mask >>> 0, match: match >>> 0, length: 4, op, fields, asm });
}

// RV64I (unprivileged spec chapters 2 and 5).
def('lui', 0x7f, 0x37, Op.LUI, U, 'd,x');
def('auipc', 0x7f, 0x17, Op.AUIPC, U, 'd,x');
def('jal', 0x7f, 0x6f, Op.JAL, J, 'd,o');
def('jalr', 0x707f, 0x67, Op.JALR, I, 'd,m');
const branches: [string, number, Op][] = [
  ['beq', 0, Op.BEQ],
  ['bne', 1, Op.BNE],
  ['blt', 4, Op.BLT],
  ['bge', 5, Op.BGE],
  ['bltu', 6, Op.BLTU],
  ['bgeu', 7, Op.BGEU],
];
for (const [n, f3, op] of branches) def(n, 0x707f, 0x63 | (f3 << 12), op, B, 's,t,o');
const loads: [string, number, Op][] = [
  ['lb', 0, Op.LB],
  ['lh', 1, Op.LH],
  ['lw', 2, Op.LW],
  ['ld', 3, Op.LD],
  ['lbu', 4, Op.LBU],
  ['lhu', 5, Op.LHU],
  ['lwu', 6, Op.LWU],
];
for (const [n, f3, op] of loads) def(n, 0x707f, 0x03 | (f3 << 12), op, I, 'd,m');
const stores: [string, number, Op][] = [
  ['sb', 0, Op.SB],
  ['sh', 1, Op.SH],
  ['sw', 2, Op.SW],
  ['sd', 3, Op.SD],
];
for (const [n, f3, op] of stores) def(n, 0x707f, 0x23 | (f3 << 12), op, S, 't,m');
const opImm: [string, number, Op][] = [
  ['addi', 0, Op.ADDI],
  ['slti', 2, Op.SLTI],
  ['sltiu', 3, Op.SLTIU],
  ['xori', 4, Op.XORI],
  ['ori', 6, Op.ORI],
  ['andi', 7, Op.ANDI],
];
for (const [n, f3, op] of opImm) def(n, 0x707f, 0x13 | (f3 << 12), op, I, 'd,s,i');
def('slli', 0xfc00707f, 0x1013, Op.SLLI, SH6, 'd,s,h');
def('srli', 0xfc00707f, 0x5013, Op.SRLI, SH6, 'd,s,h');
def('srai', 0xfc00707f, 0x40005013, Op.SRAI, SH6, 'd,s,h');
const opReg: [string, number, Op][] = [
  ['add', 0x0000, Op.ADD],
  ['sub', 0x40000000, Op.SUB],
  ['sll', 0x1000, Op.SLL],
  ['slt', 0x2000, Op.SLT],
  ['sltu', 0x3000, Op.SLTU],
  ['xor', 0x4000, Op.XOR],
  ['srl', 0x5000, Op.SRL],
  ['sra', 0x40005000, Op.SRA],
  ['or', 0x6000, Op.OR],
  ['and', 0x7000, Op.AND],
  // M extension (chapter 7).
  ['mul', 0x02000000, Op.MUL],
  ['mulh', 0x02001000, Op.MULH],
  ['mulhsu', 0x02002000, Op.MULHSU],
  ['mulhu', 0x02003000, Op.MULHU],
  ['div', 0x02004000, Op.DIV],
  ['divu', 0x02005000, Op.DIVU],
  ['rem', 0x02006000, Op.REM],
  ['remu', 0x02007000, Op.REMU],
];
for (const [n, m, op] of opReg) def(n, 0xfe00707f, 0x33 | m, op, R, 'd,s,t');
def('addiw', 0x707f, 0x1b, Op.ADDIW, I, 'd,s,i');
def('slliw', 0xfe00707f, 0x101b, Op.SLLIW, SH5, 'd,s,h');
def('srliw', 0xfe00707f, 0x501b, Op.SRLIW, SH5, 'd,s,h');
def('sraiw', 0xfe00707f, 0x4000501b, Op.SRAIW, SH5, 'd,s,h');
const opReg32: [string, number, Op][] = [
  ['addw', 0x0000, Op.ADDW],
  ['subw', 0x40000000, Op.SUBW],
  ['sllw', 0x1000, Op.SLLW],
  ['srlw', 0x5000, Op.SRLW],
  ['sraw', 0x40005000, Op.SRAW],
  ['mulw', 0x02000000, Op.MULW],
  ['divw', 0x02004000, Op.DIVW],
  ['divuw', 0x02005000, Op.DIVUW],
  ['remw', 0x02006000, Op.REMW],
  ['remuw', 0x02007000, Op.REMUW],
];
for (const [n, m, op] of opReg32) def(n, 0xfe00707f, 0x3b | m, op, R, 'd,s,t');
def('fence', 0x707f, 0x0000000f, Op.FENCE, FENCE, 'f');
def('fence.i', 0x707f, 0x0000100f, Op.FENCE_I, NONE, '');
// SYSTEM (privileged spec 3.3 and 4.2.1) and Zicsr (unprivileged chapter 9).
def('ecall', 0xffffffff, 0x00000073, Op.ECALL, NONE, '');
def('ebreak', 0xffffffff, 0x00100073, Op.EBREAK, NONE, '');
def('sret', 0xffffffff, 0x10200073, Op.SRET, NONE, '');
def('mret', 0xffffffff, 0x30200073, Op.MRET, NONE, '');
def('wfi', 0xffffffff, 0x10500073, Op.WFI, NONE, '');
def('sfence.vma', 0xfe007fff, 0x12000073, Op.SFENCE_VMA, R, 's,t');
def('csrrw', 0x707f, 0x1073, Op.CSRRW, CSR, 'd,c,s');
def('csrrs', 0x707f, 0x2073, Op.CSRRS, CSR, 'd,c,s');
def('csrrc', 0x707f, 0x3073, Op.CSRRC, CSR, 'd,c,s');
def('csrrwi', 0x707f, 0x5073, Op.CSRRWI, CSRI, 'd,c,u');
def('csrrsi', 0x707f, 0x6073, Op.CSRRSI, CSRI, 'd,c,u');
def('csrrci', 0x707f, 0x7073, Op.CSRRCI, CSRI, 'd,c,u');
// A extension (chapter 8); aq/rl (bits 26, 25) are free in the mask and shown as a suffix.
for (const [w, f3] of [
  ['w', 2],
  ['d', 3],
] as const) {
  const lr = w === 'w' ? Op.LR_W : Op.LR_D;
  const sc = w === 'w' ? Op.SC_W : Op.SC_D;
  const amo = w === 'w' ? Op.AMO_W : Op.AMO_D;
  def(`lr.${w}`, 0xf9f0707f, 0x1000002f | (f3 << 12), lr, R, 'd,a');
  def(`sc.${w}`, 0xf800707f, 0x1800002f | (f3 << 12), sc, R, 'd,t,a');
  const fns: [string, number][] = [
    ['amoadd', 0x00],
    ['amoswap', 0x01],
    ['amoxor', 0x04],
    ['amoor', 0x08],
    ['amoand', 0x0c],
    ['amomin', 0x10],
    ['amomax', 0x14],
    ['amominu', 0x18],
    ['amomaxu', 0x1c],
  ];
  for (const [n, f5] of fns) def(`${n}.${w}`, 0xf800707f, (f5 << 27) | 0x2f | (f3 << 12), amo, AMO, 'd,t,a');
}

// RVC (unprivileged spec 16.8). Compressed register fields: x8..x15.
const cr1p = (i: number): number => 8 + ((i >>> 7) & 7);
const cr2p = (i: number): number => 8 + ((i >>> 2) & 7);
const crd = (i: number): number => (i >>> 7) & 31;
const crs2 = (i: number): number => (i >>> 2) & 31;
const ci6 = (i: number): number => (((((i >>> 12) & 1) << 5) | ((i >>> 2) & 31)) << 26) >> 26;
const cu6 = (i: number): number => (((i >>> 12) & 1) << 5) | ((i >>> 2) & 31);
const cLwOff = (i: number): number => ((i >>> 7) & 0x38) | ((i >>> 4) & 4) | ((i << 1) & 0x40);
const cLdOff = (i: number): number => ((i >>> 7) & 0x38) | ((i << 1) & 0xc0);
const cJOff = (i: number): number =>
  ((((i >>> 1) & 0x800) |
    ((i >>> 7) & 0x10) |
    ((i >>> 1) & 0x300) |
    ((i << 2) & 0x400) |
    ((i >>> 1) & 0x40) |
    ((i << 1) & 0x80) |
    ((i >>> 2) & 0xe) |
    ((i << 3) & 0x20)) <<
    20) >>
  20;
const cBOff = (i: number): number =>
  ((((i >>> 4) & 0x100) | ((i >>> 7) & 0x18) | ((i << 1) & 0xc0) | ((i >>> 2) & 6) | ((i << 3) & 0x20)) <<
    23) >>
  23;
const f = (rdN: number, rs1N: number, rs2N: number, imm: number): Fields => ({
  rd: rdN,
  rs1: rs1N,
  rs2: rs2N,
  imm,
});

function cdef(
  name: string,
  mask: number,
  match: number,
  op: Op,
  fields: InsnDef['fields'],
  asm: string,
): void {
  entries.push({ name, mask, match, length: 2, op, fields, asm });
}
// Quadrant 0.
cdef(
  'c.addi4spn',
  0xe003,
  0x0000,
  Op.ADDI,
  (i) => {
    const u = ((i >>> 7) & 0x30) | ((i >>> 1) & 0x3c0) | ((i >>> 4) & 0x4) | ((i >>> 2) & 0x8);
    return u === 0 ? null : f(cr2p(i), 2, 0, u);
  },
  'd,s,i',
);
cdef('c.lw', 0xe003, 0x4000, Op.LW, (i) => f(cr2p(i), cr1p(i), 0, cLwOff(i)), 'd,m');
cdef('c.ld', 0xe003, 0x6000, Op.LD, (i) => f(cr2p(i), cr1p(i), 0, cLdOff(i)), 'd,m');
cdef('c.sw', 0xe003, 0xc000, Op.SW, (i) => f(0, cr1p(i), cr2p(i), cLwOff(i)), 't,m');
cdef('c.sd', 0xe003, 0xe000, Op.SD, (i) => f(0, cr1p(i), cr2p(i), cLdOff(i)), 't,m');
// Quadrant 1.
cdef('c.addi', 0xe003, 0x0001, Op.ADDI, (i) => f(crd(i), crd(i), 0, ci6(i)), 'd,i');
cdef('c.addiw', 0xe003, 0x2001, Op.ADDIW, (i) => (crd(i) === 0 ? null : f(crd(i), crd(i), 0, ci6(i))), 'd,i');
cdef('c.li', 0xe003, 0x4001, Op.ADDI, (i) => f(crd(i), 0, 0, ci6(i)), 'd,i');
cdef(
  'c.addi16sp',
  0xef83,
  0x6101,
  Op.ADDI,
  (i) => {
    const v =
      ((((i >>> 3) & 0x200) |
        ((i >>> 2) & 0x10) |
        ((i << 1) & 0x40) |
        ((i << 4) & 0x180) |
        ((i << 3) & 0x20)) <<
        22) >>
      22;
    return v === 0 ? null : f(2, 2, 0, v);
  },
  'd,i',
);
cdef('c.lui', 0xe003, 0x6001, Op.LUI, (i) => (ci6(i) === 0 ? null : f(crd(i), 0, 0, ci6(i) << 12)), 'd,x');
cdef('c.srli', 0xec03, 0x8001, Op.SRLI, (i) => f(cr1p(i), cr1p(i), 0, cu6(i)), 'd,h');
cdef('c.srai', 0xec03, 0x8401, Op.SRAI, (i) => f(cr1p(i), cr1p(i), 0, cu6(i)), 'd,h');
cdef('c.andi', 0xec03, 0x8801, Op.ANDI, (i) => f(cr1p(i), cr1p(i), 0, ci6(i)), 'd,i');
const cArith: [string, number, Op][] = [
  ['c.sub', 0x8c01, Op.SUB],
  ['c.xor', 0x8c21, Op.XOR],
  ['c.or', 0x8c41, Op.OR],
  ['c.and', 0x8c61, Op.AND],
  ['c.subw', 0x9c01, Op.SUBW],
  ['c.addw', 0x9c21, Op.ADDW],
];
for (const [n, m, op] of cArith) cdef(n, 0xfc63, m, op, (i) => f(cr1p(i), cr1p(i), cr2p(i), 0), 'd,t');
cdef('c.j', 0xe003, 0xa001, Op.JAL, (i) => f(0, 0, 0, cJOff(i)), 'o');
cdef('c.beqz', 0xe003, 0xc001, Op.BEQ, (i) => f(0, cr1p(i), 0, cBOff(i)), 's,o');
cdef('c.bnez', 0xe003, 0xe001, Op.BNE, (i) => f(0, cr1p(i), 0, cBOff(i)), 's,o');
// Quadrant 2.
cdef('c.slli', 0xe003, 0x0002, Op.SLLI, (i) => f(crd(i), crd(i), 0, cu6(i)), 'd,h');
cdef(
  'c.lwsp',
  0xe003,
  0x4002,
  Op.LW,
  (i) => {
    const off = ((i >>> 7) & 0x20) | ((i >>> 2) & 0x1c) | ((i << 4) & 0xc0);
    return crd(i) === 0 ? null : f(crd(i), 2, 0, off);
  },
  'd,m',
);
cdef(
  'c.ldsp',
  0xe003,
  0x6002,
  Op.LD,
  (i) => {
    const off = ((i >>> 7) & 0x20) | ((i >>> 2) & 0x18) | ((i << 4) & 0x1c0);
    return crd(i) === 0 ? null : f(crd(i), 2, 0, off);
  },
  'd,m',
);
cdef('c.jr', 0xf07f, 0x8002, Op.JALR, (i) => (crd(i) === 0 ? null : f(0, crd(i), 0, 0)), 's');
cdef('c.mv', 0xf003, 0x8002, Op.ADD, (i) => f(crd(i), 0, crs2(i), 0), 'd,t');
cdef('c.ebreak', 0xffff, 0x9002, Op.EBREAK, () => f(0, 0, 0, 0), '');
cdef('c.jalr', 0xf07f, 0x9002, Op.JALR, (i) => f(1, crd(i), 0, 0), 's');
cdef('c.add', 0xf003, 0x9002, Op.ADD, (i) => f(crd(i), crd(i), crs2(i), 0), 'd,t');
cdef(
  'c.swsp',
  0xe003,
  0xc002,
  Op.SW,
  (i) => f(0, 2, crs2(i), ((i >>> 7) & 0x3c) | ((i >>> 1) & 0xc0)),
  't,m',
);
cdef(
  'c.sdsp',
  0xe003,
  0xe002,
  Op.SD,
  (i) => f(0, 2, crs2(i), ((i >>> 7) & 0x38) | ((i >>> 1) & 0x1c0)),
  't,m',
);

/** Every instruction, in match order (more specific encodings first where they overlap). */
export const INSTRUCTIONS: readonly InsnDef[] = entries;

// Lookup buckets: 32-bit instructions by major opcode (bits 6:0), compressed ones by
// quadrant and funct3 (bits 1:0 and 15:13).
const buckets: InsnDef[][] = [];
const bucketOf = (insn: number): number =>
  (insn & 3) === 3 ? insn & 0x7f : 128 + ((insn & 3) | (((insn >>> 13) & 7) << 2));
for (let k = 0; k < 160; k++) buckets.push([]);
for (const e of entries) {
  if (e.length === 4) buckets[e.match & 0x7f]?.push(e);
  else buckets[bucketOf(e.match)]?.push(e);
}

/** The table entry matching `insn` (16 low bits for a compressed one), or undefined. */
export function lookup(insn: number): InsnDef | undefined {
  const u = (insn & 3) === 3 ? insn >>> 0 : insn & 0xffff;
  const list = buckets[bucketOf(u)];
  if (list === undefined) return undefined;
  for (const e of list) if ((u & e.mask) >>> 0 === e.match) return e;
  return undefined;
}

/** Entry by mnemonic (for the test encoder). */
export function byName(name: string): InsnDef | undefined {
  return entries.find((e) => e.name === name);
}

/** Decode `insn` into the slot at `base` of `arr` (registers doubled, x0 destination -> sink). */
export function decodeInto(arr: Int32Array, base: number, insn: number): void {
  const len = (insn & 3) === 3 ? 4 : 2;
  const raw = len === 4 ? insn : insn & 0xffff;
  const e = lookup(raw);
  const f = e?.fields(raw);
  if (e === undefined || f === undefined || f === null) {
    arr[base] = Op.Illegal;
    arr[base + 1] = 64;
    arr[base + 2] = arr[base + 3] = arr[base + 4] = 0;
  } else {
    arr[base] = e.op;
    arr[base + 1] = f.rd === 0 ? 64 : f.rd * 2;
    arr[base + 2] = f.rs1 * 2;
    arr[base + 3] = f.rs2 * 2;
    arr[base + 4] = f.imm;
  }
  arr[base + 5] = len;
  arr[base + 6] = raw;
  arr[base + 7] = 0; // the JIT's execution count (jit.ts)
}

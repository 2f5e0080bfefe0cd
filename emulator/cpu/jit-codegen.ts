/**
 * The JIT's code generator: turns the decoded slots of one basic block into the source of
 * a JavaScript function `(h, pc, b, m) => number` that does exactly what the interpreter
 * (exec.ts) would do for those instructions, with the operands baked in as constants.
 *
 * Contract of a generated function (relied on by exec.ts and jit.ts):
 * - `pc` is the virtual address of the block's first instruction; every pc-relative value
 *   is computed from it, so one physical block serves every virtual mapping of its page.
 * - `m` is the number of instructions it may retire (at least the block's length). A block
 *   whose last instruction branches or jumps back to its own start loops inside the
 *   function while a whole further pass fits in `m`.
 * - It returns the number of instructions retired, with `h.pc`, `h.instret` and `h.x`
 *   exact; or, when an instruction trapped (a load, store, atomic or CSR access),
 *   `~retired` (the faulting instruction did not retire and the trap was taken by the
 *   slow path with `h.pc`, `h.instret` and `h.x` exact at the fault).
 * - It leaves early after any slow-path access that set `h.attention` (a device may have
 *   raised an interrupt), and after any store to a watched page (`shared.stored`: code,
 *   reservations, data watchpoints) that set `h.attention` or dropped the block itself
 *   (`b.valid`), so the interpreter's per-instruction checks are never skipped when they
 *   could matter.
 *
 * Registers live in JavaScript locals inside the function (jit-alu.ts names them): loaded
 * from `h.x` on entry, written back on every exit, and before every call that may look at
 * `h.x` (memory slow paths, which can trap or reach a device; `shared.stored`; CSR
 * instructions), so everything outside the function always sees exact registers.
 *
 * Loads and stores also keep one-page translation caches in locals (one per access in a
 * loop, else one for loads and one for stores): the page of the last fast-path access (as
 * the exact halves of the 64-bit address) and that page's RAM offset. A hit is exactly a
 * TLB hit, because between two uses nothing can change the TLB entry or the permission
 * tables: those change only in slow paths and atomics (after which every cache is
 * cleared), and in CSR writes and traps (which end the block). A store caches only pages
 * with no watch bit; watch bits are set only outside compiled code or by an LR (an
 * atomic: the caches are cleared after it).
 */
import { Op } from './exec';
import { TLB_MASK } from './mmu';
import { fillLoop } from './jit-fill';
import { aluSource, assign, assignNum, cmpLt, hi, lo, readsRs1, readsRs2, sink, writesRd } from './jit-alu';

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

function memOp(op: Op): boolean {
  return op >= Op.LB && op <= Op.SD;
}

/** Ops a block may contain in its body (effects on registers, memory and reservations only). */
export function jitBodyOp(d: { op: Op; rs1: number; rs2: number }): boolean {
  const op = d.op;
  return (
    (op >= Op.LUI && op <= Op.AUIPC) ||
    (op >= Op.LB && op <= Op.FENCE) ||
    (op >= Op.MUL && op <= Op.REMUW) ||
    (op >= Op.LR_W && op <= Op.AMO_D) ||
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

const T32 = '4294967296';

/** What the generator knows about the block while emitting instruction `k`. */
class Gen {
  /** Registers (x-array indices) read or written anywhere, loaded on entry. */
  readonly used = new Set<number>();
  /** Registers written anywhere: written back on exit. */
  readonly written = new Set<number>();
  /** For each instruction, the registers written before it (dirty at its slow path). */
  readonly dirtyBefore: number[][] = [];
  /** The translation cache of each memory instruction, in order. */
  readonly slotOf: number[];
  /** The distinct caches. */
  readonly memSlots: number[];

  constructor(
    readonly insns: readonly JitInsn[],
    /** The block loops inside the function (its end jumps back to its start). */
    readonly loop: boolean,
  ) {
    const soFar = new Set<number>();
    for (const d of insns) {
      this.dirtyBefore.push([...soFar]);
      if (readsRs1(d.op) && d.rs1 !== 0) this.used.add(d.rs1);
      if (readsRs2(d.op) && d.rs2 !== 0) this.used.add(d.rs2);
      if (writesRd(d.op) && !sink(d.rd)) {
        this.used.add(d.rd);
        this.written.add(d.rd);
        soFar.add(d.rd);
      }
    }
    // In a loop each access keeps its own page; otherwise loads share one cache and
    // stores another (a stack frame's accesses are usually all in one page).
    const mems = insns.filter((d) => memOp(d.op));
    this.slotOf = mems.map((d, i) => (loop ? i : d.op >= Op.SB ? 1 : 0));
    this.memSlots = [...new Set(this.slotOf)];
  }

  /** Write back the registers that may differ from h.x before instruction `k` runs. */
  flushBefore(k: number): string {
    const regs = this.loop ? [...this.written] : this.dirtyBefore[k]!;
    return regs.map((r) => `x[${r}] = ${lo(r)}; x[${r + 1}] = ${hi(r)};`).join(' ');
  }

  flushAll(): string {
    return [...this.written].map((r) => `x[${r}] = ${lo(r)}; x[${r + 1}] = ${hi(r)};`).join(' ');
  }

  /** Forget every translation cache (after a slow path, which may have changed the TLB). */
  resetCaches(): string {
    if (this.memSlots.length === 0) return '';
    return this.memSlots.map((s) => `K${s}l = 1;`).join(' ');
  }
}

/** Leave the block after `n` more retired instructions, at `pc + pcOff`. */
function exit(n: number, pcOff: number): string {
  return `{ e = c + ${n}; ep = pc + ${pcOff}; break X; }`;
}

/** Make h.pc and h.instret exact at instruction `k` (at byte `ofs`) before a slow call. */
function sync(g: Gen, k: number, ofs: number): string {
  return `${g.flushBefore(k)} h.pc = pc + ${ofs}; h.instret = i0 + c + ${k};`;
}

/** The call of the interpreter's CSR instruction for `d` (Zicsr chapter 9). */
function csrCall(d: JitInsn): string {
  const imm = d.op >= Op.CSRRWI;
  const kind = d.op - (imm ? Op.CSRRWI : Op.CSRRW);
  const src = imm ? `${d.rs2 >> 1}, 0` : `${lo(d.rs1)}, ${hi(d.rs1)}`;
  const write = imm ? d.op === Op.CSRRWI || d.rs2 !== 0 : d.op === Op.CSRRW || d.rs1 !== 0;
  return `rt.csr(h, ${kind}, ${d.imm}, ${d.rd}, ${src}, ${write}, ${d.raw | 0})`;
}

/** A CSR read inside the block: it may trap (privilege) and may read instret. */
function csrRead(g: Gen, d: JitInsn, k: number, ofs: number): string {
  const reload = sink(d.rd) ? '' : ` ${lo(d.rd)} = x[${d.rd}]; ${hi(d.rd)} = x[${d.rd + 1}];`;
  return (
    `${sync(g, k, ofs)} if (!${csrCall(d)}) return ~(c + ${k});${reload}` +
    ` if (h.attention) ${exit(k + 1, ofs + d.len)}`
  );
}

function accessSize(op: Op): number {
  switch (op) {
    case Op.LB:
    case Op.LBU:
    case Op.SB:
      return 1;
    case Op.LH:
    case Op.LHU:
    case Op.SH:
      return 2;
    case Op.LD:
    case Op.SD:
      return 8;
    default:
      return 4;
  }
}

/**
 * The address of a load or store: `l`/`g`, the halves of the 64-bit sum rs1 + imm; `va`,
 * the interpreter's double (for the slow path); and the cache test.
 */
function address(d: JitInsn, slot: number, size: number): { halves: string; va: string; hit: string } {
  const { rs1, imm } = d;
  const halves =
    imm === 0
      ? `const l = ${lo(rs1)}, g = ${hi(rs1)};`
      : `const l = (${lo(rs1)} + ${imm}) | 0, g = (${hi(rs1)} + ${imm >> 31} + ((l >>> 0) < (${lo(rs1)} >>> 0) ? 1 : 0)) | 0;`;
  const va = `${hi(rs1)} * ${T32} + (${lo(rs1)} >>> 0) + ${imm}`;
  const fits = size === 1 ? '' : ` && (l & 4095) <= ${4096 - size}`;
  return { halves, va, hit: `(l & -4096) === K${slot}l && g === K${slot}h${fits}` };
}

/**
 * The TLB hit test of Hart.ldOff/stOff, inlined in int32 arithmetic: a hit sets `o` to the
 * RAM offset of the access, a miss to -1. The page number is computed from the halves
 * (exact); it equals the interpreter's, taken from the double address, whenever that is
 * exact, and a hit needs a RAM page, whose page numbers are all small.
 */
function tlbLookup(perm: 'pr' | 'pw', size: number): string {
  return (
    `const ti = (l >>> 12) & ${TLB_MASK}; o = toff[ti];` +
    ` if (ttag[ti] === g * 1048576 + (l >>> 12) && ${perm}[tflags[ti]] === 1 && (l & 4095) <= ${4096 - size} && o >= 0) o += l & 4095; else o = -1;`
  );
}

/** Remember the page of a fast-path access at RAM offset `o` in cache `slot`. */
function fill(slot: number): string {
  return `K${slot}l = l & -4096; K${slot}h = g; K${slot}o = o - (l & 4095);`;
}

function load(g: Gen, d: JitInsn, k: number, ofs: number, slot: number): string {
  const size = accessSize(d.op);
  const rd = d.rd;
  const a = address(d, slot, size);
  let fast: string;
  let fromSlow: string;
  if (size === 8) {
    fast = `if ((o & 3) === 0) { v = i32[o >> 2]; w = i32[(o >> 2) + 1]; } else { v = dv.getInt32(o, true); w = dv.getInt32(o + 4, true); }`;
    fromSlow = `v = h.tmpLo; w = h.tmpHi;`;
  } else if (size === 1) {
    fast = `v = u8[o];`;
    fromSlow = `v = h.tmpLo & 0xff;`;
  } else if (size === 2) {
    fast = `v = (o & 1) === 0 ? u16[o >> 1] : dv.getUint16(o, true);`;
    fromSlow = `v = h.tmpLo & 0xffff;`;
  } else {
    fast = `v = (o & 3) === 0 ? i32[o >> 2] : dv.getInt32(o, true);`;
    fromSlow = `v = h.tmpLo | 0;`;
  }
  let result: string;
  if (size === 8) result = assign(rd, 'v', 'w');
  else if (d.op === Op.LB) result = assign(rd, '(v << 24) >> 24', 'tl >> 31');
  else if (d.op === Op.LH) result = assign(rd, '(v << 16) >> 16', 'tl >> 31');
  else if (d.op === Op.LW) result = assign(rd, 'v', 'v >> 31');
  else result = assign(rd, 'v', '0');
  return (
    `{ ${a.halves} let v = 0, w = 0, o = -1, e2 = false;` +
    ` if (${a.hit}) o = K${slot}o + (l & 4095);` +
    ` else { ${tlbLookup('pr', size)} if (o >= 0) { ${fill(slot)} } }` +
    ` if (o >= 0) { ${fast} } else { ${sync(g, k, ofs)} if (!h.loadSlow(${a.va}, ${size})) return ~(c + ${k});` +
    ` ${fromSlow} ${g.resetCaches()} e2 = h.attention || !b.valid; }` +
    ` ${result} if (e2) ${exit(k + 1, ofs + d.len)} }`
  );
}

function store(g: Gen, d: JitInsn, k: number, ofs: number, slot: number): string {
  const rs2 = d.rs2;
  const size = accessSize(d.op);
  const a = address(d, slot, size);
  const v = lo(rs2);
  let fast: string;
  let slowArgs: string;
  if (size === 1) {
    fast = `u8[o] = ${v};`;
    slowArgs = `${v} & 0xff, 0`;
  } else if (size === 2) {
    fast = `if ((o & 1) === 0) u16[o >> 1] = ${v}; else dv.setUint16(o, ${v} & 0xffff, true);`;
    slowArgs = `${v} & 0xffff, 0`;
  } else if (size === 4) {
    fast = `if ((o & 3) === 0) i32[o >> 2] = ${v}; else dv.setInt32(o, ${v}, true);`;
    slowArgs = `${v}, 0`;
  } else {
    const w = hi(rs2);
    fast =
      `if ((o & 3) === 0) { i32[o >> 2] = ${v}; i32[(o >> 2) + 1] = ${w}; }` +
      ` else { dv.setInt32(o, ${v}, true); dv.setInt32(o + 4, ${w}, true); }`;
    slowArgs = `${v}, ${w}`;
  }
  const leave = `${g.resetCaches()} if (h.attention || !b.valid) ${exit(k + 1, ofs + d.len)}`;
  // `o` stays -1 after the slow path, which has done the store itself; `w`: the page is
  // watched, so shared.stored must hear of the store.
  return (
    `{ ${a.halves} let o = -1, w = false;` +
    ` if (${a.hit}) o = K${slot}o + (l & 4095);` +
    ` else { ${tlbLookup('pw', size)}` +
    ` if (o < 0) { ${sync(g, k, ofs)} if (!h.storeSlow(${a.va}, ${size}, ${slowArgs})) return ~(c + ${k}); ${leave} }` +
    ` else if (watch[o >>> 12] === 0) { ${fill(slot)} } else w = true; }` +
    ` if (o >= 0) { ${fast} if (w) { ${sync(g, k, ofs)} shared.stored(h.id, o, ${size}); ${leave} } } }`
  );
}

/**
 * An LR/SC/AMO: the interpreter's own (atomic.ts), which reads and writes h.x. A reservation
 * it takes may set a watch bit, and its store may reach a device: the caches are cleared,
 * and the block leaves when the run loop must look.
 */
function atomicOp(g: Gen, d: JitInsn, k: number, ofs: number): string {
  const reload = sink(d.rd) ? '' : ` ${lo(d.rd)} = x[${d.rd}]; ${hi(d.rd)} = x[${d.rd + 1}];`;
  return (
    `${sync(g, k, ofs)} if (!rt.atomic(h, ${d.op}, ${d.rd}, ${d.rs1}, ${d.rs2}, ${d.imm}, ${d.raw | 0})) return ~(c + ${k});` +
    `${reload} ${g.resetCaches()} if (h.attention || !b.valid) ${exit(k + 1, ofs + d.len)}`
  );
}

/** The body of one non-ending instruction `k` at byte offset `ofs` in the block. */
function body(g: Gen, d: JitInsn, k: number, ofs: number, slot: number): string {
  switch (d.op) {
    case Op.LB:
    case Op.LBU:
    case Op.LH:
    case Op.LHU:
    case Op.LW:
    case Op.LWU:
    case Op.LD:
      return load(g, d, k, ofs, slot);
    case Op.SB:
    case Op.SH:
    case Op.SW:
    case Op.SD:
      return store(g, d, k, ofs, slot);
    case Op.FENCE:
      return '';
    case Op.LR_W:
    case Op.SC_W:
    case Op.LR_D:
    case Op.SC_D:
    case Op.AMO_W:
    case Op.AMO_D:
      return atomicOp(g, d, k, ofs);
    case Op.CSRRW:
    case Op.CSRRS:
    case Op.CSRRC:
    case Op.CSRRWI:
    case Op.CSRRSI:
    case Op.CSRRCI:
      return csrRead(g, d, k, ofs);
    default:
      return aluSource(d, ofs);
  }
}

/** The condition under which the ending branch `d` is taken. */
function taken(d: JitInsn): string {
  const { rs1, rs2 } = d;
  switch (d.op) {
    case Op.BEQ:
      return `${lo(rs1)} === ${lo(rs2)} && ${hi(rs1)} === ${hi(rs2)}`;
    case Op.BNE:
      return `${lo(rs1)} !== ${lo(rs2)} || ${hi(rs1)} !== ${hi(rs2)}`;
    case Op.BLT:
      return cmpLt(rs1, rs2, false);
    case Op.BGE:
      return `!${cmpLt(rs1, rs2, false)}`;
    case Op.BLTU:
      return cmpLt(rs1, rs2, true);
    default:
      return `!${cmpLt(rs1, rs2, true)}`;
  }
}

/** The ending control transfer at byte `ofs`; `n` = the block's length. */
function ending(d: JitInsn, ofs: number, n: number, loop: boolean): string {
  const nofs = ofs + d.len;
  const tgt = ofs + d.imm;
  const again = `c += ${n}; if (c + ${n} <= m) continue; e = c; ep = pc; break X;`;
  switch (d.op) {
    case Op.JAL: {
      const link = assignNum(d.rd, `pc + ${nofs}`);
      return loop ? `${link} ${again}` : `${link} e = ${n}; ep = pc + ${tgt};`;
    }
    case Op.JALR:
      // The target is read before the link is written (rd may be rs1).
      return (
        `{ const a = ${hi(d.rs1)} * ${T32} + (${lo(d.rs1)} >>> 0) + ${d.imm}; ${assignNum(d.rd, `pc + ${nofs}`)}` +
        ` e = ${n}; ep = a - (a & 1); }`
      );
    default:
      if (loop) return `if (${taken(d)}) { ${again} } e = c + ${n}; ep = pc + ${nofs}; break X;`;
      return `e = ${n}; ep = pc + ((${taken(d)}) ? ${tgt} : ${nofs});`;
  }
}

/** Source of the function body for a block (see the contract above). */
export function generateBlock(insns: readonly JitInsn[]): string {
  const n = insns.length;
  const last = insns[n - 1]!;
  const ends = jitEndOp(last);
  let endOfs = 0;
  for (let k = 0; k < n - 1; k++) endOfs += insns[k]!.len;
  const loop =
    ends && (last.op === Op.JAL || (last.op >= Op.BEQ && last.op <= Op.BGEU)) && endOfs + last.imm === 0;
  const g = new Gen(insns, loop);

  const parts: string[] = [];
  let ofs = 0;
  let mem = 0;
  for (let k = 0; k < (ends ? n - 1 : n); k++) {
    const d = insns[k]!;
    parts.push(body(g, d, k, ofs, memOp(d.op) ? g.slotOf[mem++]! : -1));
    ofs += d.len;
  }
  let tail: string;
  if (!ends) tail = `e = ${n}; ep = pc + ${ofs};`;
  else if (csrOp(last.op)) {
    // A CSR write ends the block. Counting it with ++ keeps the interpreter's order: a
    // write to minstret has already taken one off for itself (csr.ts). It leaves directly:
    // the registers were written back before the call, and it wrote rd in h.x itself.
    const k = n - 1;
    tail =
      `${sync(g, k, ofs)} if (!${csrCall(last)}) return ~${k};` +
      ` h.pc = pc + ${ofs + last.len}; h.instret++; return ${n};`;
  } else tail = ending(last, ofs, n, loop);

  const regs = [...g.used].map((r) => `${lo(r)} = x[${r}], ${hi(r)} = x[${r + 1}]`);
  const caches = g.memSlots.map((s) => `K${s}l = 1, K${s}h = 0, K${s}o = 0`);
  const locals = [...regs, ...caches, loop ? 'c = 0' : '', 'e = 0', 'ep = 0'].filter((s) => s !== '');
  // The RAM views and watch bytes the accesses use.
  const views = new Set<string>();
  for (const d of insns) {
    if (!memOp(d.op)) continue;
    const size = accessSize(d.op);
    if (size === 1) views.add('u8 = h.ram.u8');
    else views.add(size === 2 ? 'u16 = h.ram.u16' : 'i32 = h.ram.i32').add('dv = h.ram.dv');
    if (d.op >= Op.SB) views.add('shared = h.shared').add('watch = h.shared.watch').add('pw = h.permW');
    else views.add('pr = h.permR');
  }
  if (views.size > 0) views.add('t = h.dtlb, ttag = t.tag, tflags = t.flags, toff = t.off');
  const head =
    `const x = h.x, i0 = h.instret;${loop ? '' : ' const c = 0;'} let ${locals.join(', ')};` +
    (views.size > 0 ? ` const ${[...views].join(', ')};` : '');
  const code = loop
    ? `X: for (;;) {\n${fillLoop(insns)}\n${parts.join('\n')}\n${tail}\n}`
    : `X: {\n${parts.join('\n')}\n${tail}\n}`;
  return `${head}\n${code}\n${g.flushAll()}\nh.pc = ep; h.instret = i0 + e; return e;`;
}

/**
 * The basic-block JIT tier: finding a block, compiling it once, and the compiled-block
 * records the run loop (exec.ts) enters. The interpreter stays the reference: a block is
 * only ever a faster way to do exactly what the interpreter would (see jit-codegen.ts for
 * the contract of a compiled function).
 *
 * A block starts where the interpreter has executed an instruction JIT_THRESHOLD
 * (shared.ts) times. It
 * is keyed by physical address (RAM page and halfword in it), covers straight-line
 * instructions within that one page, and ends after a branch, a jump or a CSR write, before
 * anything the interpreter must do itself (system, fence.i, sfence.vma, illegal encodings),
 * before a 32-bit instruction straddling the page end, or after JIT_MAX_LEN instructions.
 * Stores over a block's bytes (from any hart, DMA or the debugger), fence.i and snapshot
 * restore drop it (shared.ts). Identical code compiles once: functions are cached by their
 * instruction bits, so a user program loaded again at another physical address reuses them.
 */
import { div, divw, mul, mulh, sar, shl, shr } from './alu';
import { generateBlock, jitBodyOp, jitEndOp, type JitInsn } from './jit-codegen';
import { decodeInto } from './table';
import { csrInstruction } from './csr';
import { atomic } from './atomic';
import type { Hart } from './hart';
import { TLB_MASK } from './mmu';
import type { BreakpointSet } from './shared';

const PAGE_INV = 1 / 4096;

/** Longest block, in instructions. */
export const JIT_MAX_LEN = 64;

/** A compiled function (see jit-codegen.ts): retired count, or ~retired after a trap. */
export type BlockFn = (h: Hart, pc: number, b: JitBlock, m: number) => number;

export class JitBlock {
  /** Cleared when a store, fence.i or restore drops the block. */
  valid = true;
  constructor(
    readonly fn: BlockFn,
    /** Instructions in one pass. */
    readonly len: number,
    /** Halfword range of the block in its page: [startHw, endHw). */
    readonly startHw: number,
    readonly endHw: number,
    /** Byte offset of each instruction from the block's start (breakpoint checks). */
    readonly offsets: Int32Array,
  ) {}

  /**
   * Some breakpoint is at the page offset of one of the block's instructions (in some page):
   * only then can it hit one (CpuShared keeps this up to date).
   */
  mayHit = false;

  /** Whether a breakpoint is at any of the block's page offsets (`perOffset`: BreakpointSet's). */
  atOffsets(perOffset: Uint16Array): boolean {
    for (let k = 0; k < this.offsets.length; k++) {
      if (perOffset[(this.startHw + (this.offsets[k]! >> 1)) & 2047]! > 0) return true;
    }
    return false;
  }

  /** The last answer of hitsBreakpoint: for this set generation and virtual pc. */
  private bpGeneration = -1;
  private bpPc = -1;
  private bpHit = false;

  /** True when some breakpoint is on one of the block's instructions at virtual `pc`. */
  hitsBreakpoint(bps: BreakpointSet, pc: number): boolean {
    if (this.bpGeneration === bps.generation && this.bpPc === pc) return this.bpHit;
    let hit = false;
    if (bps.onPage(pc)) {
      for (let k = 0; k < this.offsets.length && !hit; k++) hit = bps.has(pc + this.offsets[k]!);
    }
    this.bpGeneration = bps.generation;
    this.bpPc = pc;
    this.bpHit = hit;
    return hit;
  }
}

/** The helpers generated code calls (the interpreter's own, so results are identical). */
const runtime = { shl, shr, sar, mul, mulh, div, divw, csr: csrInstruction, atomic };

/**
 * Compiled functions by the instruction bits of their block (the generated source is a
 * function of those bits alone): a short key, and no source generated on a hit.
 */
const cache = new Map<string, BlockFn>();

function functionFor(insns: readonly JitInsn[]): BlockFn {
  const key = insns.map((d) => d.raw).join(',');
  let fn = cache.get(key);
  if (fn === undefined) {
    const src = generateBlock(insns);
    // The parentheses make V8 compile the inner function with the factory (it is called
    // at once), instead of pre-parsing it now and parsing it again on its first call.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the JIT: source built by jit-codegen.ts from decoded fields only
    const factory = new Function('rt', `return (function block(h, pc, b, m) {\n${src}\n});`) as (
      rt: typeof runtime,
    ) => BlockFn;
    fn = factory(runtime);
    cache.set(key, fn);
  }
  return fn;
}

/** Distinct compiled functions so far (all machines), for statistics. */
export function jitFunctionCount(): number {
  return cache.size;
}

/**
 * Make the page of `pc` the hart's fetch page when its translation is already in the
 * instruction TLB and it is RAM: what Hart.enterPage does on a TLB hit, which has no side
 * effect. False when the interpreter must translate (a miss may walk, set A bits, fault).
 */
function enterMappedPage(h: Hart, pc: number): boolean {
  const vpn = Math.floor(pc * PAGE_INV);
  const t = h.itlb;
  const i = vpn & TLB_MASK;
  const o = t.off[i]!;
  if (t.tag[i] !== vpn || h.permX[t.flags[i]!] !== 1 || o < 0) return false;
  const page = o >>> 12;
  h.code = h.shared.codePage(page);
  h.jitBlocks = h.shared.blockPage(page);
  h.codeOff = page * 4096;
  h.fetchBase = vpn * 4096;
  return true;
}

/**
 * Run compiled blocks back to back from `b` at virtual `pc`, within `max` steps, while the
 * next pc is in a page the instruction TLB maps and has a block that fits and holds no
 * breakpoint of `bps` (looked up only for blocks whose `mayHit` says one may be there),
 * and nothing asked for attention. Returns
 * the instructions retired, or `~retired` when the last one run trapped (a trap uses one
 * step of the budget, as in the interpreter).
 */
export function runBlocks(h: Hart, b: JitBlock, pc: number, max: number, bps: BreakpointSet): number {
  let used = 0;
  for (;;) {
    const r = b.fn(h, pc, b, max - used);
    if (r < 0) return ~(used + ~r);
    used += r;
    if (h.attention) return used;
    pc = h.pc;
    let off = pc - h.fetchBase;
    if (!(off >= 0 && off < 4096)) {
      if (!enterMappedPage(h, pc)) return used;
      off = pc - h.fetchBase;
    }
    const next = h.jitBlocks[off >> 1];
    if (next === undefined || next.len > max - used || (next.mayHit && next.hitsBreakpoint(bps, pc))) {
      return used;
    }
    b = next;
  }
}

const scratch = new Int32Array(8);

/**
 * Compile the block starting at byte `off` of the hart's current fetch page (RAM offset
 * `h.codeOff`) and register it with the shared state. Returns undefined when no block can
 * start there (its first instruction is one the interpreter must execute).
 */
export function compileBlock(h: Hart, off: number): JitBlock | undefined {
  const u16 = h.ram.u16;
  const insns: JitInsn[] = [];
  const offsets: number[] = [];
  let o = off;
  while (insns.length < JIT_MAX_LEN && o < 4096) {
    let raw = u16[(h.codeOff + o) >> 1]!;
    if ((raw & 3) === 3) {
      if (o + 4 > 4096) break; // straddles the page end: the interpreter fetches it
      raw |= u16[((h.codeOff + o) >> 1) + 1]! << 16;
    }
    decodeInto(scratch, 0, raw);
    const d: JitInsn = {
      op: scratch[0]!,
      rd: scratch[1]!,
      rs1: scratch[2]!,
      rs2: scratch[3]!,
      imm: scratch[4]!,
      len: scratch[5]!,
      raw: scratch[6]!,
    };
    const end = jitEndOp(d);
    if (!end && !jitBodyOp(d)) break;
    insns.push(d);
    offsets.push(o - off);
    o += scratch[5]!;
    if (end) break;
  }
  if (insns.length === 0) return undefined;
  const fn = functionFor(insns);
  const b = new JitBlock(fn, insns.length, off >> 1, o >> 1, Int32Array.from(offsets));
  h.shared.addBlock(h.codeOff >>> 12, b);
  return b;
}

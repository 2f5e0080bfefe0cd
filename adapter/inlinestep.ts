/**
 * Inlined calls for the line stepper (linestep.ts) and the call stack (stack.ts), with
 * gdb's semantics. A frame of the stack is one function instance at a depth of the pc's
 * inline chain (DWARF 5 section 3.3.8: the subprogram, then the DW_TAG_inlined_subroutine
 * instances nested at the pc); the line of a frame that is not the innermost is the
 * call site of the instance inside it. So a pc inside `r_sepc` inlined into `usertrap`
 * is on `usertrap`'s calling line as far as `usertrap`'s frame is concerned:
 * - `next` goes on while that line stays the same, and stops when the line of the
 *   stepping frame's own depth changes (at the call site of a new inlined call, with the
 *   inlined frames hidden) or the frame's instance ends;
 * - `stepIn` on a line that calls an inlined function stops inside it (one level deeper);
 * - `stepOut` of an inlined frame runs until the pc leaves that instance.
 * Where a stop is at the first instruction of an inlined call, the inlined frames are
 * hidden and the caller shows the call-site line (gdb's skip_inline_frames).
 */
import type { FunctionInfo, Symbols } from './symbols';

/** The stepping frame: an inline chain (outermost first) and the depth of the frame in it. */
export interface InlineFrame {
  chain: FunctionInfo[];
  depth: number;
  /** The frame's current line (`file:line`), undefined without line information. */
  line: string | undefined;
}

export type Verdict =
  /** Stop; `hide` innermost inlined frames are left out of the stack at the stop. */
  | { stop: true; hide: number }
  | { stop: false }
  /** Not in the stepping frame's function: the caller decides by stack pointer. */
  | { other: true };

const GO: Verdict = { stop: false };

export function sameInstance(a: FunctionInfo | undefined, b: FunctionInfo | undefined): boolean {
  if (!a || !b) return false;
  return a.die || b.die ? a.die === b.die : a.name === b.name && a.low === b.low;
}

/** The line of the frame at `depth` of `chain` at `pc`: its own row, or its inlined callee's call site. */
export function lineKeyAt(
  syms: Symbols | undefined,
  pc: number,
  chain: readonly FunctionInfo[],
  depth: number,
): string | undefined {
  const inner = chain[depth + 1];
  if (inner) return inner.callFile && inner.callLine ? `${inner.callFile}:${inner.callLine}` : undefined;
  const l = syms?.lineAt(pc);
  return l ? `${l.file}:${l.line}` : undefined;
}

/** The stepping frame at `pc` with `hide` innermost inlined frames hidden. */
export function frameAt(syms: Symbols | undefined, pc: number, hide: number): InlineFrame {
  const chain = syms?.inlineChainAt(pc) ?? [];
  const depth = Math.max(0, chain.length - 1 - Math.max(0, hide));
  return { chain, depth, line: lineKeyAt(syms, pc, chain, depth) };
}

/**
 * How many innermost inlined instances start at `pc` (at the low end of their range
 * containing it): frames a stop at `pc` hides, since their call has not begun yet.
 */
export function inlinedCallsStartingAt(syms: Symbols | undefined, pc: number): number {
  const chain = syms?.inlineChainAt(pc) ?? [];
  let n = 0;
  for (let i = chain.length - 1; i > 0 && chain[i]!.inlined && chain[i]!.low === pc; i--) n++;
  return n;
}

function commonDepth(a: readonly FunctionInfo[], b: readonly FunctionInfo[], max: number): number {
  let k = 0;
  while (k < max && sameInstance(a[k], b[k])) k++;
  return k;
}

/**
 * The stepper's decision at `pc` (a new instruction of a line step), for the stepping
 * frame `f` (updated in place when its inlined instance ends and its caller becomes the
 * stepping frame). `rowStart`: `pc` is the first address of its line-table row.
 */
export function inlineVerdict(
  syms: Symbols | undefined,
  pc: number,
  f: InlineFrame,
  mode: 'over' | 'in' | 'outInline',
  rowStart: boolean,
): Verdict {
  const chain = syms?.inlineChainAt(pc) ?? [];
  if (!sameInstance(chain[0], f.chain[0])) return { other: true };
  const inner = chain.length - 1;
  const k = commonDepth(chain, f.chain, f.depth + 1);
  if (k <= f.depth) {
    // The stepping frame's instance ended: its caller (depth k - 1) goes on mid-line.
    const callLine = lineKeyAt(syms, pc, f.chain, k - 1);
    const line = lineKeyAt(syms, pc, chain, k - 1);
    if (mode === 'outInline') return { stop: true, hide: inner - (k - 1) };
    if (line !== callLine && (inner > k - 1 || rowStart)) return { stop: true, hide: inner - (k - 1) };
    f.chain = chain;
    f.depth = k - 1;
    f.line = callLine;
    return GO;
  }
  if (mode === 'outInline') return GO;
  const line = lineKeyAt(syms, pc, chain, f.depth);
  if (line !== f.line) {
    // A new line of the stepping frame: at a row start, or where an inlined call on it begins.
    if (inner > f.depth) return { stop: true, hide: inner - f.depth };
    return rowStart ? { stop: true, hide: 0 } : GO;
  }
  // Still the calling line; stepIn stops one level into an inlined call made from it.
  if (mode === 'in' && inner > f.depth) return { stop: true, hide: inner - f.depth - 1 };
  return GO;
}

/**
 * DWARF expression evaluator (DWARF 5 section 2.5 "DWARF Expressions" and 2.6
 * "Location Descriptions"): a stack machine of 64-bit values that yields where a
 * variable lives (memory, a register, an implicit value, or pieces of those). Values
 * are bigint: this runs when the user looks at a variable, not per instruction.
 * Anything the evaluator cannot know (DW_OP_entry_value, a missing register) yields
 * an "optimized out" location rather than a wrong answer.
 */
import { DwarfError, Reader } from './reader';

export interface EvalContext {
  /** DWARF register n (RISC-V: 0-31 x registers, 32-63 f registers); undefined if unknown. */
  readReg(n: number): bigint | undefined;
  readMemory(addr: number, len: number): Uint8Array | undefined;
  /** The value of the enclosing function's DW_AT_frame_base (for DW_OP_fbreg). */
  frameBase?: bigint;
  /** The canonical frame address of the frame (for DW_OP_call_frame_cfa). */
  cfa?: bigint;
  /** Resolves DW_OP_addrx/constx indices through the unit's .debug_addr table. */
  indexedAddress?: (index: number) => number;
}

export type Location =
  | { kind: 'memory'; address: bigint }
  | { kind: 'register'; reg: number }
  | { kind: 'value'; value: bigint }
  | { kind: 'implicit'; bytes: Uint8Array }
  | { kind: 'pieces'; pieces: { location: Location; size: number }[] }
  | { kind: 'optimized'; reason: string };

const MASK = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & MASK;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** The operations, named as in DWARF 5 section 7.7.1. */
export const OP = {
  addr: 0x03,
  deref: 0x06,
  const1u: 0x08,
  const1s: 0x09,
  const2u: 0x0a,
  const2s: 0x0b,
  const4u: 0x0c,
  const4s: 0x0d,
  const8u: 0x0e,
  const8s: 0x0f,
  constu: 0x10,
  consts: 0x11,
  dup: 0x12,
  drop: 0x13,
  over: 0x14,
  pick: 0x15,
  swap: 0x16,
  rot: 0x17,
  abs: 0x19,
  and: 0x1a,
  div: 0x1b,
  minus: 0x1c,
  mod: 0x1d,
  mul: 0x1e,
  neg: 0x1f,
  not: 0x20,
  or: 0x21,
  plus: 0x22,
  plus_uconst: 0x23,
  shl: 0x24,
  shr: 0x25,
  shra: 0x26,
  xor: 0x27,
  bra: 0x28,
  eq: 0x29,
  ge: 0x2a,
  gt: 0x2b,
  le: 0x2c,
  lt: 0x2d,
  ne: 0x2e,
  skip: 0x2f,
  lit0: 0x30,
  reg0: 0x50,
  breg0: 0x70,
  regx: 0x90,
  fbreg: 0x91,
  bregx: 0x92,
  piece: 0x93,
  deref_size: 0x94,
  nop: 0x96,
  call_frame_cfa: 0x9c,
  bit_piece: 0x9d,
  implicit_value: 0x9e,
  stack_value: 0x9f,
  implicit_pointer: 0xa0,
  addrx: 0xa1,
  constx: 0xa2,
  entry_value: 0xa3,
  GNU_implicit_pointer: 0xf2,
  GNU_entry_value: 0xf3,
  GNU_parameter_ref: 0xfa,
  GNU_addr_index: 0xfb,
  GNU_const_index: 0xfc,
} as const;

const MAX_STEPS = 10_000;

function optimized(reason: string): Location {
  return { kind: 'optimized', reason };
}

/**
 * Evaluate `expr` as a location description. `initial` values are pushed first (CFI
 * expressions start with the CFA on the stack). Malformed expressions throw DwarfError.
 */
export function evaluate(expr: Uint8Array, ctx: EvalContext, addrSize = 8, initial: bigint[] = []): Location {
  const r = new Reader(expr, 0, 'DWARF expression');
  const stack: bigint[] = [...initial];
  const pieces: { location: Location; size: number }[] = [];
  let pending: Location | undefined; // a register/implicit location awaiting DW_OP_piece or the end
  let steps = 0;

  const pop = (): bigint => {
    const v = stack.pop();
    if (v === undefined) throw new DwarfError('DWARF expression: stack underflow');
    return v;
  };
  const reg = (n: number): bigint | undefined => ctx.readReg(n);
  const readMem = (addr: bigint, size: number): bigint | undefined => {
    const bytes = ctx.readMemory(Number(addr), size);
    if (!bytes || bytes.length < size) return undefined;
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
    return v;
  };
  const current = (): Location => {
    if (pending) return pending;
    if (stack.length === 0) return optimized('empty location');
    return { kind: 'memory', address: u64(stack[stack.length - 1]!) };
  };

  while (r.pos < expr.length) {
    if (++steps > MAX_STEPS) throw new DwarfError('DWARF expression: too many steps (a loop?)');
    const op = r.u8();
    if (op >= OP.lit0 && op < OP.lit0 + 32) {
      stack.push(BigInt(op - OP.lit0));
      continue;
    }
    if (op >= OP.reg0 && op < OP.reg0 + 32) {
      pending = { kind: 'register', reg: op - OP.reg0 };
      continue;
    }
    if (op >= OP.breg0 && op < OP.breg0 + 32) {
      const v = reg(op - OP.breg0);
      const off = r.slebBig();
      if (v === undefined) return optimized(`register ${op - OP.breg0} is not available`);
      stack.push(u64(v + off));
      continue;
    }
    switch (op) {
      case OP.addr:
        stack.push(BigInt(r.addr(addrSize)));
        break;
      case OP.addrx:
      case OP.constx:
      case OP.GNU_addr_index:
      case OP.GNU_const_index: {
        const index = r.uleb();
        if (!ctx.indexedAddress) return optimized('no address table');
        stack.push(BigInt(ctx.indexedAddress(index)));
        break;
      }
      case OP.deref:
      case OP.deref_size: {
        const size = op === OP.deref ? addrSize : r.u8();
        const v = readMem(pop(), size);
        if (v === undefined) return optimized('memory is not readable');
        stack.push(v);
        break;
      }
      case OP.const1u:
        stack.push(BigInt(r.u8()));
        break;
      case OP.const1s:
        stack.push(u64(BigInt(r.i8())));
        break;
      case OP.const2u:
        stack.push(BigInt(r.u16()));
        break;
      case OP.const2s:
        stack.push(u64(BigInt(r.i16())));
        break;
      case OP.const4u:
        stack.push(BigInt(r.u32()));
        break;
      case OP.const4s:
        stack.push(u64(BigInt(r.i32())));
        break;
      case OP.const8u:
        stack.push(r.u64big());
        break;
      case OP.const8s:
        stack.push(u64(r.i64big()));
        break;
      case OP.constu:
        stack.push(u64(r.ulebBig()));
        break;
      case OP.consts:
        stack.push(u64(r.slebBig()));
        break;
      case OP.dup:
        stack.push(peek(stack, 0));
        break;
      case OP.drop:
        pop();
        break;
      case OP.over:
        stack.push(peek(stack, 1));
        break;
      case OP.pick:
        stack.push(peek(stack, r.u8()));
        break;
      case OP.swap: {
        const a = pop();
        const b = pop();
        stack.push(a, b);
        break;
      }
      case OP.rot: {
        const a = pop();
        const b = pop();
        const c = pop();
        stack.push(a, c, b);
        break;
      }
      case OP.abs: {
        const a = s64(pop());
        stack.push(u64(a < 0n ? -a : a));
        break;
      }
      case OP.neg:
        stack.push(u64(-pop()));
        break;
      case OP.not:
        stack.push(u64(~pop()));
        break;
      case OP.plus_uconst:
        stack.push(u64(pop() + r.ulebBig()));
        break;
      case OP.and:
      case OP.div:
      case OP.minus:
      case OP.mod:
      case OP.mul:
      case OP.or:
      case OP.plus:
      case OP.shl:
      case OP.shr:
      case OP.shra:
      case OP.xor:
      case OP.eq:
      case OP.ge:
      case OP.gt:
      case OP.le:
      case OP.lt:
      case OP.ne: {
        const b = pop();
        const a = pop();
        stack.push(binary(op, a, b));
        break;
      }
      case OP.skip: {
        const off = r.i16();
        r.seek(r.pos + off);
        break;
      }
      case OP.bra: {
        const off = r.i16();
        if (pop() !== 0n) r.seek(r.pos + off);
        break;
      }
      case OP.regx:
        pending = { kind: 'register', reg: r.uleb() };
        break;
      case OP.fbreg: {
        const off = r.slebBig();
        if (ctx.frameBase === undefined) return optimized('no frame base');
        stack.push(u64(ctx.frameBase + off));
        break;
      }
      case OP.bregx: {
        const n = r.uleb();
        const off = r.slebBig();
        const v = reg(n);
        if (v === undefined) return optimized(`register ${n} is not available`);
        stack.push(u64(v + off));
        break;
      }
      case OP.call_frame_cfa:
        if (ctx.cfa === undefined) return optimized('no call frame information');
        stack.push(ctx.cfa);
        break;
      case OP.implicit_value:
        pending = { kind: 'implicit', bytes: r.bytes(r.uleb()) };
        break;
      case OP.stack_value:
        pending = { kind: 'value', value: pop() };
        break;
      case OP.piece:
      case OP.bit_piece: {
        const size = r.uleb();
        if (op === OP.bit_piece) r.uleb();
        const loc =
          pending ??
          (stack.length > 0
            ? { kind: 'memory' as const, address: u64(pop()) }
            : optimized('piece optimized out'));
        pieces.push({ location: loc, size: op === OP.bit_piece ? Math.ceil(size / 8) : size });
        pending = undefined;
        break;
      }
      case OP.nop:
        break;
      case OP.entry_value:
      case OP.GNU_entry_value:
        // The value a register had on entry: unknowable without the caller's frame.
        return optimized('value at function entry is not known');
      case OP.implicit_pointer:
      case OP.GNU_implicit_pointer:
      case OP.GNU_parameter_ref:
        return optimized('implicit pointer');
      default:
        throw new DwarfError(`DWARF expression: unsupported operation 0x${op.toString(16)}`);
    }
  }
  if (pieces.length > 0) return { kind: 'pieces', pieces };
  return current();
}

function peek(stack: bigint[], depth: number): bigint {
  const v = stack[stack.length - 1 - depth];
  if (v === undefined) throw new DwarfError('DWARF expression: stack underflow');
  return v;
}

function binary(op: number, a: bigint, b: bigint): bigint {
  switch (op) {
    case OP.and:
      return a & b;
    case OP.or:
      return a | b;
    case OP.xor:
      return a ^ b;
    case OP.plus:
      return u64(a + b);
    case OP.minus:
      return u64(a - b);
    case OP.mul:
      return u64(a * b);
    case OP.div:
      if (b === 0n) throw new DwarfError('DWARF expression: division by zero');
      return u64(s64(a) / s64(b));
    case OP.mod:
      if (b === 0n) throw new DwarfError('DWARF expression: division by zero');
      return u64(a % b);
    case OP.shl:
      return b >= 64n ? 0n : u64(a << b);
    case OP.shr:
      return b >= 64n ? 0n : a >> b;
    case OP.shra:
      return u64(s64(a) >> (b >= 64n ? 63n : b));
    case OP.eq:
      return s64(a) === s64(b) ? 1n : 0n;
    case OP.ne:
      return s64(a) !== s64(b) ? 1n : 0n;
    case OP.ge:
      return s64(a) >= s64(b) ? 1n : 0n;
    case OP.gt:
      return s64(a) > s64(b) ? 1n : 0n;
    case OP.le:
      return s64(a) <= s64(b) ? 1n : 0n;
    default:
      return s64(a) < s64(b) ? 1n : 0n;
  }
}

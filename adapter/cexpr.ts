/**
 * C expressions over the program's DWARF types, for watch, hover, the debug console and
 * breakpoint conditions: identifiers (the context resolves locals, then globals), member
 * access `.` and `->`, unary `* & - ~ !`, subscripts, casts to known types
 * (`(struct proc *)0x80001234`), `sizeof`, the binary operators of C from `*` down to
 * `||` with C's precedence (C11 6.5), integer and character literals, and `$a0`, `$sp`,
 * `$scause`-style registers and CSRs. Pointer arithmetic scales by the target's size.
 * A value keeps where it lives (memory address or register), so `&x` and assignment
 * work. Every problem is a one-line `ExprError` ("no symbol "foo" in current context").
 */
import { sizeOf, strip, type Type } from './symbols';
import {
  BASE_NAMES,
  ExprError,
  INT,
  ULONG,
  LONG,
  arithType,
  binaryOp,
  cast,
  isPointerLike,
  makeValue,
  memberOf,
  pointee,
  scalarOf,
  type Value,
} from './cvalues';

export { ExprError, LONG, ULONG, INT, makeValue, scalarOf, type Value } from './cvalues';

export interface ExprContext {
  /** A variable by name (locals first, then globals), or undefined. */
  lookup(name: string): Value | undefined;
  /** `$name`: a register or CSR, or undefined. */
  register(name: string): bigint | undefined;
  read(addr: number, len: number): Uint8Array | undefined;
  typeByName(name: string): Type | undefined;
}

// ---- tokens ----------------------------------------------------------------------------

type Tok =
  { k: 'num'; v: bigint; unsigned: boolean } | { k: 'id'; v: string } | { k: 'op'; v: string } | { k: 'end' };

const OPS = [
  '->',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '&',
  '|',
  '^',
  '!',
  '~',
  '(',
  ')',
  '[',
  ']',
  '.',
  '?',
  ':',
  ',',
];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uUlL]*)/.exec(src.slice(i));
    if (num) {
      const text = num[1]!;
      const v = /^0[0-7]+$/.test(text) ? BigInt('0o' + text.slice(1)) : BigInt(text);
      out.push({ k: 'num', v, unsigned: /u/i.test(num[2]!) });
      i += num[0].length;
      continue;
    }
    const ch = /^'(\\?.)'/.exec(src.slice(i));
    if (ch) {
      const esc: Record<string, number> = { '\\n': 10, '\\t': 9, '\\0': 0, "\\'": 39, '\\\\': 92 };
      out.push({ k: 'num', v: BigInt(esc[ch[1]!] ?? ch[1]!.charCodeAt(ch[1]!.length - 1)), unsigned: false });
      i += ch[0].length;
      continue;
    }
    const id = /^\$?[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected '${c}' at column ${i + 1}`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  out.push({ k: 'end' });
  return out;
}

// ---- parser + evaluator --------------------------------------------------------------------

const BINARY: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6,
  '!=': 6,
  '<': 7,
  '>': 7,
  '<=': 7,
  '>=': 7,
  '<<': 8,
  '>>': 8,
  '+': 9,
  '-': 9,
  '*': 10,
  '/': 10,
  '%': 10,
};

/** Parses and evaluates in one pass (no side effects, so evaluation order is free). */
class Evaluator {
  private pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly ctx: ExprContext,
  ) {}

  private peek(): Tok {
    return this.toks[this.pos]!;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new ExprError(`expected '${v}'`);
    this.pos++;
  }

  run(): Value {
    const v = this.conditional();
    if (this.peek().k !== 'end') throw new ExprError(`unexpected ${describeTok(this.peek())}`);
    return v;
  }

  private conditional(): Value {
    const c = this.binary(1);
    if (!this.isOp('?')) return c;
    this.pos++;
    const a = this.conditional();
    this.expect(':');
    const b = this.conditional();
    return scalarOf(c) !== 0n ? a : b;
  }

  private binary(minPrec: number): Value {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t.k === 'op' ? BINARY[t.v] : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.pos++;
      const right = this.binary(prec + 1);
      left = binaryOp((t as { v: string }).v, left, right);
    }
  }

  /** A type name at the current position (for casts and sizeof), or undefined. */
  private typeName(): Type | undefined {
    const save = this.pos;
    const words: string[] = [];
    while (this.peek().k === 'id') {
      words.push((this.peek() as { v: string }).v);
      this.pos++;
      if (
        !['struct', 'union', 'enum', 'unsigned', 'signed', 'long', 'const', 'volatile'].includes(
          words[words.length - 1]!,
        )
      )
        break;
    }
    const cleaned = words.filter((w) => w !== 'const' && w !== 'volatile' && w !== 'signed');
    const name = cleaned.join(' ');
    let t = name
      ? BASE_NAMES.has(name) && !/^(struct|union|enum) /.test(name)
        ? (this.ctx.typeByName(name) ?? BASE_NAMES.get(name))
        : this.ctx.typeByName(name)
      : undefined;
    if (!t || (words.length === 1 && this.ctx.lookup(name) && !BASE_NAMES.has(name))) {
      this.pos = save;
      return undefined;
    }
    while (this.isOp('*')) {
      this.pos++;
      t = { kind: 'pointer', size: 8, target: t };
    }
    return t;
  }

  private unary(): Value {
    const t = this.peek();
    if (t.k === 'op') {
      switch (t.v) {
        case '(': {
          const save = this.pos;
          this.pos++;
          const type = this.typeName();
          if (type && this.isOp(')')) {
            this.pos++;
            return cast(type, this.unary());
          }
          this.pos = save;
          break;
        }
        case '-':
        case '~':
        case '!':
        case '+': {
          this.pos++;
          const v = this.unary();
          const x = scalarOf(v);
          if (t.v === '!') return makeValue(INT, x === 0n ? 1n : 0n);
          const r = arithType(v.type, v.type);
          return makeValue(r, t.v === '-' ? -x : t.v === '~' ? ~x : x);
        }
        case '*': {
          this.pos++;
          return this.deref(this.unary());
        }
        case '&': {
          this.pos++;
          const v = this.unary();
          if (v.address === undefined)
            throw new ExprError('cannot take the address of a value not in memory');
          return makeValue({ kind: 'pointer', size: 8, target: v.type }, BigInt(v.address));
        }
      }
    }
    if (t.k === 'id' && t.v === 'sizeof') {
      this.pos++;
      if (this.isOp('(')) {
        const save = this.pos;
        this.pos++;
        const type = this.typeName();
        if (type && this.isOp(')')) {
          this.pos++;
          return makeValue(ULONG, BigInt(sizeOf(type)));
        }
        this.pos = save;
      }
      return makeValue(ULONG, BigInt(sizeOf(this.unary().type)));
    }
    return this.postfix(this.primary());
  }

  private deref(v: Value): Value {
    const target = pointee(v.type);
    const st = strip(target);
    if (st.kind === 'void') throw new ExprError('attempt to take contents of a non-pointer value (void *)');
    if (st.kind === 'function') throw new ExprError('cannot dereference a function pointer');
    const addr = Number(BigInt.asUintN(64, scalarOf(v)));
    const size = sizeOf(target);
    const bytes = this.ctx.read(addr, size);
    if (!bytes) throw new ExprError(`cannot access memory at address 0x${addr.toString(16)}`);
    return { type: target, bytes, address: addr };
  }

  private postfix(v: Value): Value {
    for (;;) {
      if (this.isOp('.') || this.isOp('->')) {
        const arrow = this.isOp('->');
        this.pos++;
        const id = this.peek();
        if (id.k !== 'id') throw new ExprError('expected a member name');
        this.pos++;
        const base = arrow ? this.deref(v) : v;
        v = memberOf(base, id.v);
      } else if (this.isOp('[')) {
        this.pos++;
        const index = this.conditional();
        this.expect(']');
        const elem = pointee(v.type);
        const size = sizeOf(elem);
        const ptr = isPointerLike(v.type) ? scalarOf(v) : 0n;
        const addr = Number(BigInt.asUintN(64, ptr + scalarOf(index) * BigInt(size)));
        const bytes = this.ctx.read(addr, size);
        if (!bytes) throw new ExprError(`cannot access memory at address 0x${addr.toString(16)}`);
        v = { type: elem, bytes, address: addr };
      } else return v;
    }
  }

  private primary(): Value {
    const t = this.peek();
    this.pos++;
    if (t.k === 'num') {
      const fits = t.v <= 0x7fffffffn && !t.unsigned;
      return makeValue(fits ? INT : t.unsigned || t.v > 0x7fffffffffffffffn ? ULONG : LONG, t.v);
    }
    if (t.k === 'id') {
      if (t.v.startsWith('$')) {
        const r = this.ctx.register(t.v.slice(1));
        if (r === undefined) throw new ExprError(`no register or CSR named ${t.v}`);
        return { ...makeValue(ULONG, r), register: t.v.slice(1) };
      }
      const v = this.ctx.lookup(t.v);
      if (!v) throw new ExprError(`no symbol "${t.v}" in current context`);
      return v;
    }
    if (t.k === 'op' && t.v === '(') {
      const v = this.conditional();
      this.expect(')');
      return v;
    }
    throw new ExprError(t.k === 'end' ? 'the expression is incomplete' : `unexpected ${describeTok(t)}`);
  }
}

function describeTok(t: Tok): string {
  return t.k === 'end' ? 'end of expression' : t.k === 'num' ? `number ${t.v}` : `'${t.v}'`;
}

export function evaluateC(src: string, ctx: ExprContext): Value {
  if (!src.trim()) throw new ExprError('the expression is empty');
  return new Evaluator(tokenize(src), ctx).run();
}

/** Check the syntax only (for breakpoint conditions when they are set): throws ExprError. */
export function checkSyntax(src: string): void {
  tokenize(src);
}

/**
 * A small, safe expression language for breakpoint and exception-filter conditions such
 * as `stval >= 0x80000000 && priv == U`. It is parsed once into a tree and evaluated
 * against named 64-bit values (scause, stval, sepc, pc, priv, hart, ...); there is no
 * eval(), no property access and no function call, so a condition cannot do anything but
 * compute a number. Arithmetic is unsigned 64-bit, like the registers it reads.
 *
 * Grammar (C precedence, lowest first):
 *   or: and ('||' and)*      and: bor ('&&' bor)*      bor: bxor ('|' bxor)*
 *   bxor: band ('^' band)*   band: eq ('&' eq)*        eq: rel (('=='|'!=') rel)*
 *   rel: shift (('<'|'<='|'>'|'>=') shift)*            shift: add (('<<'|'>>') add)*
 *   add: mul (('+'|'-') mul)*   mul: unary (('*'|'/'|'%') unary)*
 *   unary: ('!'|'~'|'-') unary | primary     primary: number | name | '(' or ')'
 */

export class ConditionError extends Error {
  override name = 'ConditionError';
}

export type Env = Readonly<Record<string, bigint>>;

type Node =
  | { k: 'num'; v: bigint }
  | { k: 'name'; n: string }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node };

export interface Condition {
  readonly source: string;
  /** True when the condition holds; division by zero makes it false. */
  test(env: Env): boolean;
  value(env: Env): bigint;
}

const MASK = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & MASK;

const LEVELS: string[][] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

const TOKEN =
  /\s*(?:(0[xX][0-9a-fA-F_]+|0[bB][01_]+|[0-9][0-9_]*)|([A-Za-z_$][\w$]*)|(\|\||&&|==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^()]))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) {
      const ch = src.slice(pos).trim()[0];
      if (ch === '=') throw new ConditionError(`a single '=' in condition "${src}": use '==' to compare`);
      throw new ConditionError(`unexpected character '${ch}' in condition "${src}"`);
    }
    out.push(m[1] ?? m[2] ?? m[3]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

/**
 * Parse `source`. `names` lists the values it may read (other names are an error now,
 * not a silent false later); `constants` are extra fixed names such as U, S, M.
 */
export function parseCondition(source: string, names: readonly string[], constants: Env = {}): Condition {
  const toks = tokenize(source);
  if (toks.length === 0) throw new ConditionError('the condition is empty');
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const expect = (t: string): void => {
    if (toks[i] !== t)
      throw new ConditionError(
        `expected '${t}' ${toks[i] ? `before '${toks[i]}'` : 'at the end'} in "${source}"`,
      );
    i++;
  };
  const binary = (level: number): Node => {
    if (level === LEVELS.length) return unary();
    let a = binary(level + 1);
    for (;;) {
      const op = peek();
      if (op === undefined || !LEVELS[level]!.includes(op)) return a;
      i++;
      a = { k: 'bin', op, a, b: binary(level + 1) };
    }
  };
  const unary = (): Node => {
    const t = peek();
    if (t === '!' || t === '~' || t === '-') {
      i++;
      return { k: 'un', op: t, a: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = toks[i++];
    if (t === undefined) throw new ConditionError(`the condition "${source}" ends too early`);
    if (t === '(') {
      const n = binary(0);
      expect(')');
      return n;
    }
    if (/^[0-9]/.test(t)) {
      const v = BigInt(t.replace(/_/g, ''));
      if (v > MASK) throw new ConditionError(`${t} does not fit in 64 bits`);
      return { k: 'num', v };
    }
    if (/^[A-Za-z_$]/.test(t)) {
      // Own properties only: 'constructor' and the like are not names.
      const c = Object.hasOwn(constants, t) ? constants[t] : undefined;
      if (c !== undefined) return { k: 'num', v: c };
      if (!names.includes(t)) {
        throw new ConditionError(
          `unknown name '${t}' in condition: use ${[...names, ...Object.keys(constants)].join(', ')}`,
        );
      }
      return { k: 'name', n: t };
    }
    throw new ConditionError(`unexpected '${t}' in condition "${source}"`);
  };
  const tree = binary(0);
  if (i < toks.length) throw new ConditionError(`unexpected '${toks[i]}' in condition "${source}"`);
  return {
    source,
    value: (env) => evaluate(tree, env),
    test(env) {
      try {
        return evaluate(tree, env) !== 0n;
      } catch (e) {
        if (e instanceof ConditionError) return false;
        throw e;
      }
    },
  };
}

function evaluate(n: Node, env: Env): bigint {
  switch (n.k) {
    case 'num':
      return n.v;
    case 'name':
      return u64(Object.hasOwn(env, n.n) ? (env[n.n] ?? 0n) : 0n);
    case 'un': {
      const a = evaluate(n.a, env);
      if (n.op === '!') return a === 0n ? 1n : 0n;
      if (n.op === '~') return u64(~a);
      return u64(-a);
    }
    case 'bin': {
      // && and || short-circuit, as in C.
      if (n.op === '&&') return evaluate(n.a, env) !== 0n && evaluate(n.b, env) !== 0n ? 1n : 0n;
      if (n.op === '||') return evaluate(n.a, env) !== 0n || evaluate(n.b, env) !== 0n ? 1n : 0n;
      const a = evaluate(n.a, env);
      const b = evaluate(n.b, env);
      switch (n.op) {
        case '|':
          return a | b;
        case '^':
          return a ^ b;
        case '&':
          return a & b;
        case '==':
          return a === b ? 1n : 0n;
        case '!=':
          return a !== b ? 1n : 0n;
        case '<':
          return a < b ? 1n : 0n;
        case '<=':
          return a <= b ? 1n : 0n;
        case '>':
          return a > b ? 1n : 0n;
        case '>=':
          return a >= b ? 1n : 0n;
        case '<<':
          return b >= 64n ? 0n : u64(a << b);
        case '>>':
          return b >= 64n ? 0n : a >> b;
        case '+':
          return u64(a + b);
        case '-':
          return u64(a - b);
        case '*':
          return u64(a * b);
        case '/':
        case '%':
          if (b === 0n) throw new ConditionError('division by zero');
          return n.op === '/' ? a / b : a % b;
        default:
          throw new ConditionError(`unknown operator ${n.op}`);
      }
    }
  }
}

/** The names a trap condition can read, and the privilege constants. */
export const TRAP_NAMES = ['scause', 'stval', 'sepc', 'pc', 'priv', 'hart', 'cause', 'interrupt'] as const;
export const PRIV_CONSTANTS: Env = { U: 0n, S: 1n, M: 3n };

/**
 * C types from DWARF type DIEs (DWARF 5 section 5: base types 5.1, type modifiers 5.3,
 * typedefs 5.4, arrays 5.5, structs/unions 5.7 with bit fields 5.7.6, enumerations 5.11,
 * subroutine types 5.12) and their C spelling as gdb writes it ("struct node *",
 * "int [3][4]", "int (*)(int, int)"). Types are built on demand and cached per DIE.
 */
import { AT as AT_TABLE, ATE as ATE_TABLE, TAG as TAG_TABLE } from './constants';
import { DebugInfo, type Die } from './info';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const AT = AT_TABLE;
const ATE = ATE_TABLE;
const TAG = TAG_TABLE;

export interface Member {
  name: string;
  type: Type;
  /** Byte offset within the enclosing struct. */
  offset: number;
  /** For bit fields: size in bits and offset in bits from the start of `offset`'s storage. */
  bitSize?: number;
  bitOffset?: number;
}

export type Type =
  | { kind: 'void' }
  | { kind: 'base'; name: string; size: number; encoding: number }
  | { kind: 'pointer'; size: number; target: Type }
  | {
      kind: 'struct' | 'union';
      name: string | undefined;
      size: number;
      members: Member[];
      declaration: boolean;
    }
  | { kind: 'array'; element: Type; dims: (number | undefined)[]; size: number }
  | { kind: 'typedef'; name: string; target: Type }
  | {
      kind: 'enum';
      name: string | undefined;
      size: number;
      enumerators: { name: string; value: number }[];
      signed: boolean;
    }
  | { kind: 'qualified'; qualifier: 'const' | 'volatile' | 'restrict' | '_Atomic'; target: Type }
  | { kind: 'function'; returns: Type; params: Type[]; variadic: boolean };

const VOID: Type = { kind: 'void' };

export class TypeBuilder {
  private readonly cache = new Map<number, Type>();
  private readonly building = new Set<number>();

  constructor(private readonly info: DebugInfo) {}

  /** The type DW_AT_type of `die` refers to (void when absent). */
  typeOf(die: Die): Type {
    const t = this.info.refDie(die, AT.type);
    return t ? this.build(t) : VOID;
  }

  build(die: Die): Type {
    const cached = this.cache.get(die.offset);
    if (cached) return cached;
    // A corrupt reference cycle through uncached kinds (enum, base) ends as void.
    if (this.building.has(die.offset) || this.building.size > 256) return VOID;
    this.building.add(die.offset);
    try {
      return this.buildUncached(die);
    } finally {
      this.building.delete(die.offset);
    }
  }

  private buildUncached(die: Die): Type {
    const info = this.info;
    const name = info.string(die, AT.name);
    const size = info.number(die, AT.byte_size) ?? 0;
    switch (die.tag) {
      case TAG.base_type: {
        const t: Type = {
          kind: 'base',
          name: name ?? '?',
          size,
          encoding: info.number(die, AT.encoding) ?? ATE.signed,
        };
        this.cache.set(die.offset, t);
        return t;
      }
      case TAG.pointer_type:
      case TAG.reference_type: {
        // Cache before recursing: self-referential structs point back to themselves.
        const t: { kind: 'pointer'; size: number; target: Type } = {
          kind: 'pointer',
          size: size || 8,
          target: VOID,
        };
        this.cache.set(die.offset, t);
        t.target = this.typeOf(die);
        return t;
      }
      case TAG.structure_type:
      case TAG.union_type: {
        const t: Type = {
          kind: die.tag === TAG.structure_type ? 'struct' : 'union',
          name,
          size,
          members: [],
          declaration: die.has(AT.declaration),
        };
        this.cache.set(die.offset, t);
        for (const c of die.children) if (c.tag === TAG.member) t.members.push(this.member(c, size));
        return t;
      }
      case TAG.array_type: {
        const t: { kind: 'array'; element: Type; dims: (number | undefined)[]; size: number } = {
          kind: 'array',
          element: VOID,
          dims: [],
          size: 0,
        };
        this.cache.set(die.offset, t);
        t.element = this.typeOf(die);
        for (const c of die.children) {
          if (c.tag !== TAG.subrange_type) continue;
          const count = info.number(c, AT.count);
          const upper = info.number(c, AT.upper_bound);
          const lower = info.number(c, AT.lower_bound) ?? 0;
          t.dims.push(count ?? (upper !== undefined && upper < 2 ** 53 ? upper - lower + 1 : undefined));
        }
        if (t.dims.length === 0) t.dims.push(undefined);
        t.size = size || t.dims.reduce<number>((acc, d) => acc * (d ?? 0), sizeOf(t.element));
        return t;
      }
      case TAG.typedef: {
        const t: { kind: 'typedef'; name: string; target: Type } = {
          kind: 'typedef',
          name: name ?? '?',
          target: VOID,
        };
        this.cache.set(die.offset, t);
        t.target = this.typeOf(die);
        return t;
      }
      case TAG.enumeration_type: {
        const under = this.typeOf(die);
        const enumerators: { name: string; value: number }[] = [];
        let signed = false;
        for (const c of die.children) {
          if (c.tag !== TAG.enumerator) continue;
          const v = info.number(c, AT.const_value) ?? 0;
          if (v < 0) signed = true;
          enumerators.push({ name: info.string(c, AT.name) ?? '?', value: v });
        }
        const ub = strip(under);
        if (ub.kind === 'base') signed = ub.encoding === ATE.signed || ub.encoding === ATE.signed_char;
        const t: Type = { kind: 'enum', name, size: size || sizeOf(under) || 4, enumerators, signed };
        this.cache.set(die.offset, t);
        return t;
      }
      case TAG.const_type:
      case TAG.volatile_type:
      case TAG.restrict_type:
      case TAG.atomic_type: {
        const qualifier =
          die.tag === TAG.const_type
            ? 'const'
            : die.tag === TAG.volatile_type
              ? 'volatile'
              : die.tag === TAG.restrict_type
                ? 'restrict'
                : '_Atomic';
        const t: { kind: 'qualified'; qualifier: typeof qualifier; target: Type } = {
          kind: 'qualified',
          qualifier,
          target: VOID,
        };
        this.cache.set(die.offset, t);
        t.target = this.typeOf(die);
        return t;
      }
      case TAG.subroutine_type:
      case TAG.subprogram: {
        const t: { kind: 'function'; returns: Type; params: Type[]; variadic: boolean } = {
          kind: 'function',
          returns: VOID,
          params: [],
          variadic: false,
        };
        this.cache.set(die.offset, t);
        // A concrete out-of-line instance describes its signature through its origin.
        let origin = die;
        for (let i = 0; i < 8; i++)
          origin =
            this.info.refDie(origin, AT.abstract_origin) ??
            this.info.refDie(origin, AT.specification) ??
            origin;
        t.returns = this.typeOf(origin);
        for (const c of origin.children) {
          if (c.tag === TAG.formal_parameter) t.params.push(this.typeOf(c));
          else if (c.tag === TAG.unspecified_parameters) t.variadic = true;
        }
        return t;
      }
      default:
        return VOID;
    }
  }

  private member(die: Die, parentSize: number): Member {
    const info = this.info;
    const type = this.typeOf(die);
    const m: Member = { name: info.string(die, AT.name) ?? '', type, offset: 0 };
    const loc = die.attr(AT.data_member_location);
    if (loc && typeof loc.value === 'number') m.offset = loc.value;
    else if (loc && loc.value instanceof Uint8Array) m.offset = plusUconst(loc.value);
    const bitSize = info.number(die, AT.bit_size);
    if (bitSize !== undefined) {
      m.bitSize = bitSize;
      const dataBitOffset = info.number(die, AT.data_bit_offset);
      if (dataBitOffset !== undefined) {
        // DWARF 4+: bits from the start of the struct (little-endian bit numbering).
        m.offset = Math.floor(dataBitOffset / 8);
        m.bitOffset = dataBitOffset % 8;
      } else {
        // DWARF 2/3: DW_AT_bit_offset counts from the most significant bit of a storage
        // unit of DW_AT_byte_size bytes at data_member_location.
        const storage = info.number(die, AT.byte_size) ?? (sizeOf(type) || parentSize);
        const msbOffset = info.number(die, AT.bit_offset) ?? 0;
        m.bitOffset = storage * 8 - msbOffset - bitSize;
      }
    }
    return m;
  }
}

/** DW_AT_data_member_location as a DWARF 2 expression: DW_OP_plus_uconst N. */
function plusUconst(expr: Uint8Array): number {
  if (expr[0] !== 0x23) return 0;
  let v = 0;
  let scale = 1;
  for (let i = 1; i < expr.length; i++) {
    v += (expr[i]! & 0x7f) * scale;
    if ((expr[i]! & 0x80) === 0) break;
    scale *= 128;
  }
  return v;
}

/** Remove typedefs and qualifiers. */
export function strip(t: Type): Type {
  for (let i = 0; i < 64 && (t.kind === 'typedef' || t.kind === 'qualified'); i++) t = t.target;
  return t;
}

export function sizeOf(t: Type): number {
  const s = strip(t);
  switch (s.kind) {
    case 'base':
    case 'pointer':
    case 'struct':
    case 'union':
    case 'enum':
    case 'array':
      return s.size;
    default:
      return s.kind === 'function' ? 1 : 0;
  }
}

/** The C spelling of a type, as gdb's `ptype`/`whatis` print it. */
export function typeName(t: Type): string {
  const { base, declarator } = spell(t, '');
  return declarator ? `${base} ${declarator}`.replace(/ +$/, '') : base;
}

/**
 * Split a type into its base specifier and declarator around `inner` (the C "inside out"
 * rule): pointers prefix "*", arrays and functions suffix, with parentheses when a
 * pointer wraps an array or function.
 */
function spell(t: Type, inner: string, depth = 0): { base: string; declarator: string } {
  // Only corrupt input nests this deep (a pointer type pointing to itself).
  if (depth > 32) return { base: '?', declarator: inner };
  switch (t.kind) {
    case 'void':
      return { base: 'void', declarator: inner };
    case 'base':
      return { base: t.name, declarator: inner };
    case 'typedef':
      return { base: t.name, declarator: inner };
    case 'struct':
    case 'union':
      return { base: `${t.kind} ${t.name ?? '{...}'}`, declarator: inner };
    case 'enum':
      return { base: `enum ${t.name ?? '{...}'}`, declarator: inner };
    case 'qualified': {
      if (t.target.kind === 'pointer')
        return spellPointer(t.target, `* ${t.qualifier}${inner ? ' ' + inner : ''}`, depth);
      const s = spell(t.target, inner, depth + 1);
      return { base: `${t.qualifier} ${s.base}`, declarator: s.declarator };
    }
    case 'pointer':
      return spellPointer(t, `*${inner}`, depth);
    case 'array': {
      const dims = t.dims.map((d) => `[${d ?? ''}]`).join('');
      return spell(t.element, inner ? `${inner}${dims}` : dims, depth + 1);
    }
    case 'function': {
      const params = depth > 8 ? ['...'] : t.params.map(typeName);
      if (t.variadic) params.push('...');
      return spell(t.returns, `${inner}(${params.length ? params.join(', ') : 'void'})`, depth + 1);
    }
  }
}

function spellPointer(
  p: { target: Type },
  decl: string,
  depth: number,
): { base: string; declarator: string } {
  const k = p.target.kind;
  return spell(p.target, k === 'array' || k === 'function' ? `(${decl})` : decl, depth + 1);
}

/**
 * Variables visible at a pc (DWARF 5 sections 3.3 subprograms, 3.4 lexical blocks,
 * 3.3.8 inlined subroutines, 4.1 data objects): the parameters and locals of the
 * innermost scopes containing the pc (innermost first, so shadowing works), then the
 * unit's file-scope variables and the program's external ones. A variable's value is
 * located on demand: `locate` evaluates its location (a location list picks the entry
 * for the pc) and reports "optimized out" when there is none.
 */
import { AT as AT_TABLE, TAG as TAG_TABLE } from './constants';
import { evaluate, type EvalContext, type Location } from './expr';
import type { Die, Unit } from './info';
import { isExprForm, locationExpr } from './loc';
import type { Symbols } from './symbols';
import { sizeOf, type Type } from './types';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const AT = AT_TABLE;
const TAG = TAG_TABLE;

export type VariableKind = 'param' | 'local' | 'static' | 'global';

export interface Variable {
  name: string;
  type: Type;
  kind: VariableKind;
  die: Die;
  /** The subprogram whose frame holds the variable (for params and locals). */
  frame?: Die;
  declLine?: number;
}

export interface Scope {
  /** The function (or inlined instance) innermost at pc. */
  function: Die | undefined;
  params: Variable[];
  locals: Variable[];
  /** File-scope variables of the pc's unit (statics and globals). */
  unitGlobals: Variable[];
  /** External variables of the whole program (parses every unit on first use). */
  globals: () => Variable[];
  /** Where a variable of this scope is, in the frame `access` reads (at this scope's pc). */
  locate: (v: Variable, access: FrameAccess) => Location;
  /** The bytes of a variable's value at this scope's pc, or why it is optimized out. */
  read: (v: Variable, access: FrameAccess) => { bytes: Uint8Array } | { optimizedOut: string };
}

/** Register and memory access for evaluating a location (DWARF numbering of registers). */
export type FrameAccess = Omit<EvalContext, 'frameBase' | 'cfa' | 'indexedAddress'>;

export class Scopes {
  private programGlobals: Variable[] | undefined;
  private readonly unitVars = new Map<number, Variable[]>();

  constructor(private readonly syms: Symbols) {}

  /**
   * The scope at `pc`. When functions are inlined at pc, `inlineDepth` 0 is the innermost
   * inlined instance (gdb's frame 0), 1 the function it was inlined into, and so on.
   */
  at(pc: number, inlineDepth = 0): Scope {
    const params: Variable[] = [];
    const locals: Variable[] = [];
    const sub = this.syms.subprogramAt(pc);
    const unit = sub?.unit ?? this.syms.unitAt(pc);
    // The chain of scopes containing pc, outermost first, cut into function instances:
    // a subprogram or inlined subroutine followed by its nested lexical blocks.
    const instances: Die[][] = [];
    for (const scope of this.syms.scopeChainAt(pc)) {
      if (scope.tag === TAG.lexical_block && instances.length > 0)
        instances[instances.length - 1]!.push(scope);
      else instances.push([scope]);
    }
    const instance = instances[instances.length - 1 - inlineDepth] ?? [];
    // Innermost block first: where a name appears twice, the first one shadows the other.
    for (let i = instance.length - 1; i >= 0; i--) {
      for (const c of instance[i]!.children) {
        // `extern` declarations inside a function name a global, not a local.
        if (c.tag === TAG.variable && !c.has(AT.declaration)) {
          const v = this.variable(c, sub);
          if (v) locals.push(v);
        } else if (c.tag === TAG.formal_parameter && i === 0) {
          const v = this.variable(c, sub, 'param');
          if (v) params.push(v);
        }
      }
    }
    return {
      function: instance[0],
      params,
      locals,
      unitGlobals: unit ? this.unitGlobals(unit) : [],
      globals: () => this.allGlobals(),
      locate: (v, access) => this.locate(v, pc, access),
      read: (v, access) => this.read(v, pc, access),
    };
  }

  private variable(die: Die, frame: Die | undefined, kind?: VariableKind): Variable | undefined {
    const info = this.syms.info;
    const name = info.nameOf(die);
    if (name === undefined) return undefined;
    const typed = info.inherited(die, AT.type);
    const type = typed ? this.syms.types.typeOf(typed.die) : ({ kind: 'void' } as const);
    const loc = die.attr(AT.location);
    const isStatic =
      loc !== undefined &&
      isExprForm(loc.form) &&
      loc.value instanceof Uint8Array &&
      isFixedAddress(loc.value, die.unit.addrSize);
    const v: Variable = { name, type, kind: kind ?? (isStatic ? 'static' : 'local'), die };
    if (v.kind !== 'static') v.frame = frame;
    const line = info.number(die, AT.decl_line);
    if (line !== undefined) v.declLine = line;
    return v;
  }

  private unitGlobals(unit: Unit): Variable[] {
    const cached = this.unitVars.get(unit.index);
    if (cached) return cached;
    const root = this.syms.info.parseUnit(unit);
    const out: Variable[] = [];
    for (const c of root.children) {
      // Skip extern declarations; a definition without a location is "optimized out".
      if (c.tag !== TAG.variable || c.has(AT.declaration)) continue;
      const v = this.variable(c, undefined);
      if (!v) continue;
      v.kind = this.syms.info.inherited(c, AT.external) ? 'global' : 'static';
      delete v.frame;
      out.push(v);
    }
    this.unitVars.set(unit.index, out);
    return out;
  }

  private allGlobals(): Variable[] {
    if (this.programGlobals) return this.programGlobals;
    const out: Variable[] = [];
    const seen = new Set<string>();
    for (const unit of this.syms.units) {
      if (unit.error) continue;
      let vars: Variable[];
      try {
        vars = this.unitGlobals(unit);
      } catch {
        continue;
      }
      for (const v of vars) {
        if (v.kind !== 'global' || seen.has(v.name)) continue;
        seen.add(v.name);
        out.push(v);
      }
    }
    this.programGlobals = out;
    return out;
  }

  /** A type by its C name: "struct node", "uint64", "unsigned int", "char **". */
  typeByName(name: string): Type | undefined {
    const pointers = /\*+\s*$/.exec(name)?.[0].replace(/\s/g, '').length ?? 0;
    let t = this.namedType(name.replace(/[\s*]+$/, ''));
    for (let i = 0; t && i < pointers; i++) t = { kind: 'pointer', size: 8, target: t };
    return t;
  }

  private namedType(name: string): Type | undefined {
    if (name === 'void') return { kind: 'void' };
    const m = /^(struct|union|enum)\s+(.+)$/.exec(name.trim());
    const tags: number[] = m
      ? [m[1] === 'struct' ? TAG.structure_type : m[1] === 'union' ? TAG.union_type : TAG.enumeration_type]
      : [TAG.typedef, TAG.base_type];
    const want = m ? m[2]! : name.trim().replace(/\s+/g, ' ');
    let declaration: Type | undefined;
    for (const unit of this.syms.units) {
      if (unit.error) continue;
      let root: Die;
      try {
        root = this.syms.info.parseUnit(unit);
      } catch {
        continue;
      }
      for (const c of root.children) {
        if (!tags.includes(c.tag) || this.syms.info.string(c, AT.name) !== want) continue;
        const t = this.syms.types.build(c);
        if (c.has(AT.declaration)) declaration ??= t;
        else return t;
      }
    }
    return declaration;
  }

  /**
   * Where a variable is at `pc` in a frame whose registers and memory `access` reads.
   * Parameters and locals need the frame's registers; globals only memory.
   */
  locate(v: Variable, pc: number, access: FrameAccess): Location {
    const info = this.syms.info;
    const unit = v.die.unit;
    const constValue = v.die.attr(AT.const_value);
    const attr = v.die.attr(AT.location);
    if (!attr) {
      if (constValue) return { kind: 'implicit', bytes: constBytes(constValue.value, sizeOf(v.type)) };
      return { kind: 'optimized', reason: 'no location' };
    }
    const expr = locationExpr(info, unit, attr, pc);
    if (!expr) return { kind: 'optimized', reason: 'not available at this pc' };
    const ctx: EvalContext = {
      readReg: (n) => access.readReg(n),
      readMemory: (a, l) => access.readMemory(a, l),
    };
    ctx.indexedAddress = (i) => info.indexedAddress(unit, i);
    const regs: (bigint | undefined)[] = [];
    for (let n = 0; n < 32; n++) regs.push(access.readReg(n));
    const cfa = this.syms.cfa(pc, regs, (a, l) => access.readMemory(a, l));
    if (cfa !== undefined) ctx.cfa = cfa;
    const fb = v.frame?.attr(AT.frame_base);
    if (fb && v.frame) {
      const fbExpr = locationExpr(info, v.frame.unit, fb, pc);
      if (fbExpr) {
        const loc = evaluate(fbExpr, ctx, unit.addrSize);
        if (loc.kind === 'memory') ctx.frameBase = loc.address;
        else if (loc.kind === 'register') {
          const value = access.readReg(loc.reg);
          if (value !== undefined) ctx.frameBase = value;
        }
      }
    }
    return evaluate(expr, ctx, unit.addrSize);
  }

  /** The bytes of a variable's value, or why there are none. */
  read(v: Variable, pc: number, access: FrameAccess): { bytes: Uint8Array } | { optimizedOut: string } {
    const loc = this.locate(v, pc, access);
    const bytes = locationBytes(loc, sizeOf(v.type), access);
    return bytes ? { bytes } : { optimizedOut: loc.kind === 'optimized' ? loc.reason : 'cannot read memory' };
  }
}

/** Is the expression just an address (DW_OP_addr, or DW_OP_addrx into .debug_addr)? */
function isFixedAddress(expr: Uint8Array, addrSize: number): boolean {
  if (expr[0] === 0x03) return expr.length === 1 + addrSize;
  if (expr[0] !== 0xa1 && expr[0] !== 0xfb) return false;
  let i = 1;
  while (i < expr.length && expr[i]! & 0x80) i++;
  return i === expr.length - 1;
}

function constBytes(value: unknown, size: number): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const out = new Uint8Array(size || 8);
  let v = BigInt.asUintN(
    64,
    typeof value === 'bigint' ? value : BigInt(typeof value === 'number' ? Math.trunc(value) : 0),
  );
  for (let i = 0; i < out.length; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** The bytes a location holds, `size` long; undefined when optimized out or unreadable. */
export function locationBytes(loc: Location, size: number, access: FrameAccess): Uint8Array | undefined {
  switch (loc.kind) {
    case 'memory':
      if (loc.address > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      return access.readMemory(Number(loc.address), size);
    case 'register': {
      const v = access.readReg(loc.reg);
      return v === undefined ? undefined : constBytes(v, Math.max(size, 8)).subarray(0, size);
    }
    case 'value':
      return constBytes(loc.value, Math.max(size, 8)).subarray(0, size);
    case 'implicit':
      return loc.bytes.subarray(0, size);
    case 'pieces': {
      const out = new Uint8Array(size);
      let at = 0;
      for (const p of loc.pieces) {
        const b = locationBytes(p.location, p.size, access);
        if (!b) return undefined;
        out.set(b.subarray(0, Math.min(p.size, size - at)), at);
        at += p.size;
        if (at >= size) break;
      }
      return out;
    }
    case 'optimized':
      return undefined;
  }
}

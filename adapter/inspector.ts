/**
 * The variables and expressions of a stopped machine, at source level: the scopes of a
 * frame (Locals, Arguments, Globals, Registers, CSRs), variables that expand (struct
 * members, array elements, the target of a pointer) through numbered handles valid
 * until the machine runs again, C expressions evaluated in a frame (cexpr.ts), and
 * assignment to memory-backed scalars and registers. Values are formatted as gdb prints
 * them (symbols/format.ts); a variable with no location at the pc is `<optimized out>`.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Priv, type HartApi } from '../emulator/types';
import type { PhysReader } from '../emulator/inspect';
import {
  children,
  formatValue,
  sizeOf,
  strip,
  typeName,
  type Type,
  type Variable as DwarfVar,
} from './symbols';
import { ExprError, evaluateC, makeValue, scalarOf, type ExprContext, type Value } from './cexpr';
import type { SourceFrame } from './stack';
import { csrByName } from './csr';
import { registerIndex, symbolize, writeVirtual, type Mem } from './views';
import { ABI_NAMES } from '../emulator/cpu/disasm';

type Handle =
  | { kind: 'vars'; frame: SourceFrame; vars: () => DwarfVar[] }
  | { kind: 'value'; frame: SourceFrame; value: Value; expr: string }
  | { kind: 'regs'; frame: SourceFrame };

const MAX_CHILDREN = 500;

export class Inspector {
  private handles = new Map<number, Handle>();
  private next = 1_000_000;

  constructor(
    private readonly mem: Mem & PhysReader,
    private readonly hart: (id: number) => HartApi | undefined,
  ) {}

  /** Forget every handle (the machine ran). */
  reset(): void {
    this.handles.clear();
    this.next = 1_000_000;
  }

  has(ref: number): boolean {
    return this.handles.has(ref);
  }

  private add(h: Handle): number {
    const id = this.next++;
    this.handles.set(id, h);
    return id;
  }

  /** Locals / Arguments / Globals scopes of a frame (registers and CSRs are the session's). */
  scopes(frame: SourceFrame): DebugProtocol.Scope[] {
    const syms = frame.symbols;
    if (!syms || frame.label) return [];
    let scope;
    try {
      scope = syms.scopeAt(frame.lookupPc, frame.inlineDepth);
    } catch {
      return [];
    }
    const dedupe = (vs: DwarfVar[]): DwarfVar[] => {
      const seen = new Set<string>();
      return vs.filter((v) => (seen.has(v.name) ? false : (seen.add(v.name), true)));
    };
    const out: DebugProtocol.Scope[] = [];
    const locals = dedupe(scope.locals);
    out.push({
      name: 'Locals',
      presentationHint: 'locals',
      expensive: false,
      variablesReference: this.add({ kind: 'vars', frame, vars: () => locals }),
    });
    out.push({
      name: 'Arguments',
      presentationHint: 'arguments',
      expensive: false,
      variablesReference: this.add({ kind: 'vars', frame, vars: () => scope.params }),
    });
    out.push({
      name: 'Globals',
      expensive: true,
      variablesReference: this.add({
        kind: 'vars',
        frame,
        vars: () =>
          dedupe([...scope.unitGlobals, ...scope.globals()]).sort((a, b) => a.name.localeCompare(b.name)),
      }),
    });
    return out;
  }

  /** The registers of a caller frame as the unwinder recovered them (a handle). */
  frameRegisters(frame: SourceFrame): number {
    return this.add({ kind: 'regs', frame });
  }

  variables(ref: number, start = 0, count = 0): DebugProtocol.Variable[] {
    const h = this.handles.get(ref);
    if (!h) return [];
    if (h.kind === 'regs') {
      const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');
      const out: DebugProtocol.Variable[] = [
        { name: 'pc', value: hex(BigInt(h.frame.pc)), variablesReference: 0 },
      ];
      for (let i = 1; i < 32; i++) {
        const v = h.frame.regs[i];
        // Caller-saved registers are lost across a call: gdb shows them as <not saved>.
        out.push({
          name: ABI_NAMES[i]!,
          value: v === undefined ? '<not saved>' : hex(v),
          variablesReference: 0,
        });
      }
      return out;
    }
    if (h.kind === 'vars') {
      let vs = h.vars();
      if (count > 0) vs = vs.slice(start, start + count);
      return vs.map((v) => this.dwarfVariable(h.frame, v));
    }
    return this.childVariables(h.frame, h.value, h.expr);
  }

  private readVar(frame: SourceFrame, v: DwarfVar): Value | { optimizedOut: string } {
    const syms = frame.symbols!;
    const access = this.access(frame);
    const r = syms.readVariable(v, frame.lookupPc, access);
    if ('optimizedOut' in r) return r;
    const value: Value = { type: v.type, bytes: r.bytes };
    try {
      const loc = syms.locate(v, frame.lookupPc, access);
      if (loc.kind === 'memory') value.address = Number(loc.address);
      else if (loc.kind === 'register' && frame.index === 0) value.register = `x${loc.reg}`;
    } catch {
      /* the value was read; only its address is unknown */
    }
    return value;
  }

  private dwarfVariable(frame: SourceFrame, v: DwarfVar): DebugProtocol.Variable {
    let r: Value | { optimizedOut: string };
    try {
      r = this.readVar(frame, v);
    } catch (e) {
      return {
        name: v.name,
        value: `<error: ${(e as Error).message}>`,
        variablesReference: 0,
        type: typeName(v.type),
      };
    }
    if ('optimizedOut' in r)
      return { name: v.name, value: '<optimized out>', variablesReference: 0, type: typeName(v.type) };
    return this.toVariable(frame, v.name, r, v.name);
  }

  toVariable(frame: SourceFrame, name: string, value: Value, expr: string): DebugProtocol.Variable {
    const out: DebugProtocol.Variable = {
      name,
      value: this.format(frame, value),
      type: typeName(value.type),
      evaluateName: expr,
      variablesReference: this.expandable(value) ? this.add({ kind: 'value', frame, value, expr }) : 0,
    };
    if (value.address !== undefined) out.memoryReference = '0x' + value.address.toString(16);
    return out;
  }

  private expandable(v: Value): boolean {
    const t = strip(v.type);
    if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'array') return true;
    if (t.kind !== 'pointer') return false;
    const target = strip(t.target);
    return target.kind !== 'void' && target.kind !== 'function' && scalarOf(v) !== 0n;
  }

  format(frame: SourceFrame, value: Value): string {
    return formatValue(value.type, value.bytes, {
      readMemory: frame.read,
      symbolize: (a) => symbolize(frame.elf, BigInt(a)),
      depth: 2,
      topLevel: true,
    });
  }

  private childVariables(frame: SourceFrame, v: Value, expr: string): DebugProtocol.Variable[] {
    const t = strip(v.type);
    if (t.kind === 'pointer') {
      const size = sizeOf(t.target);
      const addr = Number(BigInt.asUintN(64, scalarOf(v)));
      const bytes = frame.read(addr, size);
      if (!bytes)
        return [
          {
            name: `*${expr}`,
            value: `<cannot access memory at 0x${addr.toString(16)}>`,
            variablesReference: 0,
          },
        ];
      const target: Value = { type: t.target, bytes, address: addr };
      const ts = strip(t.target);
      // A pointer to a struct shows the struct's members directly, as VS Code users expect.
      if (ts.kind === 'struct' || ts.kind === 'union')
        return this.childVariables(frame, target, `(${expr})->`);
      return [this.toVariable(frame, `*${expr}`, target, `*${expr}`)];
    }
    const arrow = expr.endsWith('->');
    const base = arrow ? expr : `(${expr})`;
    let offset = 0;
    const elemSize =
      t.kind === 'array' && t.dims.length > 0 ? Math.floor(v.bytes.length / Math.max(1, t.dims[0] ?? 1)) : 0;
    return children(v.type, v.bytes)
      .slice(0, MAX_CHILDREN)
      .map((c, i) => {
        const child: Value = { type: c.type, bytes: c.bytes };
        if (v.address !== undefined) {
          if (t.kind === 'struct' || t.kind === 'union') {
            const m = t.members[i];
            if (m && m.bitSize === undefined) child.address = v.address + m.offset;
          } else {
            child.address = v.address + offset;
            offset += elemSize;
          }
        }
        const e =
          t.kind === 'array'
            ? `${arrow ? expr.slice(0, -2) : base}${c.name}`
            : `${base}${arrow ? '' : '.'}${c.name}`;
        return this.toVariable(frame, c.name, child, e);
      });
  }

  // ---- expressions -------------------------------------------------------------------

  private access(frame: SourceFrame): {
    readReg(n: number): bigint | undefined;
    readMemory: (a: number, l: number) => Uint8Array | undefined;
  } {
    return { readReg: (n) => frame.regs[n], readMemory: frame.read };
  }

  context(frame: SourceFrame, hartId: number): ExprContext {
    const syms = frame.symbols;
    let scope: ReturnType<NonNullable<typeof syms>['scopeAt']> | undefined;
    try {
      scope = syms && !frame.label ? syms.scopeAt(frame.lookupPc, frame.inlineDepth) : undefined;
    } catch {
      scope = undefined;
    }
    const hart = this.hart(hartId);
    return {
      lookup: (name) => {
        if (!scope) return undefined;
        const v =
          scope.locals.find((x) => x.name === name) ??
          scope.params.find((x) => x.name === name) ??
          scope.unitGlobals.find((x) => x.name === name) ??
          scope.globals().find((x) => x.name === name);
        if (!v) return undefined;
        const r = this.readVar(frame, v);
        if ('optimizedOut' in r) throw new ExprError(`"${name}" is optimized out here`);
        return r;
      },
      register: (name) => {
        const reg = registerIndex(name);
        if (reg === 'pc') return BigInt(frame.pc);
        if (reg !== undefined) return reg === 0 ? 0n : frame.regs[reg];
        if (name === 'priv') return hart ? BigInt(hart.priv) : undefined;
        const csr = csrByName(name);
        return csr && hart ? hart.readCsr(csr.addr) : undefined;
      },
      read: frame.read,
      typeByName: (name) => syms?.typeByName(name),
    };
  }

  evaluate(frame: SourceFrame, hartId: number, expr: string): Value {
    return evaluateC(expr, this.context(frame, hartId));
  }

  /** Assign to an lvalue (memory-backed scalar, or a register of frame 0). Returns the new text. */
  assign(frame: SourceFrame, hartId: number, target: Value, valueText: string): Value {
    const t = strip(target.type);
    if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'array')
      throw new ExprError(`cannot assign a whole ${typeName(target.type)}`);
    const nv = makeValue(target.type, scalarOf(this.evaluate(frame, hartId, valueText)));
    if (target.address !== undefined) {
      const hart = this.hart(hartId);
      if (!hart) throw new ExprError('no such hart');
      if (frame.user && hart.priv !== Priv.U)
        throw new ExprError('writing user memory from a kernel stop is not supported');
      writeVirtual(this.mem, hart, BigInt(target.address), nv.bytes);
      return { ...nv, address: target.address };
    }
    if (target.register !== undefined && frame.index === 0) {
      const hart = this.hart(hartId);
      const reg = registerIndex(target.register);
      if (!hart || reg === undefined || reg === 'pc' || reg === 0)
        throw new ExprError(`cannot write ${target.register}`);
      hart.setReg(reg, BigInt.asUintN(64, scalarOf(nv)));
      return nv;
    }
    throw new ExprError('the value is not in memory or a register of the innermost frame');
  }

  /** The value a handle's child `name` stands for (setVariable). */
  child(ref: number, name: string): { frame: SourceFrame; value: Value } | undefined {
    const h = this.handles.get(ref);
    if (!h) return undefined;
    if (h.kind === 'regs') throw new ExprError("a caller frame's registers cannot be changed");
    if (h.kind === 'vars') {
      const v = h.vars().find((x) => x.name === name);
      if (!v) return undefined;
      const r = this.readVar(h.frame, v);
      if ('optimizedOut' in r) throw new ExprError(`${name} is optimized out`);
      return { frame: h.frame, value: r };
    }
    const expr = h.expr;
    const text = name.startsWith('*')
      ? name
      : name.startsWith('[')
        ? `(${expr})${name}`
        : strip(h.value.type).kind === 'pointer'
          ? `(${expr})->${name}`
          : `(${expr}).${name}`;
    return { frame: h.frame, value: this.evaluate(h.frame, 0, text) };
  }
}

export function valueSummary(t: Type): string {
  return typeName(t);
}

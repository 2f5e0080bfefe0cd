/**
 * Turning the breakpoint requests of the Debug Adapter Protocol into runtime
 * breakpoints: source lines resolve through the DWARF line table (moved to the next
 * line with code, past the prologue at a function's entry, as gdb does), function
 * breakpoints by DWARF name after the prologue (falling back to the ELF symbol table),
 * instruction breakpoints parse addresses. Line and function breakpoints take C
 * conditions (evaluated in the innermost frame at each hit, cexpr.ts), hit conditions
 * (`5`, `>= 5`, `== 5`, `% 5`) and log messages with `{expr}` interpolation; instruction
 * breakpoints keep the register condition language of condition.ts. Exception filters
 * are checked against the known ids. Each unresolvable breakpoint comes back unverified
 * with a reason.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Runtime, UserBreakpoint } from './runtime';
import type { UserProgram } from './userprogs';
import type { ElfFile } from '../emulator/elf';
import { ConditionError, PRIV_CONSTANTS, TRAP_NAMES, parseCondition, type Condition } from './condition';
import { parseAddress } from './views';
import { EXCEPTION_FILTERS } from './traps';
import type { ExceptionFilterId } from './protocol';
import { symbolsOf } from './debuginfo';
import { checkSyntax } from './cexpr';

/** What the session lends breakpoints: C conditions and log messages in the hit frame. */
export interface FrameTools {
  /** A test of `expr` in the innermost frame of the hart (an error counts as true and is printed). */
  condition(expr: string): (hart: number) => boolean;
  /** The log message with each `{expr}` replaced by its value. */
  log(template: string): (hart: number) => string;
}

/** `5` / `>= 5` / `> 5` / `== 5` / `% 5`, or a message. */
export function hitCondition(src: string | undefined): ((hits: number) => boolean) | undefined | string {
  const t = src?.trim();
  if (!t) return undefined;
  const m = /^(>=|>|==|=|%)?\s*(\d+)$/.exec(t);
  if (!m) return `hit count '${t}' is not understood: use 5, >= 5, > 5, == 5 or % 5`;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>':
      return (h) => h > n;
    case '==':
    case '=':
      return (h) => h === n;
    case '%':
      return (h) => n > 0 && h % n === 0;
    default:
      return (h) => h >= n;
  }
}

/** The extras of a line or function breakpoint, or a message. */
function extras(
  bp: { condition?: string; hitCondition?: string; logMessage?: string },
  tools: FrameTools,
): Pick<UserBreakpoint, 'check' | 'hitCondition' | 'log'> | string {
  const out: Pick<UserBreakpoint, 'check' | 'hitCondition' | 'log'> = {};
  if (bp.condition?.trim()) {
    try {
      checkSyntax(bp.condition);
    } catch (e) {
      return `condition: ${(e as Error).message}`;
    }
    out.check = tools.condition(bp.condition);
  }
  const hc = hitCondition(bp.hitCondition);
  if (typeof hc === 'string') return hc;
  if (hc) out.hitCondition = hc;
  if (bp.logMessage) out.log = tools.log(bp.logMessage);
  return out;
}

/** Breakpoints on the lines of one source file (kernel, or a user program's). */
export function setLineBreakpoints(
  rt: Runtime,
  path: string,
  bps: DebugProtocol.SourceBreakpoint[],
  tools: FrameTools,
): DebugProtocol.Breakpoint[] {
  const installed: UserBreakpoint[] = [];
  const places: { elf: ElfFile; program?: UserProgram }[] = [];
  if (rt.elf) places.push({ elf: rt.elf });
  for (const p of rt.userPrograms) places.push({ elf: p.elf, program: p });
  const out = bps.map((bp): DebugProtocol.Breakpoint => {
    const id = nextId++;
    let reason = `no code for ${path}:${bp.line} in the kernel${rt.userPrograms.length ? ' or the user programs' : ''}`;
    for (const place of places) {
      const syms = symbolsOf(place.elf);
      if (!syms) continue;
      let res;
      try {
        res = syms.resolveLine(path, bp.line);
      } catch (e) {
        reason = (e as Error).message;
        continue;
      }
      if (!res || res.addresses.length === 0) continue;
      const ex = extras(bp, tools);
      if (typeof ex === 'string') return { id, verified: false, line: bp.line, message: ex };
      for (const addr of res.addresses)
        installed.push({ id, addr, kind: 'breakpoint', source: path, program: place.program, ...ex });
      return { id, verified: true, line: res.line, instructionReference: hexAddr(res.addresses[0]!) };
    }
    if (places.every((p) => !symbolsOf(p.elf)))
      reason = 'the kernel has no debug information (build it with -g)';
    return { id, verified: false, line: bp.line, message: reason };
  });
  rt.setUserBreakpoints('breakpoint', installed, path);
  return out;
}

let nextId = 1;

/** A breakpoint condition over the trap names; a message when it does not parse. */
function condition(src: string | undefined): Condition | undefined | string {
  if (!src?.trim()) return undefined;
  try {
    return parseCondition(src, TRAP_NAMES, PRIV_CONSTANTS);
  } catch (e) {
    if (e instanceof ConditionError) return e.message;
    throw e;
  }
}

/** A user function's breakpoint address: after the prologue when the ELF has DWARF. */
function userEntry(program: UserProgram, name: string, fallback: number): number {
  return symbolsOf(program.elf)?.functionByName(name)?.entry ?? fallback;
}

/**
 * `name` in the kernel, `prog:name` in a user program (xv6's leading underscore optional),
 * or a plain name found in exactly one user program. A message when it cannot be placed.
 */
function resolveFunction(rt: Runtime, name: string): { addr: number; program?: UserProgram } | string {
  const colon = name.indexOf(':');
  if (colon > 0) {
    const progName = name.slice(0, colon).replace(/^_/, '');
    const fn = name.slice(colon + 1);
    const program = rt.userPrograms.find((p) => p.name === progName);
    if (!program) {
      return rt.userPrograms.length
        ? `no user program named '${progName}' (in the disk image or the userPrograms folder)`
        : `'${name}' names a user program, but none are loaded (no userPrograms folder, none in the disk image)`;
    }
    const s = program.elf.symbol(fn);
    return s
      ? { addr: userEntry(program, fn, s.value), program }
      : `no function named '${fn}' in user program ${progName}`;
  }
  const d = symbolsOf(rt.elf)?.functionByName(name);
  if (d) return { addr: d.entry };
  const k = rt.elf?.symbol(name);
  if (k && k.value !== 0) return { addr: k.value };
  const inUser = rt.userPrograms.filter((p) => p.elf.symbol(name) !== undefined);
  if (inUser.length === 1)
    return { addr: userEntry(inUser[0]!, name, inUser[0]!.elf.symbol(name)!.value), program: inUser[0] };
  if (inUser.length > 1) {
    return `'${name}' is in several user programs (${inUser.map((p) => p.name).join(', ')}): write program:${name}`;
  }
  return `no function named '${name}' in the kernel`;
}

const hexAddr = (v: number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

export function setFunctionBreakpoints(
  rt: Runtime,
  bps: DebugProtocol.FunctionBreakpoint[],
  tools: FrameTools,
): DebugProtocol.Breakpoint[] {
  const installed: UserBreakpoint[] = [];
  const out = bps.map((bp): DebugProtocol.Breakpoint => {
    const id = nextId++;
    const where = resolveFunction(rt, bp.name.trim());
    if (typeof where === 'string') return { id, verified: false, message: where };
    const ex = extras(bp, tools);
    if (typeof ex === 'string') return { id, verified: false, message: ex };
    installed.push({
      id,
      addr: where.addr,
      kind: 'function breakpoint',
      program: where.program,
      ...ex,
    });
    return { id, verified: true, instructionReference: hexAddr(where.addr) };
  });
  rt.setUserBreakpoints('function breakpoint', installed);
  return out;
}

export function setInstructionBreakpoints(
  rt: Runtime,
  bps: DebugProtocol.InstructionBreakpoint[],
): DebugProtocol.Breakpoint[] {
  const installed: UserBreakpoint[] = [];
  const out = bps.map((bp): DebugProtocol.Breakpoint => {
    const id = nextId++;
    let addr: number;
    try {
      addr = Number(BigInt.asIntN(64, parseAddress(bp.instructionReference, bp.offset ?? 0)));
    } catch (e) {
      return { id, verified: false, message: (e as Error).message };
    }
    const cond = condition(bp.condition);
    if (typeof cond === 'string') return { id, verified: false, message: cond };
    installed.push({ id, addr, kind: 'instruction breakpoint', condition: cond });
    return { id, verified: true, instructionReference: hexAddr(addr) };
  });
  rt.setUserBreakpoints('instruction breakpoint', installed);
  return out;
}

export function setExceptionFilters(
  rt: Runtime,
  args: DebugProtocol.SetExceptionBreakpointsArguments,
): DebugProtocol.Breakpoint[] {
  const known = new Set<string>(EXCEPTION_FILTERS.map((f) => f.id));
  const wanted: { id: ExceptionFilterId; condition?: string }[] = [];
  const unknown: string[] = [];
  for (const id of args.filters) {
    if (known.has(id)) wanted.push({ id: id as ExceptionFilterId });
    else unknown.push(id);
  }
  for (const o of args.filterOptions ?? []) {
    if (known.has(o.filterId)) wanted.push({ id: o.filterId as ExceptionFilterId, condition: o.condition });
    else unknown.push(o.filterId);
  }
  const errors = rt.setExceptionFilters(wanted);
  const out: DebugProtocol.Breakpoint[] = wanted.map((_w, i) => {
    const message = errors[i];
    return message ? { verified: false, message } : { verified: true };
  });
  for (const u of unknown) out.push({ verified: false, message: `unknown exception filter '${u}'` });
  return out;
}

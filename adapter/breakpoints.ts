/**
 * Turning the breakpoint requests of the Debug Adapter Protocol into runtime
 * breakpoints: function breakpoints resolve kernel function names through the ELF symbol
 * table, instruction breakpoints parse addresses, and both may carry a condition in the
 * small expression language of condition.ts (no eval). Exception filters are checked
 * against the known ids. Each unresolvable breakpoint comes back unverified with a reason.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Runtime, UserBreakpoint } from './runtime';
import type { UserProgram } from './userprogs';
import { ConditionError, PRIV_CONSTANTS, TRAP_NAMES, parseCondition, type Condition } from './condition';
import { parseAddress } from './views';
import { EXCEPTION_FILTERS } from './traps';
import type { ExceptionFilterId } from './protocol';

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
        ? `no user program named '${progName}' in userPrograms`
        : `'${name}' names a user program, but the launch configuration has no userPrograms folder`;
    }
    const s = program.elf.symbol(fn);
    return s ? { addr: s.value, program } : `no function named '${fn}' in user program ${progName}`;
  }
  const k = rt.elf?.symbol(name);
  if (k && k.value !== 0) return { addr: k.value };
  const inUser = rt.userPrograms.filter((p) => p.elf.symbol(name) !== undefined);
  if (inUser.length === 1) return { addr: inUser[0]!.elf.symbol(name)!.value, program: inUser[0] };
  if (inUser.length > 1) {
    return `'${name}' is in several user programs (${inUser.map((p) => p.name).join(', ')}): write program:${name}`;
  }
  return `no function named '${name}' in the kernel`;
}

const hexAddr = (v: number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

export function setFunctionBreakpoints(
  rt: Runtime,
  bps: DebugProtocol.FunctionBreakpoint[],
): DebugProtocol.Breakpoint[] {
  const installed: UserBreakpoint[] = [];
  const out = bps.map((bp): DebugProtocol.Breakpoint => {
    const id = nextId++;
    const where = resolveFunction(rt, bp.name.trim());
    if (typeof where === 'string') return { id, verified: false, message: where };
    const cond = condition(bp.condition);
    if (typeof cond === 'string') return { id, verified: false, message: cond };
    installed.push({
      id,
      addr: where.addr,
      kind: 'function breakpoint',
      condition: cond,
      program: where.program,
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

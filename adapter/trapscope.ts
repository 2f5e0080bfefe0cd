/**
 * The "Trap" scope: at a stop that has to do with a trap (an exception filter's stop, a
 * panic, a stack through a trap handler such as usertrap or kerneltrap) the first scope
 * answers what a student asks first: which trap (scause in words), at which address
 * (stval), where (sepc as `function (file:line)`, in the user program for a trap from
 * user space), from which privilege, in which process. The trap is the one the call
 * stack crossed (stack.ts recovers it where the CSRs have since changed); without one,
 * the CSRs of the latest trap. Codes: privileged spec 4.1.8-4.1.9, table 4.2.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename } from 'node:path';
import { Priv, type HartApi } from '../emulator/types';
import { codeSymbolAt, symbolsOf } from './debuginfo';
import type { ProcessInfo } from './protocol';
import type { SourceFrame } from './stack';
import { csrTrap, type StackTrap } from './stack-trap';

/** Kernel functions that handle a trap: a stack through one is about that trap. */
const TRAP_HANDLERS = new Set(['usertrap', 'kerneltrap', 'devintr']);

const CSR_SSTATUS = 0x100;

/** The trap a stop is about, and the frame of the code it interrupted when the stack has it. */
export interface StopTrap {
  trap: StackTrap;
  /** The interrupted code's innermost frame. */
  frame: SourceFrame | undefined;
}

/**
 * The trap of a stopped hart's stack: the innermost trap the stack crosses; else, when
 * the stack runs a trap handler or the stop is a trap's (`trapStop`), the latest trap's
 * CSRs; else undefined (no Trap scope).
 */
export function stopTrap(
  frames: readonly SourceFrame[],
  hart: HartApi,
  trapStop: boolean,
): StopTrap | undefined {
  const label = frames.find((f) => f.label && f.trap);
  if (label?.trap) {
    const next = frames[label.index + 1];
    return { trap: label.trap, frame: next && !next.label ? next : undefined };
  }
  const handler = frames.some((f) => !f.label && !f.user && TRAP_HANDLERS.has(f.name));
  if (!trapStop && !handler) return undefined;
  // sstatus.SPP (privileged spec 4.1.1): the privilege the latest trap into S came from.
  const fromUser = ((hart.readCsr(CSR_SSTATUS) ?? 0n) & (1n << 8n)) === 0n;
  return { trap: csrTrap(hart, fromUser), frame: undefined };
}

const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

/** A frame as `function (file:line)`, without the program suffix of user frames. */
export function frameWhere(f: SourceFrame): string {
  const suffix = f.program ? ` (${f.program.name})` : '';
  const fn = suffix && f.name.endsWith(suffix) ? f.name.slice(0, -suffix.length) : f.name;
  if (f.line) return `${fn} (${basename(f.line.file)}:${f.line.line})`;
  return fn.includes(hex(f.pc)) ? fn : `${fn} at ${hex(f.pc)}`;
}

/** A kernel pc as `function (file:line)` (the trap's frame is not on the stack). */
function kernelWhere(kernel: Parameters<typeof codeSymbolAt>[0], pc: number): string {
  const sym = codeSymbolAt(kernel, pc);
  const line = symbolsOf(kernel)?.lineAt(pc);
  const fn = sym?.name ?? hex(pc);
  return line ? `${fn} (${basename(line.file)}:${line.line})` : sym ? `${fn} at ${hex(pc)}` : fn;
}

export interface TrapScopeInput {
  stop: StopTrap;
  kernel: Parameters<typeof codeSymbolAt>[0];
  /** The process the hart runs, if the process table is readable. */
  process: ProcessInfo | undefined;
}

/** The rows of the Trap scope. */
export function trapVariables(input: TrapScopeInput): DebugProtocol.Variable[] {
  const { trap, frame } = input.stop;
  const row = (
    name: string,
    value: string,
    extra: Partial<DebugProtocol.Variable> = {},
  ): DebugProtocol.Variable => ({
    name,
    value,
    variablesReference: 0,
    ...extra,
  });
  const out: DebugProtocol.Variable[] = [];
  const kind = trap.interrupt ? 'interrupt' : 'exception';
  out.push(
    row('scause', trap.cause === undefined ? 'unknown' : `${trap.cause} ${trap.causeText}`, {
      type: kind,
    }),
  );
  out.push(row('stval', trap.stval === undefined ? 'unknown' : hex(trap.stval)));
  const where = frame
    ? frameWhere(frame)
    : trap.fromUser
      ? `user code at ${hex(trap.sepc)}`
      : kernelWhere(input.kernel, trap.sepc);
  out.push(row('sepc', where, { memoryReference: hex(trap.sepc) }));
  out.push(
    row(
      'privilege',
      trap.fromUser
        ? `${privText(Priv.U)}: a trap from user space`
        : `${privText(Priv.S)}: a trap from the kernel`,
    ),
  );
  const p = input.process;
  if (p) out.push(row('process', `pid ${p.pid} (${p.name})`));
  else if (frame?.program) out.push(row('process', `${frame.program.name} (pid unknown)`));
  return out;
}

function privText(p: Priv): string {
  return p === Priv.U ? 'U-mode' : 'S-mode';
}

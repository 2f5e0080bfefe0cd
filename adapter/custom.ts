/**
 * The custom requests of protocol.ts (`xv6.processes`, `xv6.pageTable`, `xv6.trapLog`,
 * `xv6.consoleInput`, `xv6.harts`), answered from the runtime. The process table needs the kernel's
 * `struct proc` layout, which comes from its debug information: until a `ProcessSource`
 * is installed (the DWARF half of the adapter), the list is empty with a note saying why.
 */
import type { Runtime } from './runtime';
import { Priv } from '../emulator/types';
import type {
  ConsoleInputArguments,
  HartsResponse,
  PageTableArguments,
  PageTableResponse,
  ProcessInfo,
  ProcessesResponse,
  TrapLogArguments,
  TrapLogResponse,
  Xv6RequestName,
  Xv6ResponseBody,
} from './protocol';
import { walkPageTable } from './pagetable';
import { userSegments, type UserSegment } from './userlayout';

/** Reads the kernel's process table (provided once the kernel's DWARF is understood). */
export interface ProcessSource {
  processes(): ProcessInfo[];
  /** The used slots as the trap log matches traps to them, read cheaply (trap-owner.ts). */
  owners(): ProcessOwner[];
}

/** A process by what its traps carry: its page table's root and its kernel stack (0: none). */
export interface ProcessOwner {
  pid: number;
  name: string;
  /** Physical address of the root page table (`pagetable`). */
  root: number;
  kstack: number;
}

export interface CustomContext {
  runtime: Runtime;
  currentHart: number;
  processSource?: ProcessSource;
}

const SATP = 0x180;

export class RequestError extends Error {
  override name = 'RequestError';
}

function obj(args: unknown): Record<string, unknown> {
  return typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {};
}

/** The response body of a custom request, or undefined for an unknown command. */
export function handleCustomRequest(
  command: string,
  args: unknown,
  ctx: CustomContext,
): Xv6ResponseBody<Xv6RequestName> | undefined {
  switch (command) {
    case 'xv6.processes':
      return processes(ctx);
    case 'xv6.pageTable':
      return pageTable(obj(args), ctx);
    case 'xv6.trapLog':
      return trapLog(obj(args), ctx);
    case 'xv6.consoleInput': {
      const a = obj(args) as Partial<ConsoleInputArguments>;
      if (typeof a.text !== 'string') throw new RequestError('xv6.consoleInput needs { text: string }');
      ctx.runtime.consoleInput(a.text);
      return {};
    }
    case 'xv6.harts':
      return harts(ctx);
    default:
      return undefined;
  }
}

function processes(ctx: CustomContext): ProcessesResponse {
  if (!ctx.processSource) {
    return {
      processes: [],
      note: "the process table needs the kernel's debug information (struct proc), which is not loaded",
    };
  }
  return { processes: ctx.processSource.processes() };
}

/** The segments of the user program a process runs, when its ELF (by name) is loaded. */
function segmentsOf(name: string, ctx: CustomContext): UserSegment[] | undefined {
  const program = ctx.runtime.userPrograms.find((p) => p.name === name);
  return program ? userSegments(program.elf) : undefined;
}

function pageTable(a: PageTableArguments, ctx: CustomContext): PageTableResponse {
  const machine = ctx.runtime.machine;
  let satp: bigint | undefined;
  let sz: number | undefined;
  let segments: UserSegment[] | undefined;
  if (a.satp !== undefined) {
    try {
      satp = BigInt(a.satp);
    } catch {
      throw new RequestError(`satp must be a number such as 0x8000000000087fff, not ${String(a.satp)}`);
    }
  } else if (a.pid !== undefined) {
    if (!ctx.processSource)
      throw new RequestError(
        `cannot find process ${a.pid}: the kernel's process table is not readable without its debug information`,
      );
    const p = ctx.processSource.processes().find((x) => x.pid === a.pid);
    if (!p) throw new RequestError(`there is no process with pid ${a.pid}`);
    satp = BigInt(p.satp);
    sz = p.sz;
    segments = segmentsOf(p.name, ctx);
  } else {
    const hartId = a.hart ?? ctx.currentHart;
    const hart = machine.harts[hartId];
    if (!hart) throw new RequestError(`there is no hart ${hartId}`);
    satp = hart.readCsr(SATP) ?? 0n;
    const running = ctx.processSource?.processes().find((p) => p.hart === hartId && BigInt(p.satp) === satp);
    if (running) {
      sz = running.sz;
      segments = segmentsOf(running.name, ctx);
    }
  }
  return walkPageTable(machine, { satp, sz, ...(segments ? { segments } : {}) });
}

function trapLog(a: TrapLogArguments, ctx: CustomContext): TrapLogResponse {
  const limit = typeof a.limit === 'number' && a.limit > 0 ? Math.floor(a.limit) : undefined;
  return { traps: ctx.runtime.traps.latest(limit), total: ctx.runtime.traps.total };
}

const PRIV_LETTER = { [Priv.U]: 'U', [Priv.S]: 'S', [Priv.M]: 'M' } as const;

function harts(ctx: CustomContext): HartsResponse {
  const rt = ctx.runtime;
  let procs: ProcessInfo[] = [];
  try {
    procs = ctx.processSource?.processes() ?? [];
  } catch {
    procs = [];
  }
  return {
    running: rt.isRunning,
    harts: rt.machine.harts.map((h) => {
      const pc = h.getPc();
      const { elf, program } = rt.symbolsFor(h, pc);
      const sym = elf?.symbolAt(Number(BigInt.asIntN(64, pc)));
      const p = procs.find((x) => x.hart === h.id);
      return {
        hart: h.id,
        priv: PRIV_LETTER[h.priv],
        pc: `0x${pc.toString(16).padStart(16, '0')}`,
        func: sym ? (program ? `${program.name}:${sym.name}` : sym.name) : undefined,
        idle: h.waiting,
        satp: `0x${(h.readCsr(SATP) ?? 0n).toString(16).padStart(16, '0')}`,
        pid: p?.pid,
        name: p?.name,
        instret: h.instret,
      };
    }),
  };
}

/**
 * Debug-console commands for what has no DAP request: `pagetable [pid]` prints a
 * process's Sv39 tree as text in the shape of xv6's vmprint (one line per valid entry,
 * indented by depth, with the PTE, the physical address and the flags), `ps` the process
 * table, `bt` the current hart's backtrace, `help` the list. Anything else is left to the
 * expression evaluator (the caller gets undefined).
 */
import { handleCustomRequest, type ProcessSource } from './custom';
import type { Runtime } from './runtime';
import type { PageTableEntryInfo, PageTableResponse, ProcessesResponse } from './protocol';

export interface CommandContext {
  runtime: Runtime;
  hart: number;
  processSource: ProcessSource | undefined;
  backtrace: () => string[];
}

const HELP = [
  'commands: pagetable [pid]   the Sv39 page table of a process (default: the one this hart runs)',
  '          ps                the process table',
  '          bt                the backtrace of this hart',
  'anything else is evaluated as a C expression (p->sz, *p->trapframe, $a0, (struct proc *)0x...)',
].join('\n');

/** vmprint-like text of a page-table walk. */
export function pageTableText(pt: PageTableResponse): string {
  const lines = [`page table ${pt.rootPa} (satp ${pt.satp}, ${pt.mode})`];
  const visit = (entries: PageTableEntryInfo[], depth: number): void => {
    for (const e of entries) {
      const dots = Array.from({ length: depth }, () => '..').join(' ');
      lines.push(
        `${dots}${e.index}: pte ${e.raw} pa ${e.pa} ${e.flags} va ${e.vaStart}-${e.vaEnd}${e.invalid ? ` (${e.invalid})` : ''}`,
      );
      if (e.children) visit(e.children, depth + 1);
    }
  };
  visit(pt.entries, 1);
  for (const p of pt.problems) lines.push(`problem: ${p}`);
  return lines.join('\n');
}

export function replCommand(line: string, ctx: CommandContext): string | undefined {
  const [cmd, ...rest] = line.trim().split(/\s+/);
  const custom = (command: string, args: unknown): unknown =>
    handleCustomRequest(command, args, {
      runtime: ctx.runtime,
      currentHart: ctx.hart,
      processSource: ctx.processSource,
    });
  switch (cmd) {
    case 'help':
      return HELP;
    case 'bt':
    case 'backtrace':
      return rest.length ? undefined : ctx.backtrace().join('\n');
    case 'ps': {
      if (rest.length) return undefined;
      const r = custom('xv6.processes', {}) as ProcessesResponse;
      if (r.note) return r.note;
      const rows = r.processes.map(
        (p) =>
          `${String(p.pid).padStart(4)}  ${p.state.padEnd(9)} ${p.name.padEnd(16)} sz ${('0x' + p.sz.toString(16)).padEnd(10)}${p.hart !== undefined ? ` on hart ${p.hart}` : ''}`,
      );
      return ['  PID  STATE     NAME             SIZE', ...rows].join('\n');
    }
    case 'pagetable':
    case 'vmprint': {
      if (rest.length > 1 || (rest[0] !== undefined && !/^\d+$/.test(rest[0]))) return undefined;
      const args = rest[0] !== undefined ? { pid: Number(rest[0]) } : { hart: ctx.hart };
      return pageTableText(custom('xv6.pageTable', args) as PageTableResponse);
    }
    default:
      return undefined;
  }
}

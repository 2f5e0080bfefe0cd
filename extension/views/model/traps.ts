/**
 * The Traps view's model: the trap log read at a stop (`xv6.trapLog`) plus the traps
 * that `xv6.trap` events report while the guest runs, kept bounded, latest first; which
 * of them the view's filter shows (exceptions always; interrupts and system calls when
 * asked), consecutive repeats grouped (same hart, cause, process and function: one row
 * `×N`), and the rows: cause in words, process, stval, sepc as function (program) and
 * instruction count; and the source location of a sepc from a `disassemble` response
 * with resolveSymbols.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TrapEventBody, TrapLogEntry } from '../../../adapter/protocol';
import { shortHex } from './format';
import type { Row } from './rows';

/** How many traps the view keeps (the log request asks for as many). */
export const TRAP_LIMIT = 200;

export interface TrapItem {
  /** Unique while the session lasts: traps are numbered as they arrive. */
  seq: number;
  trap: TrapLogEntry;
}

/** The traps shown: replaced by the log at each stop, extended by events meanwhile. */
export class TrapList {
  private items: TrapItem[] = [];
  private seq = 0;
  /** Traps the adapter reported as taken but did not send (rate limit). */
  dropped = 0;
  /** Traps taken since launch, as the last log said. */
  total = 0;

  constructor(private readonly limit = TRAP_LIMIT) {}

  /** The log read at a stop (oldest first, as the adapter sends it). */
  replace(traps: readonly TrapLogEntry[], total: number): void {
    this.items = traps.slice(-this.limit).map((trap) => ({ seq: ++this.seq, trap }));
    this.total = total;
    this.dropped = 0;
  }

  /** Traps an `xv6.trap` event reports while the guest runs. */
  append(ev: TrapEventBody): void {
    for (const trap of ev.traps) this.items.push({ seq: ++this.seq, trap });
    this.total += ev.traps.length + ev.dropped;
    this.dropped += ev.dropped;
    if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  clear(): void {
    this.items = [];
    this.total = 0;
    this.dropped = 0;
  }

  /** Latest first. */
  latest(): TrapItem[] {
    return [...this.items].reverse();
  }

  get size(): number {
    return this.items.length;
  }
}

// ---- filter and groups -------------------------------------------------------------

/** Which traps besides exceptions the view shows (kept in the workspace state). */
export interface TrapFilter {
  interrupts: boolean;
  systemCalls: boolean;
}

/** Exceptions only: what a student looks for (page faults, illegal instructions, ...). */
export const DEFAULT_FILTER: TrapFilter = { interrupts: false, systemCalls: false };

export type TrapKind = 'exception' | 'interrupt' | 'systemCall';

/** Interrupt (timer, software, external), system call (ecall) or another exception. */
export function kindOf(t: Pick<TrapLogEntry, 'interrupt' | 'cause'>): TrapKind {
  if (t.interrupt) return 'interrupt';
  return t.cause === 8 || t.cause === 9 || t.cause === 11 ? 'systemCall' : 'exception';
}

/** The filter from a stored value, anything unexpected read as the default. */
export function filterFrom(v: unknown): TrapFilter {
  const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  return { interrupts: o.interrupts === true, systemCalls: o.systemCalls === true };
}

/** Consecutive traps alike (same hart, cause, process and function), latest first. */
export type TrapGroup = TrapItem[];

export interface Shown {
  groups: TrapGroup[];
  /** Traps of the list the filter hides, by kind. */
  hidden: { interrupts: number; systemCalls: number };
}

const sameKind = (a: TrapLogEntry, b: TrapLogEntry): boolean =>
  a.hart === b.hart &&
  a.interrupt === b.interrupt &&
  a.cause === b.cause &&
  a.from === b.from &&
  a.pid === b.pid &&
  a.process === b.process &&
  (a.func ?? a.epc) === (b.func ?? b.epc);

/** What the view shows of `items` (latest first) under `filter`: groups of repeats, and what it hides. */
export function shownTraps(items: readonly TrapItem[], filter: TrapFilter): Shown {
  const groups: TrapGroup[] = [];
  const hidden = { interrupts: 0, systemCalls: 0 };
  for (const it of items) {
    const kind = kindOf(it.trap);
    if (kind === 'interrupt' && !filter.interrupts) hidden.interrupts++;
    else if (kind === 'systemCall' && !filter.systemCalls) hidden.systemCalls++;
    else {
      const last = groups.at(-1);
      if (last && sameKind(last[0]!.trap, it.trap)) last.push(it);
      else groups.push([it]);
    }
  }
  return { groups, hidden };
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** What the title bar says is shown: `exceptions`, `exceptions, interrupts`, `all traps`. */
export function filterDescription(f: TrapFilter): string {
  if (f.interrupts && f.systemCalls) return 'all traps';
  return [
    'exceptions',
    ...(f.interrupts ? ['interrupts'] : []),
    ...(f.systemCalls ? ['system calls'] : []),
  ].join(', ');
}

/** The line above the rows saying how many the filter hides, or undefined when none. */
export function hiddenMessage(s: Shown): string | undefined {
  const parts: string[] = [];
  if (s.hidden.interrupts) parts.push(plural(s.hidden.interrupts, 'interrupt', 'interrupts'));
  if (s.hidden.systemCalls) parts.push(plural(s.hidden.systemCalls, 'system call', 'system calls'));
  if (!parts.length) return undefined;
  return `Hidden: ${parts.join(' and ')} (show them from the title bar).`;
}

// ---- rows ----------------------------------------------------------------------------

/** `sparse_memory (lazytests)`, `usertrap`, `0x32c (user)`: where sepc is. */
export function sepcText(t: TrapLogEntry): string {
  const colon = t.func?.indexOf(':') ?? -1;
  if (t.func && colon > 0) return `${t.func.slice(colon + 1)} (${t.func.slice(0, colon)})`;
  if (t.func) return t.func;
  if (t.program) return `${shortHex(t.epc)} (${t.program})`;
  return t.from === 'U' ? `${shortHex(t.epc)} (user)` : shortHex(t.epc);
}

/** `pid 4 lazytests`, or `no process` (the scheduler, M-mode, or not known). */
export function processText(t: TrapLogEntry): string {
  return t.pid === undefined ? 'no process' : `pid ${t.pid}${t.process ? ` ${t.process}` : ''}`;
}

const count = (n: number): string => n.toLocaleString('en-US');

function description(t: TrapLogEntry, instret: string): string {
  const parts = [processText(t)];
  if (!t.interrupt) parts.push(`stval ${shortHex(t.tval)}`);
  parts.push(`sepc ${sepcText(t)}`, `hart ${t.hart}`, `insn ${instret}`);
  return parts.join(' · ');
}

function icon(t: TrapLogEntry): string {
  const kind = kindOf(t);
  if (kind === 'interrupt') return 'bell';
  if (kind === 'systemCall') return 'symbol-method';
  return /page fault/i.test(t.name) ? 'file-symlink-file' : 'debug-breakpoint-log';
}

export function trapRow(it: TrapItem, idPrefix: string): Row {
  const t = it.trap;
  const kind = t.interrupt ? 'interrupt' : kindOf(t) === 'systemCall' ? 'system call' : 'exception';
  return {
    id: `${idPrefix}/t${it.seq}`,
    label: t.name,
    description: description(t, count(t.instret)),
    tooltip: [
      `${t.name} (${kind}, scause ${t.interrupt ? '0x8000000000000000 | ' : ''}${t.cause})`,
      `hart ${t.hart}, ${t.from}-mode -> ${t.to}-mode, after ${count(t.instret)} instructions`,
      t.pid !== undefined
        ? `process: pid ${t.pid}${t.process ? ` (${t.process})` : ''}`
        : 'process: none (the scheduler, M-mode, or not known)',
      `stval ${t.tval}`,
      `sepc  ${t.epc} in ${sepcText(t)}`,
      'Click to reveal the source of sepc.',
    ].join('\n'),
    collapsible: 'none',
    contextValue: 'xv6.trap',
    icon: icon(t),
  };
}

/** One row for consecutive repeats (`×N`), expanding to each; a single trap is its own row. */
export function groupRow(g: TrapGroup, idPrefix: string): Row {
  if (g.length === 1) return trapRow(g[0]!, idPrefix);
  const latest = g[0]!.trap;
  const oldest = g[g.length - 1]!;
  const first = oldest.trap;
  return {
    // The oldest member stays while newer repeats join at the top.
    id: `${idPrefix}/g${oldest.seq}`,
    label: `${latest.name} ×${g.length}`,
    description: description(latest, `${count(first.instret)}–${count(latest.instret)}`),
    tooltip: [
      `${g.length} ${latest.name} traps in a row on hart ${latest.hart}`,
      `${processText(latest)}, sepc in ${sepcText(latest)}`,
      `instructions ${count(first.instret)} to ${count(latest.instret)}`,
      'Expand to see each.',
    ].join('\n'),
    collapsible: 'collapsed',
    contextValue: 'xv6.trapGroup',
    icon: icon(latest),
  };
}

/** A row that says how many traps are not shown, or undefined when all are. */
export function summaryRow(list: TrapList, idPrefix: string): Row | undefined {
  const hidden = list.total - list.size;
  if (hidden <= 0) return undefined;
  return {
    id: `${idPrefix}/summary`,
    label: `${list.total} traps since launch; the latest ${list.size} are kept`,
    ...(list.dropped
      ? {
          tooltip: `${list.dropped} traps while running were only counted (the adapter rate-limits its events)`,
        }
      : {}),
    collapsible: 'none',
    contextValue: 'xv6.note',
    icon: 'info',
  };
}

export interface SourceLocation {
  path: string;
  line: number;
  column?: number;
}

/** The source line of the first instruction of a `disassemble` response, if it has one. */
export function sourceOf(
  body: DebugProtocol.DisassembleResponse['body'] | undefined,
): SourceLocation | undefined {
  const insn = body?.instructions[0];
  const path = insn?.location?.path;
  if (!insn || !path || insn.line === undefined || insn.line <= 0) return undefined;
  return { path, line: insn.line, ...(insn.column ? { column: insn.column } : {}) };
}

/** Why a trap's sepc has no source, in one sentence. */
export function noSourceMessage(t: TrapLogEntry): string {
  const where = `sepc ${shortHex(t.epc)}`;
  if (t.from === 'U' && t.program)
    return `${where} is in ${sepcText(t)}, but its source line is not known (is the program built with -g, and the trap's process still running?)`;
  if (t.from === 'U')
    return `${where} is in user code of no known program: its process may have exited or exec'd since (user programs come from the disk image and the userPrograms folder)`;
  return `${where}${t.func ? ` (${t.func})` : ''} has no source line in the kernel's debug information`;
}

/**
 * The Traps view's model: the trap log read at a stop (`xv6.trapLog`) plus the traps
 * that `xv6.trap` events report while the guest runs, kept bounded, latest first, as rows
 * (cause in words, hart, pid when known, stval, sepc and its function); and the source
 * location of a sepc from a `disassemble` response with resolveSymbols.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { HartInfo, TrapEventBody, TrapLogEntry } from '../../../adapter/protocol';
import { shortHex } from './format';
import type { Row } from './rows';

/** How many traps the view keeps (the log request asks for as many). */
export const TRAP_LIMIT = 200;

export interface TrapItem {
  /** Unique while the session lasts: traps are numbered as they arrive. */
  seq: number;
  trap: TrapLogEntry;
  /** The process the trap interrupted, when known. */
  pid?: number;
  name?: string;
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

  /**
   * Name the process of each hart's latest trap from user mode: the hart still runs the
   * process it trapped from (a trap from U is what brought it into the kernel). Older
   * traps stay without a pid: the hart may have switched processes since.
   */
  attributePids(harts: readonly HartInfo[]): void {
    const seen = new Set<number>();
    for (let i = this.items.length - 1; i >= 0; i--) {
      const it = this.items[i]!;
      if (seen.has(it.trap.hart)) continue;
      seen.add(it.trap.hart);
      const h = harts.find((x) => x.hart === it.trap.hart);
      if (it.trap.from === 'U' && h?.pid !== undefined) {
        it.pid = h.pid;
        if (h.name !== undefined) it.name = h.name;
      }
    }
  }
}

export function trapRow(it: TrapItem, idPrefix: string): Row {
  const t = it.trap;
  const parts = [`hart ${t.hart}`];
  if (it.pid !== undefined) parts.push(`pid ${it.pid}`);
  if (!t.interrupt) parts.push(`stval ${shortHex(t.tval)}`);
  parts.push(`sepc ${shortHex(t.epc)}${t.func ? ` ${t.func}` : t.from === 'U' ? ' (user)' : ''}`);
  const kind = t.interrupt ? 'interrupt' : 'exception';
  return {
    id: `${idPrefix}/t${it.seq}`,
    label: t.name,
    description: parts.join(' · '),
    tooltip: [
      `${t.name} (${kind}, scause ${t.interrupt ? '0x8000000000000000 | ' : ''}${t.cause})`,
      `hart ${t.hart}, ${t.from}-mode -> ${t.to}-mode, after ${t.instret} instructions`,
      ...(it.pid !== undefined ? [`process: pid ${it.pid}${it.name ? ` (${it.name})` : ''}`] : []),
      `stval ${t.tval}`,
      `sepc  ${t.epc}${t.func ? ` in ${t.func}` : ''}`,
      'Click to reveal the source of sepc.',
    ].join('\n'),
    collapsible: 'none',
    contextValue: 'xv6.trap',
    icon: t.interrupt ? 'bell' : /page fault/i.test(t.name) ? 'file-symlink-file' : 'debug-breakpoint-log',
  };
}

/** A row that says how many traps are not shown, or undefined when all are. */
export function summaryRow(list: TrapList, idPrefix: string): Row | undefined {
  const hidden = list.total - list.size;
  if (hidden <= 0) return undefined;
  return {
    id: `${idPrefix}/summary`,
    label: `${list.total} traps since launch; the latest ${list.size} are shown`,
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
  if (t.from === 'U')
    return `${where} is in user code: no source for it (set "userPrograms" in launch.json to the folder of user/_* programs, and stop while that process runs)`;
  return `${where}${t.func ? ` (${t.func})` : ''} has no source line in the kernel's debug information`;
}

/**
 * The Page Tables view's model: rows for the process table (`xv6.processes`), a
 * process's page table (`xv6.pageTable {pid}`) as merged leaf ranges or as the Sv39 tree
 * (L2 -> L1 -> L0, privileged spec 4.4), and where to read a mapped page's memory. The
 * view layer (extension/views/pageTablesView.ts) only maps these rows to tree items.
 */
import type {
  HartInfo,
  MappedRange,
  PageTableEntryInfo,
  PageTableResponse,
  ProcessInfo,
} from '../../../adapter/protocol';
import { flagsSpelledOut, humanSize, permissionLetters, shortHex, sizeText } from './format';
import type { Row } from './rows';

export type PageTableMode = 'tree' | 'ranges';

export function parseMode(v: unknown): PageTableMode {
  return v === 'tree' ? 'tree' : 'ranges';
}

/** Processes the view lists: every slot in use (UNUSED slots are not processes). */
export function listedProcesses(ps: readonly ProcessInfo[]): ProcessInfo[] {
  return ps.filter((p) => p.state.toLowerCase() !== 'unused');
}

/**
 * The process on the hart that stopped: from the harts' `pid`, else the process table's
 * `hart` field; without a known stopped hart, the first process running anywhere.
 */
export function currentPid(
  ps: readonly ProcessInfo[],
  harts: readonly HartInfo[] | undefined,
  stoppedHart: number | undefined,
): number | undefined {
  if (stoppedHart !== undefined) {
    const h = harts?.find((x) => x.hart === stoppedHart);
    if (h?.pid !== undefined) return h.pid;
    const p = ps.find((x) => x.hart === stoppedHart);
    if (p) return p.pid;
    return undefined;
  }
  return ps.find((x) => x.hart !== undefined)?.pid;
}

export function processRow(p: ProcessInfo, current: boolean, idPrefix: string): Row {
  const where = p.hart !== undefined ? ` · hart ${p.hart}` : '';
  return {
    // VS Code keeps an item's expansion by id: a process that becomes current gets a new
    // id, so it opens expanded, and keeps what the user chose while it stays current.
    id: `${idPrefix}/pid${p.pid}${current ? '/current' : ''}`,
    label: `${p.pid} ${p.name}`,
    description: `${p.state} · sz ${sizeText(p.sz)}${where}${current ? ' · current' : ''}`,
    tooltip: [
      `pid ${p.pid} (${p.name})${current ? ', the process on the stopped hart' : ''}`,
      `state: ${p.state}`,
      `sz: ${sizeText(p.sz)} of user memory`,
      `satp: ${p.satp}`,
      p.hart !== undefined ? `running on hart ${p.hart}` : 'not running on any hart',
    ].join('\n'),
    collapsible: current ? 'expanded' : 'collapsed',
    contextValue: 'xv6.process',
    icon: current ? 'debug-stackframe' : p.hart !== undefined ? 'play' : 'circle-outline',
  };
}

/** The page of a row that can be opened in the memory inspector. */
export interface PageRef {
  /** First virtual address of the row (hex). */
  va: string;
  /** Physical address the row maps (hex). */
  pa: string;
  /** The satp of the table it belongs to (hex). */
  satp: string;
}

/** A row plus what a context action needs to know about it. */
export interface PageRow extends Row {
  page?: PageRef;
  /** Children (tree mode) of an entry that points at the next level. */
  children?: PageTableEntryInfo[];
}

const LABEL_TEXT: Record<string, string> = {
  lazy: 'lazy: below sz but not mapped yet; the first access faults and usertrap allocates the page',
  guard: 'guard: no U bit, so a user stack overflow faults instead of corrupting memory',
  trampoline: 'trampoline: the trap entry/exit code, mapped at the same address in every table',
  trapframe: "trapframe: where the trap entry saves the process's registers",
  'kernel-stack': 'kernel stack of a process slot',
  text: "text: the program's instructions (its ELF's executable segment)",
  data: "data: the program's initialized data and bss (its ELF's other loadable segment)",
  'text+data':
    "text and data: the program as exec loaded it below the guard page (add the program's ELF to userPrograms to tell them apart)",
  stack: 'stack: the user stack exec set up above the guard page; sp starts at its top',
  heap: 'heap: memory sbrk added above the stack, up to sz',
};

const rangeText = (start: string, end: string): string => `${shortHex(start)}-${shortHex(end)}`;

/** The leaf entries of a walked tree, by the first virtual address they map. */
export function leavesByVa(entries: readonly PageTableEntryInfo[]): Map<bigint, PageTableEntryInfo> {
  const out = new Map<bigint, PageTableEntryInfo>();
  const visit = (es: readonly PageTableEntryInfo[]): void => {
    for (const e of es) {
      if (e.leaf) out.set(BigInt(e.vaStart), e);
      if (e.children) visit(e.children);
    }
  };
  visit(entries);
  return out;
}

function pteLines(e: PageTableEntryInfo): string[] {
  return [
    `PTE ${e.raw} (level ${e.level}, index ${e.index})`,
    `PA ${shortHex(e.pa)}`,
    `flags ${e.flags}: ${flagsSpelledOut(e.flags)}`,
  ];
}

/** One row per merged range (ranges mode). */
export function rangeRows(pt: PageTableResponse, idPrefix: string): PageRow[] {
  const leaves = leavesByVa(pt.entries);
  const rows: PageRow[] = pt.ranges.map((r) => rangeRow(r, pt.satp, leaves, idPrefix));
  return [...problemRows(pt, idPrefix), ...rows];
}

function rangeRow(
  r: MappedRange,
  satp: string,
  leaves: Map<bigint, PageTableEntryInfo>,
  idPrefix: string,
): PageRow {
  const bytes = r.pages * r.pageSize;
  const pages = r.pages === 1 ? '1 page' : `${r.pages} pages`;
  const label = r.label ? ` · ${r.label}` : '';
  const id = `${idPrefix}/r${r.vaStart}`;
  if (r.pa === undefined) {
    return {
      id,
      label: rangeText(r.vaStart, r.vaEnd),
      description: `not mapped · ${pages} (${humanSize(bytes)})${label}`,
      tooltip: [
        `VA ${rangeText(r.vaStart, r.vaEnd)}: ${pages}, ${humanSize(bytes)}`,
        'no physical page (no PTE yet)',
        ...(r.label ? [LABEL_TEXT[r.label] ?? r.label] : []),
      ].join('\n'),
      collapsible: 'none',
      contextValue: 'xv6.lazyRange',
      icon: 'circle-large-outline',
    };
  }
  const first = leaves.get(BigInt(r.vaStart));
  const paEnd = '0x' + (BigInt(r.pa) + BigInt(bytes)).toString(16);
  const perms = permissionLetters(r.flags) || 'no access';
  const size = r.pageSize === 4096 ? '' : ` of ${humanSize(r.pageSize)}`;
  return {
    id,
    label: rangeText(r.vaStart, r.vaEnd),
    description: `→ ${shortHex(r.pa)} ${perms}${r.pages > 1 ? ` · ${pages}${size}` : ''}${label}`,
    tooltip: [
      `VA ${rangeText(r.vaStart, r.vaEnd)} → PA ${rangeText(r.pa, paEnd)}`,
      `${pages}${size}, ${humanSize(bytes)}`,
      `flags ${r.flags}: ${flagsSpelledOut(r.flags)}`,
      ...(first ? [(r.pages > 1 ? 'first page: ' : '') + pteLines(first).join('\n')] : []),
      ...(r.label ? [LABEL_TEXT[r.label] ?? r.label] : []),
    ].join('\n'),
    collapsible: 'none',
    contextValue: 'xv6.pageRange',
    icon: iconFor(r.label, r.flags),
    page: { va: r.vaStart, pa: r.pa, satp },
  };
}

function iconFor(label: string | undefined, flags: string): string {
  if (label === 'trampoline' || label === 'trapframe') return 'debug-step-into';
  if (label === 'guard') return 'shield';
  if (label === 'stack') return 'layers';
  if (label === 'heap') return 'database';
  if (flags.includes('X')) return 'symbol-method';
  return 'symbol-variable';
}

function problemRows(pt: PageTableResponse, idPrefix: string): PageRow[] {
  if (!pt.problems.length) return [];
  const n = pt.problems.length;
  return [
    {
      id: `${idPrefix}/problems`,
      label: `${n} problem${n > 1 ? 's' : ''} in this page table: ${pt.problems[0]}`,
      tooltip: pt.problems.join('\n'),
      collapsible: 'none',
      contextValue: 'xv6.error',
      icon: 'warning',
    },
  ];
}

/** The top level (L2) of the tree mode, with the table's problems first. */
export function treeRootRows(pt: PageTableResponse, idPrefix: string): PageRow[] {
  return [...problemRows(pt, idPrefix), ...entryRows(pt.entries, pt, idPrefix)];
}

/** Rows of one level of the Sv39 tree. */
export function entryRows(
  entries: readonly PageTableEntryInfo[],
  pt: PageTableResponse,
  idPrefix: string,
): PageRow[] {
  return entries.map((e) => {
    const id = `${idPrefix}/L${e.level}.${e.index}@${e.vaStart}`;
    const head = `L${e.level}[${e.index}] ${rangeText(e.vaStart, e.vaEnd)}`;
    const tooltip = [`VA ${rangeText(e.vaStart, e.vaEnd)}`, ...pteLines(e)];
    if (e.invalid) {
      return {
        id,
        label: head,
        description: `invalid: ${e.invalid}`,
        tooltip: [...tooltip, `invalid: ${e.invalid}`].join('\n'),
        collapsible: 'none',
        contextValue: 'xv6.pte',
        icon: 'error',
      };
    }
    if (!e.leaf) {
      const n = e.children?.length ?? 0;
      return {
        id,
        label: head,
        description: `→ table ${shortHex(e.pa)} · ${n} valid entr${n === 1 ? 'y' : 'ies'}`,
        tooltip: tooltip.join('\n'),
        collapsible: n ? 'collapsed' : 'none',
        contextValue: 'xv6.pte',
        icon: 'list-tree',
        children: e.children ?? [],
      };
    }
    const range = pt.ranges.find(
      (r) =>
        r.pa !== undefined && BigInt(r.vaStart) <= BigInt(e.vaStart) && BigInt(e.vaStart) < BigInt(r.vaEnd),
    );
    const label = range?.label ? ` · ${range.label}` : '';
    return {
      id,
      label: head,
      description: `→ ${shortHex(e.pa)} ${permissionLetters(e.flags) || 'no access'}${label}`,
      tooltip: [...tooltip, ...(range?.label ? [LABEL_TEXT[range.label] ?? range.label] : [])].join('\n'),
      collapsible: 'none',
      contextValue: 'xv6.pageRange',
      icon: iconFor(range?.label, e.flags),
      page: { va: e.vaStart, pa: e.pa, satp: pt.satp },
    };
  });
}

/** Where the debugger can read a page: a DAP memoryReference and what it means. */
export type MemoryTarget =
  { memoryReference: string; space: 'virtual' | 'physical'; address: string } | { error: string };

const sameSatp = (a: string, b: string): boolean => {
  try {
    return BigInt(a) === BigInt(b);
  } catch {
    return false;
  }
};

/**
 * The adapter's readMemory translates `memoryReference` as a virtual address through the
 * stopped hart's current satp (adapter/session-inspect.ts). So a page is read at its VA
 * when that hart runs on the same table, else at its PA: the kernel's table maps all of
 * RAM at the same addresses (xv6's direct map of KERNBASE..PHYSTOP), as does satp = Bare.
 * A hart in user mode on another process's table maps neither.
 */
export function memoryTarget(page: PageRef, stopped: HartInfo | undefined): MemoryTarget {
  if (stopped && sameSatp(stopped.satp, page.satp))
    return { memoryReference: shortHex(page.va), space: 'virtual', address: shortHex(page.va) };
  if (stopped?.priv === 'U')
    return {
      error:
        `hart ${stopped.hart} is in user mode on another page table, which does not map physical ` +
        `${shortHex(page.pa)}; stop in the kernel (e.g. at usertrap) to read this page`,
    };
  return { memoryReference: shortHex(page.pa), space: 'physical', address: shortHex(page.pa) };
}

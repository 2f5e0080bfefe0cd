/**
 * The one module the debug adapter and the VS Code extension share: the launch
 * configuration as a user writes it in launch.json, and the custom requests and events
 * that go beyond the Debug Adapter Protocol (process table, page tables, trap log, guest
 * console). Every custom name is `xv6.` + camelCase; each request has a typed argument
 * and response body, so both sides are checked by the compiler. No runtime code depends
 * on anything but this file.
 */

/** The debugger type contributed by the extension (`"type": "xv6"` in launch.json). */
export const DEBUG_TYPE = 'xv6';

export type VirtioMode = 'legacy' | 'modern' | 'auto';

/** A launch configuration as written in launch.json (every field optional). */
export interface Xv6LaunchArguments {
  type?: string;
  request?: string;
  /** Kernel ELF; default: the bundled teaching kernel. */
  kernel?: string;
  /** Disk image; default: `fs.img` beside the kernel's folder; with the bundled kernel, the bundled image; null: no disk. */
  disk?: string | null;
  /** Number of harts (CPUs), 1 to 8. */
  harts?: number;
  /** RAM in MiB. */
  memoryMB?: number;
  /** Stop at the kernel's first instruction. */
  stopOnEntry?: boolean;
  /** Write the disk back to its file when the session ends (never the bundled image). */
  persistDisk?: boolean;
  /**
   * Folder of user program ELFs (xv6's user/_ls ...): names user-space frames, and allows
   * function breakpoints written `program:function` (e.g. `ls:main`).
   */
  userPrograms?: string;
  /** Function whose entry means "the kernel panicked"; default `panic`. */
  panicSymbol?: string;
  /** Rewrite source paths recorded at build time: `{ "/build/dir": "/local/dir" }`. */
  sourceMap?: Record<string, string>;
  /** virtio-mmio interface: legacy (version 1), modern (version 2) or auto (from the kernel's Makefile). */
  virtio?: VirtioMode;
  /** Folder relative paths are resolved against; default: the adapter's working directory. */
  cwd?: string;
  noDebug?: boolean;
}

/** Exception breakpoint filter ids (setExceptionBreakpoints). */
export type ExceptionFilterId = 'pageFault' | 'userException' | 'kernelException' | 'panic';

// ---- custom requests -------------------------------------------------------------

/** One process slot of the kernel's process table. */
export interface ProcessInfo {
  pid: number;
  name: string;
  state: string;
  /** Size of user memory in bytes (`sz`). */
  sz: number;
  /** satp value that selects this process's page table, as a hex string. */
  satp: string;
  /** Hart running it, if any. */
  hart?: number;
  /** Virtual address of its kernel stack (`kstack`), hex, when the kernel has one. */
  kstack?: string;
}

export type ProcessesArguments = Record<string, never>;
export interface ProcessesResponse {
  processes: ProcessInfo[];
  /** Why the list is empty or partial (e.g. "no debug information for struct proc"). */
  note?: string;
}

export interface PageTableArguments {
  /** The process whose page table to walk. */
  pid?: number;
  /** A satp value (hex string or number); default: the current hart's satp. */
  satp?: string | number;
  /** Hart whose satp is used when neither pid nor satp is given. */
  hart?: number;
}

/** Flags of a page-table entry as letters, in PTE bit order (privileged spec 4.4.1). */
export type PteFlags = string;

export interface PageTableEntryInfo {
  /** 2 (top, 1 GiB per entry), 1 (2 MiB) or 0 (4 KiB). */
  level: number;
  index: number;
  /** Virtual range covered, hex strings, half-open. */
  vaStart: string;
  vaEnd: string;
  /** Physical address the entry points at (next table or mapped page), hex. */
  pa: string;
  flags: PteFlags;
  raw: string;
  leaf: boolean;
  /** Set when the entry is malformed: why. */
  invalid?: string;
  children?: PageTableEntryInfo[];
}

export type RangeLabel =
  | 'trampoline'
  | 'trapframe'
  | 'guard'
  | 'lazy'
  | 'kernel-stack'
  | 'text'
  | 'data'
  | 'text+data'
  | 'stack'
  | 'heap'
  | undefined;

export interface MappedRange {
  vaStart: string;
  vaEnd: string;
  /** Start of the physical range (contiguous), hex; absent for `lazy`. */
  pa?: string;
  flags: PteFlags;
  pages: number;
  /** 4096, 2 MiB or 1 GiB: the page size of the mappings merged here. */
  pageSize: number;
  label?: RangeLabel;
}

export interface PageTableResponse {
  satp: string;
  mode: string;
  rootPa: string;
  entries: PageTableEntryInfo[];
  ranges: MappedRange[];
  /** Problems found while walking (corrupt entries), one sentence each. */
  problems: string[];
}

export interface TrapLogArguments {
  /** Most recent entries to return (default all kept). */
  limit?: number;
}

export interface TrapLogEntry {
  hart: number;
  interrupt: boolean;
  cause: number;
  /** Cause in words: "Store/AMO page fault". */
  name: string;
  tval: string;
  epc: string;
  from: 'U' | 'S' | 'M';
  to: 'U' | 'S' | 'M';
  instret: number;
  /** Function containing epc, if known: a kernel symbol, or `program:function` in user code. */
  func?: string;
  /** The user program at epc (from U-mode), when identified among `userPrograms`. */
  program?: string;
  /**
   * The process the trap came from, when known: from U by its page table, from S by its
   * kernel stack. Absent for traps of the scheduler, from M, or of a process not known.
   */
  pid?: number;
  /** That process's name. */
  process?: string;
}

export interface TrapLogResponse {
  traps: TrapLogEntry[];
  /** Traps taken since launch (the log keeps only the latest). */
  total: number;
}

export type HartsArguments = Record<string, never>;

/** One hart as the status bar and the Harts view show it. */
export interface HartInfo {
  hart: number;
  /** Privilege mode now. */
  priv: 'U' | 'S' | 'M';
  pc: string;
  /** Function containing pc (kernel symbols, or `program:function` for a known user program). */
  func?: string;
  /** Waiting in wfi for an interrupt. */
  idle: boolean;
  satp: string;
  /** The process the hart runs, when the process table is readable. */
  pid?: number;
  name?: string;
  instret: number;
}

export interface HartsResponse {
  harts: HartInfo[];
  /** True while the guest runs (values are a snapshot). */
  running: boolean;
}

export interface ConsoleInputArguments {
  text: string;
}
export type ConsoleInputResponse = Record<string, never>;

/** Custom requests: name -> [arguments, response body]. */
export interface Xv6Requests {
  'xv6.processes': [ProcessesArguments, ProcessesResponse];
  'xv6.pageTable': [PageTableArguments, PageTableResponse];
  'xv6.trapLog': [TrapLogArguments, TrapLogResponse];
  'xv6.consoleInput': [ConsoleInputArguments, ConsoleInputResponse];
  'xv6.harts': [HartsArguments, HartsResponse];
}
export type Xv6RequestName = keyof Xv6Requests;
export type Xv6RequestArgs<K extends Xv6RequestName> = Xv6Requests[K][0];
export type Xv6ResponseBody<K extends Xv6RequestName> = Xv6Requests[K][1];

export const XV6_REQUESTS: readonly Xv6RequestName[] = [
  'xv6.processes',
  'xv6.pageTable',
  'xv6.trapLog',
  'xv6.consoleInput',
  'xv6.harts',
];

// ---- custom events ---------------------------------------------------------------

export interface ConsoleEventBody {
  text: string;
}

/** Traps since the previous event: at most a few events a second, with a count of the rest. */
export interface TrapEventBody {
  traps: TrapLogEntry[];
  /** Traps taken but not included (rate limit). */
  dropped: number;
}

/** At launch: the kernel ELF is older than a source file its line table names. */
export interface StaleKernelEventBody {
  /** Absolute paths of the kernel ELF and of the newest source newer than it. */
  kernel: string;
  source: string;
  /** The one line the debug console shows. */
  message: string;
}

export interface Xv6Events {
  'xv6.console': ConsoleEventBody;
  'xv6.trap': TrapEventBody;
  'xv6.staleKernel': StaleKernelEventBody;
}
export type Xv6EventName = keyof Xv6Events;

/**
 * Whose trap it was: the process (pid and name) and, for a trap from user mode, the user
 * program and its function at sepc (`ls:main`). The trap ring (emulator/cpu/trap-ring.ts)
 * keeps the page-table root and the stack pointer of every trap; they are matched against
 * the kernel's process table, read once per pass (after every run slice that took traps,
 * and before the trap log's entries are made for a request or a batch): a trap from U by
 * its page-table root (`struct proc.pagetable`), a trap from S by a stack pointer inside a
 * process's kernel stack (`struct proc.kstack`: the hart was running that process in the
 * kernel; the scheduler runs on its own stack, so its traps have no process).
 *
 * Roots and stacks are reused (a page table freed by exec or exit is soon another's), so
 * each keeps its owners over time, by trap number: an owner first seen at a pass owns the
 * traps taken since the pass before (one run slice, some 20 ms, earlier), an earlier owner
 * those before. A trap older than every owner seen has no process. A user program is
 * identified by its code bytes read through the root (userprogs.ts `identifyIn`) while
 * the owner still has that root, and remembered.
 */
import type { PhysReader } from '../emulator/inspect';
import type { ProcessOwner } from './custom';
import { pageTableReader } from './debuginfo';
import { identifyIn, type UserProgram } from './userprogs';

export interface TrapOwner {
  pid: number;
  name: string;
}

/** What the owners are looked up in: memory, the process table now, the user programs. */
export interface OwnerSource {
  mem: PhysReader;
  owners(): readonly ProcessOwner[];
  programs(): readonly UserProgram[];
}

/** Roots, stacks and programs remembered (each map), several times NPROC. */
const REMEMBERED = 256;
/** Owners remembered per root or stack. */
const OWNERS_EACH = 8;
const PAGE = 4096;

/** An owner of a root or a stack, from trap number `since` on. */
interface Span {
  owner: TrapOwner;
  since: number;
}

/** Set `key` as the newest entry of a map that keeps at most REMEMBERED. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as K);
}

/** Record that `owner` holds `key` now; a new owner holds it since trap number `since`. */
function note(map: Map<number, Span[]>, key: number, owner: TrapOwner, since: number): void {
  const spans = map.get(key) ?? [];
  const last = spans.at(-1);
  if (!last || last.owner.pid !== owner.pid || last.owner.name !== owner.name) {
    spans.push({ owner, since });
    if (spans.length > OWNERS_EACH) spans.shift();
  }
  remember(map, key, spans);
}

/** The owner of trap `n` among `spans`, and whether it is the latest owner. */
function ownerAt(spans: Span[] | undefined, n: number): { owner: TrapOwner; latest: boolean } | undefined {
  if (!spans) return undefined;
  for (let i = spans.length - 1; i >= 0; i--)
    if (spans[i]!.since <= n) return { owner: spans[i]!.owner, latest: i === spans.length - 1 };
  return undefined;
}

/** The kernel-stack page a stack pointer is in: kernel stacks are one page, sp at most its top. */
function stackPage(sp: number): number {
  return Math.floor((sp - 1) / PAGE) * PAGE;
}

export class TrapOwners {
  private readonly byRoot = new Map<number, Span[]>();
  private readonly byStack = new Map<number, Span[]>();
  /** `root/pid/name` -> the program found there (null: none of them). */
  private readonly programAt = new Map<string, UserProgram | null>();
  private programList: readonly UserProgram[] | undefined;
  /** Traps taken before the latest pass (its trap count). */
  private lastPass = 0;

  constructor(private readonly source: OwnerSource) {}

  /** Read the process table: call once before a pass, with the number of traps taken so far. */
  refresh(total: number): void {
    if (total === this.lastPass) return; // no trap since: nothing to tell apart
    let procs: readonly ProcessOwner[];
    try {
      procs = this.source.owners();
    } catch {
      procs = [];
    }
    for (const p of procs) {
      const owner = { pid: p.pid, name: p.name };
      if (p.root > 0) note(this.byRoot, p.root, owner, this.lastPass);
      if (p.kstack > 0) note(this.byStack, p.kstack, owner, this.lastPass);
    }
    this.lastPass = total;
  }

  /**
   * The process trap number `n`, taken from `from` with this root and sp, came from, and
   * for a trap from U its user program at `epc`.
   */
  ownerOf(
    n: number,
    from: 'U' | 'S' | 'M',
    root: number,
    sp: number,
    epc: number,
  ): { owner: TrapOwner; program?: UserProgram } | undefined {
    if (from === 'S') {
      const s = ownerAt(this.byStack.get(stackPage(sp)), n);
      return s && { owner: s.owner };
    }
    if (from !== 'U' || root === 0) return undefined;
    const s = ownerAt(this.byRoot.get(root), n);
    if (!s) return undefined;
    const program = this.programOf(root, s.owner, s.latest, epc);
    return program ? { owner: s.owner, program } : { owner: s.owner };
  }

  /** The user program of `owner` at `root`: read there only while it still owns the root. */
  private programOf(root: number, owner: TrapOwner, latest: boolean, epc: number): UserProgram | undefined {
    const programs = this.source.programs();
    if (programs !== this.programList) {
      this.programList = programs;
      this.programAt.clear();
    }
    if (programs.length === 0) return undefined;
    const key = `${root}/${owner.pid}/${owner.name}`;
    let p = this.programAt.get(key);
    if (p === undefined) {
      if (!latest) return undefined;
      p = identifyIn(programs, pageTableReader(this.source.mem, root), epc) ?? null;
      remember(this.programAt, key, p);
    }
    return p ?? undefined;
  }
}

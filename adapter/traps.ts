/**
 * Traps as the debugger presents them: the exception filters a user can turn on (page
 * faults, user exceptions, kernel exceptions, panics), which trap matches which filter,
 * the stop description in words ("Store/AMO page fault at 0x0000000000005008"), and the
 * trap log: the latest traps for the `xv6.trapLog` request plus the batches the session
 * sends, rate-limited, as `xv6.trap` events, each with its process and function. Trap
 * codes: privileged spec 3.1.15, table 3.6.
 */
import { Priv, type TrapInfo } from '../emulator/types';
import type { ElfFile } from '../emulator/elf';
import { TrapRing } from '../emulator/cpu/trap-ring';
import { causeHasAddress, causeName, hex64, privName } from './csr';
import type { ExceptionFilterId, TrapLogEntry } from './protocol';
import type { TrapOwners } from './trap-owner';

const TRAP_LOG_SIZE = 512;
/** Traps carried by one `xv6.trap` event; the rest are only counted. */
const BATCH_SIZE = 20;

export const EXCEPTION_FILTERS: { id: ExceptionFilterId; label: string; description: string }[] = [
  {
    id: 'pageFault',
    label: 'Page faults',
    description: 'Stop on instruction, load and store page faults (scause 12, 13, 15).',
  },
  {
    id: 'userException',
    label: 'User exceptions',
    description: 'Stop on any exception taken from U-mode other than ecall.',
  },
  {
    id: 'kernelException',
    label: 'Kernel exceptions',
    description: 'Stop on any exception taken from S- or M-mode (not ecall).',
  },
  { id: 'panic', label: 'Kernel panic', description: 'Stop when the kernel calls its panic function.' },
];

/** What a filter's stop is called in the exception widget ("Exception has occurred: …"). */
export const EXCEPTION_TITLES: Record<ExceptionFilterId, string> = {
  pageFault: 'Page fault',
  userException: 'User exception',
  kernelException: 'Kernel exception',
  panic: 'Kernel panic',
};

/** Does an exception (not an interrupt) match the filter? */
export function filterMatches(
  id: ExceptionFilterId,
  t: Pick<TrapInfo, 'interrupt' | 'cause' | 'fromPriv'>,
): boolean {
  if (t.interrupt) return false;
  const ecall = t.cause === 8 || t.cause === 9 || t.cause === 11;
  switch (id) {
    case 'pageFault':
      return t.cause === 12 || t.cause === 13 || t.cause === 15;
    case 'userException':
      return t.fromPriv === Priv.U && !ecall;
    case 'kernelException':
      return t.fromPriv !== Priv.U && !ecall;
    case 'panic':
      return false;
  }
}

/** Environment calls (from U, S and M): no filter stops on them. */
const ECALLS = (1 << 8) | (1 << 9) | (1 << 11);

/**
 * The exception codes that can match the filter, as a bit mask (bit n: code n): the CPU
 * calls the trap hook for these alone (CpuSharedApi.onTrapCauses), filterMatches decides.
 */
export function filterCauses(id: ExceptionFilterId): number {
  switch (id) {
    case 'pageFault':
      return (1 << 12) | (1 << 13) | (1 << 15);
    case 'userException':
    case 'kernelException':
      return ~ECALLS;
    case 'panic':
      return 0;
  }
}

/** "Store/AMO page fault at 0x0000000000005008", "Illegal instruction at pc 0x...". */
export function trapDescription(t: Pick<TrapInfo, 'interrupt' | 'cause' | 'tval' | 'epc'>): string {
  const name = causeName(t.interrupt, t.cause);
  if (causeHasAddress(t.interrupt, t.cause)) return `${name} at ${hex64(t.tval)}`;
  if (t.interrupt) return name;
  return `${name} at pc ${hex64(t.epc)}`;
}

/**
 * The trap log over the machine's TrapRing (emulator/cpu/trap-ring.ts), which records every
 * trap the guest takes without a call out: the latest TRAP_LOG_SIZE for `xv6.trapLog`, and
 * those since the last batch for the `xv6.trap` events. Each entry names its function and,
 * once `owners` is set (the process table is readable), its process and user program
 * (trap-owner.ts), looked up when the entries are made.
 */
export class TrapLog {
  readonly ring = new TrapRing(TRAP_LOG_SIZE);
  /** Whose traps they are; unset: entries without pid or user program. */
  owners: TrapOwners | undefined;
  /** The first trap not yet in a batch. */
  private batchFrom = 0;

  constructor(private readonly elf: ElfFile | undefined) {}

  /** Traps taken so far. */
  get total(): number {
    return this.ring.total;
  }

  /**
   * Note who owns which page table and kernel stack now (after each run slice): the
   * closer together these passes, the fewer traps a reused root leaves ambiguous.
   */
  notePass(): void {
    this.owners?.refresh(this.ring.total);
  }

  /** The most recent `limit` traps, oldest first. */
  latest(limit = TRAP_LOG_SIZE): TrapLogEntry[] {
    const from = Math.max(this.ring.total - Math.min(limit, TRAP_LOG_SIZE), this.ring.oldest());
    return this.entries(from, this.ring.total);
  }

  /**
   * Traps since the last call (the first BATCH_SIZE the ring still holds) and how many of
   * them were left out.
   */
  takeBatch(): { traps: TrapLogEntry[]; dropped: number } | undefined {
    const total = this.ring.total;
    const from = this.batchFrom;
    if (total === from) return undefined;
    this.batchFrom = total;
    const start = Math.max(from, this.ring.oldest());
    const traps = this.entries(start, Math.min(total, start + BATCH_SIZE));
    return { traps, dropped: total - from - traps.length };
  }

  /** Entries for traps numbered [from, to), all held by the ring: one process-table read. */
  private entries(from: number, to: number): TrapLogEntry[] {
    if (from >= to) return [];
    this.owners?.refresh(this.ring.total);
    const out: TrapLogEntry[] = [];
    for (let n = from; n < to; n++) out.push(this.entryAt(n));
    return out;
  }

  private entryAt(n: number): TrapLogEntry {
    const t = this.ring.get(n)!;
    const e: TrapLogEntry = {
      hart: t.hart,
      interrupt: t.interrupt,
      cause: t.cause,
      name: causeName(t.interrupt, t.cause),
      tval: hex64(t.tval),
      epc: hex64(t.epc),
      from: privName(t.fromPriv) as TrapLogEntry['from'],
      to: privName(t.toPriv) as TrapLogEntry['to'],
      instret: t.instret,
    };
    const epc = Number(BigInt.asIntN(64, t.epc));
    const where = this.ring.context(n)!;
    const who = this.owners?.ownerOf(n, e.from, where.root, where.sp, epc);
    if (who) {
      e.pid = who.owner.pid;
      e.process = who.owner.name;
    }
    if (t.fromPriv === Priv.U) {
      const program = who?.program;
      if (program) {
        e.program = program.name;
        const s = program.elf.symbolAt(epc);
        if (s) e.func = `${program.name}:${s.name}`;
      }
    } else {
      const s = this.elf?.symbolAt(epc);
      if (s) e.func = s.name;
    }
    return e;
  }
}

/** The longer text of the exception widget. */
export function trapDetails(t: TrapInfo): string {
  return (
    `${trapDescription(t)}\npc ${hex64(t.epc)} in ${privName(t.fromPriv)}-mode on hart ${t.hart}, ` +
    `trap taken into ${privName(t.toPriv)}-mode`
  );
}

/**
 * Traps as the debugger presents them: the exception filters a user can turn on (page
 * faults, user exceptions, kernel exceptions, panics), which trap matches which filter,
 * the stop description in words ("Store/AMO page fault at 0x0000000000005008"), and the
 * trap log: a ring of the latest traps for the `xv6.trapLog` request plus the batches
 * the session sends, rate-limited, as `xv6.trap` events. Trap codes: privileged spec
 * 3.1.15, table 3.6.
 */
import { Priv, type TrapInfo } from '../emulator/types';
import type { ElfFile } from '../emulator/elf';
import { causeHasAddress, causeName, hex64, privName } from './csr';
import type { ExceptionFilterId, TrapLogEntry } from './protocol';

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

/** "Store/AMO page fault at 0x0000000000005008", "Illegal instruction at pc 0x...". */
export function trapDescription(t: Pick<TrapInfo, 'interrupt' | 'cause' | 'tval' | 'epc'>): string {
  const name = causeName(t.interrupt, t.cause);
  if (causeHasAddress(t.interrupt, t.cause)) return `${name} at ${hex64(t.tval)}`;
  if (t.interrupt) return name;
  return `${name} at pc ${hex64(t.epc)}`;
}

/** A ring of the latest traps, and the batch not yet sent as an event. */
export class TrapLog {
  private readonly ring: TrapInfo[] = [];
  private next = 0;
  total = 0;
  private batch: TrapInfo[] = [];
  private dropped = 0;

  constructor(private readonly elf: ElfFile | undefined) {}

  /** Called for every trap (a hot-ish path: no formatting here). */
  record(t: TrapInfo): void {
    this.total++;
    this.ring[this.next] = t;
    this.next = (this.next + 1) % TRAP_LOG_SIZE;
    if (this.batch.length < BATCH_SIZE) this.batch.push(t);
    else this.dropped++;
  }

  /** The most recent `limit` traps, oldest first. */
  latest(limit = TRAP_LOG_SIZE): TrapLogEntry[] {
    const n = Math.min(this.total, TRAP_LOG_SIZE);
    const out: TrapLogEntry[] = [];
    for (let i = Math.max(0, n - limit); i < n; i++) {
      const t = this.ring[(this.next - n + i + TRAP_LOG_SIZE) % TRAP_LOG_SIZE];
      if (t) out.push(this.entry(t));
    }
    return out;
  }

  /** Traps since the last call (at most BATCH_SIZE) and how many were left out. */
  takeBatch(): { traps: TrapLogEntry[]; dropped: number } | undefined {
    if (this.batch.length === 0) return undefined;
    const out = { traps: this.batch.map((t) => this.entry(t)), dropped: this.dropped };
    this.batch = [];
    this.dropped = 0;
    return out;
  }

  entry(t: TrapInfo): TrapLogEntry {
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
    const s = this.elf?.symbolAt(Number(BigInt.asIntN(64, t.epc)));
    if (s) e.func = s.name;
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

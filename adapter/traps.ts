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

/**
 * Traps kept as numbers in typed arrays: the log records every trap the guest takes,
 * hundreds of thousands a second, and keeping the TrapInfo objects themselves would hold
 * them (and their bigints) past the young generation, which costs the garbage collector
 * far more than copying a few fields.
 */
class TrapSlots {
  private readonly hart: Int32Array;
  private readonly cause: Int32Array;
  /** interrupt | fromPriv << 1 | toPriv << 3 */
  private readonly bits: Uint8Array;
  private readonly instret: Float64Array;
  private readonly tval: BigUint64Array;
  private readonly epc: BigUint64Array;

  constructor(readonly size: number) {
    this.hart = new Int32Array(size);
    this.cause = new Int32Array(size);
    this.bits = new Uint8Array(size);
    this.instret = new Float64Array(size);
    this.tval = new BigUint64Array(size);
    this.epc = new BigUint64Array(size);
  }

  put(i: number, t: TrapInfo): void {
    this.hart[i] = t.hart;
    this.cause[i] = t.cause;
    this.bits[i] = (t.interrupt ? 1 : 0) | (t.fromPriv << 1) | (t.toPriv << 3);
    this.instret[i] = t.instret;
    this.tval[i] = t.tval;
    this.epc[i] = t.epc;
  }

  get(i: number): TrapInfo {
    const bits = this.bits[i]!;
    return {
      hart: this.hart[i]!,
      interrupt: (bits & 1) !== 0,
      cause: this.cause[i]!,
      tval: this.tval[i]!,
      epc: this.epc[i]!,
      fromPriv: (bits >> 1) & 3,
      toPriv: (bits >> 3) & 3,
      instret: this.instret[i]!,
    };
  }
}

/** A ring of the latest traps, and the batch not yet sent as an event. */
export class TrapLog {
  private readonly ring = new TrapSlots(TRAP_LOG_SIZE);
  private next = 0;
  total = 0;
  private readonly batch = new TrapSlots(BATCH_SIZE);
  private batched = 0;
  private dropped = 0;

  constructor(private readonly elf: ElfFile | undefined) {}

  /** Called for every trap (a hot path: no formatting and no allocation here). */
  record(t: TrapInfo): void {
    this.total++;
    this.ring.put(this.next, t);
    this.next = (this.next + 1) % TRAP_LOG_SIZE;
    if (this.batched < BATCH_SIZE) this.batch.put(this.batched++, t);
    else this.dropped++;
  }

  /** The most recent `limit` traps, oldest first. */
  latest(limit = TRAP_LOG_SIZE): TrapLogEntry[] {
    const n = Math.min(this.total, TRAP_LOG_SIZE);
    const out: TrapLogEntry[] = [];
    for (let i = Math.max(0, n - limit); i < n; i++) {
      out.push(this.entry(this.ring.get((this.next - n + i + TRAP_LOG_SIZE) % TRAP_LOG_SIZE)));
    }
    return out;
  }

  /** Traps since the last call (at most BATCH_SIZE) and how many were left out. */
  takeBatch(): { traps: TrapLogEntry[]; dropped: number } | undefined {
    if (this.batched === 0) return undefined;
    const traps: TrapLogEntry[] = [];
    for (let i = 0; i < this.batched; i++) traps.push(this.entry(this.batch.get(i)));
    const out = { traps, dropped: this.dropped };
    this.batched = 0;
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

/**
 * The A extension (unprivileged spec chapter 8): LR/SC with a reservation per hart kept in
 * CpuShared (8-byte granule, physical address), and the AMOs. Only naturally aligned
 * accesses: otherwise address-misaligned (load for LR, store/AMO for SC and AMOs). An AMO
 * needs store permission and reports store/AMO faults (privileged spec 4.3.1).
 */
import { Access, Exc } from '../types';
import { Amo, Op } from './exec';
import type { Hart } from './hart';
import { WATCH_RESV } from './shared';
import { INEXACT, noteExactAddress } from './memory';

const TWO32 = 4294967296;

/** Execute an LR/SC/AMO; false after taking a trap. */
export function atomic(
  h: Hart,
  op: Op,
  rd: number,
  rs1: number,
  rs2: number,
  funct5: number,
  raw: number,
): boolean {
  const fn = funct5 as Amo;
  const x = h.x;
  const va = x[rs1 + 1]! * TWO32 + (x[rs1]! >>> 0);
  const dbl = op === Op.LR_D || op === Op.SC_D || op === Op.AMO_D;
  const size = dbl ? 8 : 4;
  const isLr = op === Op.LR_W || op === Op.LR_D;
  // Atomics have no offset: the alignment is in the low register half, exactly.
  if (!(va > -INEXACT && va < INEXACT)) noteExactAddress(h);
  if ((x[rs1]! & (size - 1)) !== 0) return h.fault(isLr ? Exc.LoadMisaligned : Exc.StoreMisaligned, va);
  const pa = h.xlate(va, isLr ? Access.Load : Access.Store);
  if (pa < 0) return false;
  const shared = h.shared;
  const granule = pa - (pa % 8);
  if (isLr) {
    if (!h.physRead(pa, size)) return h.fault(Exc.LoadAccessFault, va);
    shared.reservation[h.id] = granule;
    const o = pa - h.ram.base;
    if (o >= 0 && o < h.ram.size) shared.watch[o >>> 12] = shared.watch[o >>> 12]! | WATCH_RESV;
    x[rd] = h.tmpLo;
    x[rd + 1] = dbl ? h.tmpHi : h.tmpLo >> 31;
    return true;
  }
  if (op === Op.SC_W || op === Op.SC_D) {
    const ok = shared.reservation[h.id] === granule;
    // An sc always gives up the reservation, whether it succeeds or not.
    shared.reservation[h.id] = -1;
    if (ok && !h.physWrite(pa, size, x[rs2]!, x[rs2 + 1]!)) return h.fault(Exc.StoreAccessFault, va);
    x[rd] = ok ? 0 : 1;
    x[rd + 1] = 0;
    return true;
  }
  if (!h.physRead(pa, size)) return h.fault(Exc.StoreAccessFault, va);
  const al = h.tmpLo | 0;
  const ah = dbl ? h.tmpHi | 0 : al >> 31;
  const bl = x[rs2]!;
  const bh = dbl ? x[rs2 + 1]! : bl >> 31;
  let rl = bl;
  let rh = bh;
  switch (fn) {
    case Amo.ADD: {
      rl = (al + bl) | 0;
      rh = (ah + bh + (rl >>> 0 < al >>> 0 ? 1 : 0)) | 0;
      break;
    }
    case Amo.SWAP:
      break;
    case Amo.XOR:
      rl = al ^ bl;
      rh = ah ^ bh;
      break;
    case Amo.OR:
      rl = al | bl;
      rh = ah | bh;
      break;
    case Amo.AND:
      rl = al & bl;
      rh = ah & bh;
      break;
    case Amo.MIN:
    case Amo.MAX:
    case Amo.MINU:
    case Amo.MAXU: {
      const unsigned = fn === Amo.MINU || fn === Amo.MAXU;
      const ahc = unsigned ? ah >>> 0 : ah;
      const bhc = unsigned ? bh >>> 0 : bh;
      const aLess = ahc < bhc || (ahc === bhc && al >>> 0 < bl >>> 0);
      const takeA = fn === Amo.MIN || fn === Amo.MINU ? aLess : !aLess;
      rl = takeA ? al : bl;
      rh = takeA ? ah : bh;
      break;
    }
    default:
      return h.illegal(raw);
  }
  if (!h.physWrite(pa, size, rl, rh)) return h.fault(Exc.StoreAccessFault, va);
  x[rd] = al;
  x[rd + 1] = ah;
  return true;
}

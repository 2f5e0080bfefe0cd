/**
 * The debugger's side-effect-free translation and the hart's snapshot/restore. A snapshot
 * is plain data holding all architectural state (registers, pc, privilege, every CSR, the
 * mip bits, instret, the reservation, waiting); restore flushes the TLBs and decoded code
 * so that running afterwards behaves as if the snapshot had never been taken.
 */
import { Access, Priv, type Translation } from '../types';
import { Csr, MPP_SHIFT, MPRV, MXR, SUM } from './csr';
import type { Hart } from './hart';
import { ACCESS_FAULT, PAGE_FAULT, permTable, walk, type WalkResult } from './mmu';

export function debugTranslate(h: Hart, va: bigint, access: Access, satp?: bigint): Translation {
  const v = Number(BigInt.asIntN(64, va));
  const c = h.csr;
  const s = satp ?? (BigInt(c[Csr.satp * 2 + 1]! >>> 0) << 32n) | BigInt(c[Csr.satp * 2]! >>> 0);
  const ms = c[Csr.mstatus * 2]!;
  const p: Priv = access !== Access.Fetch && ms & MPRV && h.priv === Priv.M ? (ms >>> MPP_SHIFT) & 3 : h.priv;
  if (s >> 60n !== 8n || p === Priv.M) {
    return v < 0 ? { ok: false, cause: ACCESS_FAULT[access]! } : { ok: true, paddr: v };
  }
  const root = Number(s & ((1n << 44n) - 1n)) * 4096;
  const perm = permTable(access, p, (ms & SUM) !== 0, (ms & MXR) !== 0);
  const w: WalkResult = { pa: 0, flags: 0, cause: PAGE_FAULT[access]! };
  if (!walk(h.ram, root, v, access, perm, false, w, undefined)) return { ok: false, cause: w.cause };
  return { ok: true, paddr: w.pa };
}

export function snapshotHart(h: Hart): unknown {
  return {
    x: Array.from(h.x.subarray(0, 64)),
    pc: h.pc,
    priv: h.priv,
    csr: Array.from(h.csr),
    lines: h.lines,
    mipSw: h.mipSw,
    instret: h.instret,
    waiting: h.waiting,
    reservation: h.shared.reservation[h.id],
  };
}

export function restoreHart(h: Hart, state: unknown): void {
  const s = state as {
    x: number[];
    pc: number;
    priv: Priv;
    csr: number[];
    lines: number;
    mipSw: number;
    instret: number;
    waiting: boolean;
    reservation: number;
  };
  h.x.set(s.x);
  h.x[64] = h.x[65] = 0;
  h.pc = s.pc;
  h.csr.set(s.csr);
  h.lines = s.lines;
  h.mipSw = s.mipSw;
  h.instret = s.instret;
  h.waiting = s.waiting;
  h.shared.reservation[h.id] = s.reservation;
  h.stopReason = null;
  h.stopReq = false;
  h.svTlb.flush();
  h.bareTlb.flush();
  h.shared.flushCode();
  h.priv = s.priv; // re-derives the translation context
  h.irqDirty = true;
  h.attention = true;
}

/**
 * Trap entry and return (privileged spec 3.1.6.1, 3.1.8, 3.3.1-3.3.2, 4.1.1): delegation
 * to S only for traps from S or U, xepc/xcause/xtval, the xPP/xPIE/xIE stacks, vectored
 * interrupts, the trap hook, and mret/sret with their privilege checks (TSR) and MPRV rule.
 */
import { Priv, type TrapInfo } from '../types';
import { Csr, MIE, MPIE, MPP_SHIFT, MPRV, SIE, SPIE, SPP } from './csr';
import type { Hart } from './hart';

const TWO32 = 4294967296;

function setCsrNum(h: Hart, csr: number, v: number): void {
  h.csr[csr * 2] = v;
  h.csr[csr * 2 + 1] = Math.floor(v / TWO32);
}

function setCsrBig(h: Hart, csr: number, v: bigint): void {
  h.csr[csr * 2] = Number(BigInt.asIntN(32, v));
  h.csr[csr * 2 + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/**
 * Take a trap at the current pc: exception `cause` (or interrupt number) with `tval`.
 * Delegation to S only for traps from S or U (privileged spec 3.1.8).
 */
export function takeTrap(h: Hart, cause: number, tval: number, interrupt: boolean): void {
  const c = h.csr;
  const from = h.priv;
  const epc = h.pc;
  const exact = interrupt ? undefined : h.exactTval;
  h.exactTval = undefined;
  const deleg = c[(interrupt ? Csr.mideleg : Csr.medeleg) * 2]!;
  const toS = from <= Priv.S && ((deleg >>> cause) & 1) === 1;
  const ms = c[Csr.mstatus * 2]!;
  let vec: number;
  if (toS) {
    c[Csr.scause * 2] = cause;
    c[Csr.scause * 2 + 1] = interrupt ? 0x80000000 : 0;
    setCsrNum(h, Csr.sepc, epc);
    if (exact === undefined) setCsrNum(h, Csr.stval, tval);
    else setCsrBig(h, Csr.stval, exact);
    let v = ms & ~(SPP | SPIE | SIE);
    if (from === Priv.S) v |= SPP;
    if (ms & SIE) v |= SPIE;
    c[Csr.mstatus * 2] = v;
    h.curPriv = Priv.S;
    vec = h.csrNum(Csr.stvec);
  } else {
    c[Csr.mcause * 2] = cause;
    c[Csr.mcause * 2 + 1] = interrupt ? 0x80000000 : 0;
    setCsrNum(h, Csr.mepc, epc);
    if (exact === undefined) setCsrNum(h, Csr.mtval, tval);
    else setCsrBig(h, Csr.mtval, exact);
    let v = ms & ~((3 << MPP_SHIFT) | MPIE | MIE);
    v |= from << MPP_SHIFT;
    if (ms & MIE) v |= MPIE;
    c[Csr.mstatus * 2] = v;
    h.curPriv = Priv.M;
    vec = h.csrNum(Csr.mtvec);
  }
  const mode = vec & 3;
  h.pc = vec - mode + (mode === 1 && interrupt ? 4 * cause : 0);
  h.updateContext();
  h.irqDirty = true;
  h.attention = true;
  const shared = h.shared;
  const ring = shared.trapRing;
  if (ring !== undefined) {
    // satp's low word (the root's PPN) and sp say later whose trap it was (trap-ring.ts).
    const x = h.x;
    const sp = x[5]! * TWO32 + (x[4]! >>> 0);
    ring.record(h.id, interrupt, cause, tval, exact, epc, from, h.priv, h.instret, c[Csr.satp * 2]!, sp);
  }
  const hook = shared.onTrap;
  if (
    hook !== undefined &&
    (interrupt ? shared.onTrapInterrupts : cause < 32 && ((shared.onTrapCauses >>> cause) & 1) === 1)
  ) {
    const info: TrapInfo = {
      hart: h.id,
      interrupt,
      cause,
      tval: exact ?? BigInt.asUintN(64, BigInt(tval)),
      epc: BigInt.asUintN(64, BigInt(epc)),
      fromPriv: from,
      toPriv: h.priv,
      instret: h.instret,
    };
    if (hook(info)) {
      h.lastTrap = info;
      h.stopReq = true;
    }
  }
}

/** mret (privileged spec 3.3.2). False (and illegal-instruction taken) outside M. */
export function mret(h: Hart, raw: number): boolean {
  if (h.priv !== Priv.M) return h.illegal(raw);
  const c = h.csr;
  const ms = c[Csr.mstatus * 2]!;
  const mpp = ((ms >>> MPP_SHIFT) & 3) as Priv;
  let v = ms & ~((3 << MPP_SHIFT) | MIE);
  if (ms & MPIE) v |= MIE;
  v |= MPIE;
  if (mpp !== Priv.M) v &= ~MPRV;
  c[Csr.mstatus * 2] = v;
  h.curPriv = mpp;
  h.pc = h.csrNum(Csr.mepc);
  h.updateContext();
  h.irqChanged();
  return true;
}

/** sret: illegal in U, and in S when mstatus.TSR is set (privileged spec 3.1.6.5). */
export function sret(h: Hart, raw: number): boolean {
  const c = h.csr;
  const ms = c[Csr.mstatus * 2]!;
  if (h.priv === Priv.U || (h.priv === Priv.S && ms & (1 << 22))) return h.illegal(raw);
  const spp = ms & SPP ? Priv.S : Priv.U;
  let v = ms & ~(SPP | SIE);
  if (ms & SPIE) v |= SIE;
  v |= SPIE;
  v &= ~MPRV; // returning below M
  c[Csr.mstatus * 2] = v;
  h.curPriv = spp;
  h.pc = h.csrNum(Csr.sepc);
  h.updateContext();
  h.irqChanged();
  return true;
}

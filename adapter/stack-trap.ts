/**
 * What a call stack knows of the traps it crosses: the cause, stval and interrupted pc
 * of each. The CSRs describe only the latest trap into S (privileged spec 4.1.7-4.1.9);
 * a kernel stack that came from user space may since have taken traps of its own, so
 * that trap is recovered from the stack itself (a call through syscall() is an ecall)
 * or from the trap log.
 */
import { Priv, type HartApi, type TrapInfo } from '../emulator/types';
import { causeName } from './csr';
import type { SourceFrame, StackContext } from './stack';

const CSR_SEPC = 0x141;
const CSR_SCAUSE = 0x142;
const CSR_STVAL = 0x143;

/** A trap a stack crosses, as far as the stack knows it. */
export interface StackTrap {
  fromUser: boolean;
  /** The cause; undefined when it could not be recovered. */
  interrupt?: boolean;
  cause?: number;
  /** The cause in words ("Load page fault"). */
  causeText: string;
  /** xtval; undefined when it could not be recovered. */
  stval?: bigint;
  /** The pc the trap interrupted (for an ecall the saved, advanced one). */
  sepc: number;
}

/**
 * The trap from user space a kernel stack ends in (usertrap): its cause, stval and the
 * user pc, from the trap log where the CSRs may since have changed.
 */
export function userTrapOf(
  ctx: Pick<StackContext, 'hart' | 'recentTraps'>,
  kernelFrames: readonly SourceFrame[],
  userPc: number,
  sepcIsUserPc: boolean,
): StackTrap {
  const { hart } = ctx;
  const trap = (interrupt: boolean, cause: number, stval?: bigint): StackTrap => ({
    fromUser: true,
    interrupt,
    cause,
    causeText: causeName(interrupt, cause),
    ...(stval !== undefined ? { stval } : {}),
    sepc: userPc,
  });
  // The kernel's own traps may have overwritten the CSRs since. A stack through syscall()
  // came from an ecall (whose stval is 0: privileged spec 4.1.9).
  if (kernelFrames.some((f) => f.name === 'syscall')) return trap(false, 8, 0n);
  // Else the trap log's latest trap from U on this hart at that pc.
  let latest: TrapInfo | undefined;
  for (const t of ctx.recentTraps?.(hart.id) ?? []) {
    if (t.fromPriv !== Priv.U) continue;
    if (Number(BigInt.asUintN(64, t.epc)) === userPc) return trap(t.interrupt, t.cause, t.tval);
    latest ??= t;
  }
  // Else the CSRs, when they still hold this trap; else the log's latest trap from U.
  const scause = hart.readCsr(CSR_SCAUSE) ?? 0n;
  const live = sepcIsUserPc || Number(BigInt.asUintN(64, hart.readCsr(CSR_SEPC) ?? 0n)) === userPc;
  if (live || !latest) {
    const cause = Number(scause & 0xffffn);
    return trap(scause >> 63n === 1n, cause, live ? hart.readCsr(CSR_STVAL) : undefined);
  }
  return trap(latest.interrupt, latest.cause);
}

/** The trap the CSRs describe (the latest one taken into S on this hart). */
export function csrTrap(hart: HartApi, fromUser: boolean): StackTrap {
  const scause = hart.readCsr(CSR_SCAUSE) ?? 0n;
  const interrupt = scause >> 63n === 1n;
  const cause = Number(scause & 0xffffn);
  return {
    fromUser,
    interrupt,
    cause,
    causeText: causeName(interrupt, cause),
    stval: hart.readCsr(CSR_STVAL),
    sepc: Number(BigInt.asUintN(64, hart.readCsr(CSR_SEPC) ?? 0n)),
  };
}

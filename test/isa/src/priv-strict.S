/*
 * priv-strict: privileged-spec rules that QEMU 7.2 does not follow, kept apart so that
 * every other test can be checked against QEMU in full.
 *
 * - CSRRS and CSRRC whose rs1 is a register other than x0 count as writes even when that
 *   register holds zero (unprivileged spec 9.1, Zicsr: "the instruction will still attempt
 *   to write the unmodified value back to the CSR"), so on a read-only CSR they raise an
 *   illegal-instruction exception (privileged spec 2.1). QEMU 7.2 treats them as reads.
 * - mepc[0] and sepc[0] are always zero (3.1.14, 4.1.7). QEMU 7.2 keeps bit 0.
 * - medeleg[11] (ecall from M-mode) is read-only zero (3.1.8). QEMU 7.2 lets it be set.
 * - an mret to a mode below M clears mstatus.MPRV (3.1.6.3, since privileged spec 1.12).
 *   QEMU 7.2 keeps MPRV.
 * - minstret counts retired instructions exactly (unprivileged spec 10.1); a CSR read sees
 *   the count before its own instruction retires, and the instruction that writes
 *   minstret does not also increment it (privileged spec 3.1.10). QEMU 7.2 without icount
 *   returns the host's cycle counter instead.
 * Under QEMU this test therefore stops at check 1 (see test/full/isa-rebuild.test.ts).
 */
#include "harness.h"

  .text
  .globl test_main
test_main:
  li a1, 0
  CHECK(1)
  TRAP_ARM
1:
  csrrs a0, mhartid, a1
  EXPECT_TRAP CAUSE_ILLEGAL
  CHECK(2)
  LOADVAR a0, trap_tval
  la a2, 1b
  lwu a2, 0(a2)
  EXPECT_SAME a0, a2
  CHECK(3)
  TRAP_ARM
  csrrc a0, mvendorid, a1
  EXPECT_TRAP CAUSE_ILLEGAL
  CHECK(4)
  TRAP_ARM
  csrrs a0, cycle, a1
  EXPECT_TRAP CAUSE_ILLEGAL
  /* the same instructions with rs1 = x0 are plain reads */
  CHECK(5)
  TRAP_ARM
  csrrs a0, mhartid, x0
  csrrc a0, mvendorid, x0
  csrrs a0, cycle, x0
  EXPECT_NO_TRAP
  /* xepc[0] is always zero (IALIGN = 16 with C) */
  CHECK(6)
  li a1, 0x80000003
  csrw mepc, a1
  csrr a0, mepc
  EXPECT a0, 0x80000002
  CHECK(7)
  li a1, 0x80000005
  csrw sepc, a1
  csrr a0, sepc
  EXPECT a0, 0x80000004
  CHECK(8)
  li a1, -1
  csrw medeleg, a1
  csrr a0, medeleg
  csrw medeleg, zero
  li a1, (1 << 11)
  and a0, a0, a1
  EXPECT a0, 0
  CHECK(9)
  li a1, MSTATUS_MPRV
  csrs mstatus, a1
  ENTER_MODE PRV_S
  ENTER_M
  csrr a0, mstatus
  li a1, MSTATUS_MPRV
  and a0, a0, a1
  EXPECT a0, 0
  CHECK(10)
  li a1, MSTATUS_MPRV
  csrs mstatus, a1
  ENTER_MODE PRV_U
  ENTER_M
  csrr a0, mstatus
  li a1, MSTATUS_MPRV
  and a0, a0, a1
  EXPECT a0, 0
  /* an mret that stays in M-mode keeps MPRV */
  CHECK(11)
  li a1, MSTATUS_MPRV
  csrs mstatus, a1
  ENTER_MODE PRV_M
  csrr a0, mstatus
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  and a0, a0, a1
  EXPECT_SAME a0, a1
  /* exact instruction counting */
  CHECK(12)
  csrr a1, minstret
  nop
  nop
  nop
  csrr a2, minstret
  sub a0, a2, a1
  EXPECT a0, 4                 /* the first csrr and three nops */
  CHECK(13)
  li a1, 1000
  csrw minstret, a1
  csrr a0, minstret
  EXPECT a0, 1000
  CHECK(14)
  csrr a1, instret
  addi a0, a1, 0
  csrr a2, minstret
  sub a0, a2, a1
  EXPECT a0, 2
  j pass

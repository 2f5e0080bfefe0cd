/*
 * priv-sstc: the `time` CSR and the Sstc extension (supervisor timer compare), which the
 * xv6 kernel's timer relies on. `time` mirrors the CLINT's mtime (unprivileged spec 10.1)
 * and is gated by mcounteren.TM / scounteren.TM; with menvcfg.STCE = 1, stimecmp drives
 * mip.STIP (which becomes read-only), S-mode may access stimecmp only when mcounteren.TM
 * and menvcfg.STCE are set, and a delegated supervisor timer interrupt reaches the S-mode
 * handler with scause = interrupt | 5 (Sstc spec, privileged spec 3.1.9 and 4.1.3).
 *
 * QEMU 7.2's spike machine provides neither `time` nor Sstc (its CLINT does not feed a
 * time CSR; firmware emulates rdtime), so under QEMU this test stops at check 1: see
 * test/full/isa-rebuild.test.ts.
 */
#include "harness.h"

#define TM 2
#define STI (CAUSE_INTR | IRQ_S_TIMER)

.macro WAIT_FOR sym, cause
  li t4, 30000000
9921:
  LOADVAR t5, \sym
  li t6, \cause
  beq t5, t6, 9922f
  addi t4, t4, -1
  bnez t4, 9921b
9922:
  LOADVAR t5, \sym
  EXPECT t5, \cause
.endm
.macro READ_MTIME reg
  li t5, CLINT_MTIME
  ld \reg, 0(t5)
.endm
.macro STIP_IS value
  csrr t5, mip
  andi t5, t5, (1 << IRQ_S_TIMER)
  EXPECT t5, \value
.endm

  .text
  .globl test_main
test_main:
  /* time reads mtime in M-mode */
  CHECK(1)
  TRAP_ARM
  READ_MTIME a1
  csrr a2, time
  READ_MTIME a3
  EXPECT_NO_TRAP
  CHECK(2)
  bltu a2, a1, fail
  bltu a3, a2, fail
  /* mcounteren.TM lets S read time; U also needs scounteren.TM */
  CHECK(3)
  csrwi mcounteren, TM
  csrw scounteren, zero
  TRAP_ARM
  ENTER_MODE PRV_S
  csrr a0, time
  EXPECT_NO_TRAP
  ENTER_M
  CHECK(4)
  ENTER_MODE PRV_U
  csrr a0, time
  EXPECT_TRAP CAUSE_ILLEGAL
  ENTER_M
  CHECK(5)
  TRAP_ARM
  csrwi scounteren, TM
  ENTER_MODE PRV_U
  csrr a1, time
  csrr a2, time
  EXPECT_NO_TRAP
  ENTER_M
  bltu a2, a1, fail

  /* Sstc: stimecmp is an M/S CSR; with STCE = 1 it drives STIP */
  CHECK(10)
  li a1, MENVCFG_STCE
  csrs CSR_MENVCFG, a1
  csrr a0, CSR_MENVCFG
  and a0, a0, a1
  EXPECT_SAME a0, a1
  CHECK(11)
  li a1, -1
  csrw CSR_STIMECMP, a1
  csrr a0, CSR_STIMECMP
  EXPECT a0, -1
  STIP_IS 0
  CHECK(12)
  csrw CSR_STIMECMP, zero
  STIP_IS (1 << IRQ_S_TIMER)
  CHECK(13)
  li a1, (1 << IRQ_S_TIMER)
  csrc mip, a1                  /* read-only while STCE = 1: stays set */
  STIP_IS (1 << IRQ_S_TIMER)
  CHECK(14)
  csrr a1, time
  li a2, 10000000
  add a1, a1, a2
  csrw CSR_STIMECMP, a1         /* a future deadline clears STIP */
  STIP_IS 0
  /* S-mode access: allowed with TM = 1, illegal with TM = 0 or STCE = 0 */
  CHECK(15)
  TRAP_ARM
  csrwi mcounteren, TM
  ENTER_MODE PRV_S
  csrr a0, CSR_STIMECMP
  EXPECT_NO_TRAP
  ENTER_M
  CHECK(16)
  csrw mcounteren, zero
  ENTER_MODE PRV_S
  csrr a0, CSR_STIMECMP
  EXPECT_TRAP CAUSE_ILLEGAL
  ENTER_M
  CHECK(17)
  TRAP_ARM
  csrwi mcounteren, TM
  li a1, MENVCFG_STCE
  csrc CSR_MENVCFG, a1
  ENTER_MODE PRV_S
  csrr a0, CSR_STIMECMP
  EXPECT_TRAP CAUSE_ILLEGAL
  ENTER_M
  li a1, MENVCFG_STCE
  csrs CSR_MENVCFG, a1

  /* a delegated supervisor timer: S-mode sets stimecmp and takes the interrupt */
  CHECK(20)
  TRAP_ARM
  li a1, (1 << IRQ_S_TIMER)
  csrs mideleg, a1
  csrs mie, a1
  ENTER_MODE PRV_S
  csrsi sstatus, MSTATUS_SIE
  csrr a1, time
  addi a1, a1, 500
  csrw CSR_STIMECMP, a1
  WAIT_FOR strap_cause, STI
  csrci sstatus, MSTATUS_SIE
  EXPECT_TRAP NO_TRAP
  CHECK(21)
  LOADVAR a0, strap_tval
  EXPECT a0, 0
  CHECK(22)
  csrr a2, time                 /* the interrupt came no earlier than the deadline */
  bltu a2, a1, fail
  CHECK(23)
  li a1, -1                     /* S-mode re-arms: STIP drops */
  csrw CSR_STIMECMP, a1
  csrr a0, sip
  andi a0, a0, (1 << IRQ_S_TIMER)
  EXPECT a0, 0
  ENTER_M
  /* not delegated: the same interrupt goes to M-mode when it fires in S-mode */
  CHECK(24)
  TRAP_ARM
  csrw mideleg, zero
  li a1, (1 << IRQ_S_TIMER)
  csrs mie, a1
  csrw CSR_STIMECMP, zero
  ENTER_MODE PRV_S
  WAIT_FOR trap_cause, STI
  ENTER_M
  EXPECT_STRAP NO_TRAP
  li a1, -1
  csrw CSR_STIMECMP, a1
  csrw mie, zero
  csrw mcounteren, zero
  csrw scounteren, zero
  j pass

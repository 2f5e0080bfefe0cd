/*
 * sv39-access: who may touch what under Sv39 (privileged spec 4.1.1, 4.3, 4.4, 3.1.6.3),
 * using the tables of include/sv39.h: the U bit seen from S-mode with SUM off and on, MXR,
 * U-mode loads, stores and fetches against supervisor pages, hardware A and D updates
 * (QEMU and our emulator set them rather than fault: 4.3.1 allows either), sfence.vma
 * making a changed PTE visible, MPRV translating M-mode data accesses as MPP, and a page
 * fault delegated to S-mode.
 */
#include "harness.h"
#include "sv39.h"

  .text
  .globl test_main
test_main:
  CHECK(1)
  SV39_SETUP
  csrw satp, a0
  sfence.vma
  TRAP_ARM
  ENTER_MODE PRV_S

  /* ---- the U bit from S-mode: SUM and MXR (4.1.1.2) ---- */
  CHECK(40)
  TRAP_ARM
  la s1, user_data
  ld a0, 0(s1)                 /* SUM = 0: S may not touch user pages */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(41)
  TRAP_ARM
  li a1, MSTATUS_SUM
  csrs sstatus, a1
  ld a0, 0(s1)
  EXPECT a0, 0x7777777777777777
  sd a0, 8(s1)
  EXPECT_NO_TRAP
  CHECK(42)
  TRAP_ARM
  la s1, u_exit
  TRAP_RESUME_AT 5f
  jr s1                        /* S never executes user pages, SUM or not */
  j fail
5:
  EXPECT_FAULT CAUSE_FETCH_PAGE, s1
  li a1, MSTATUS_SUM
  csrc sstatus, a1
  CHECK(43)
  TRAP_ARM
  li s1, VA_XO + 8
  ld a0, 0(s1)                 /* execute-only: not readable while MXR = 0 */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(44)
  TRAP_ARM
  li a1, MSTATUS_MXR
  csrs sstatus, a1
  ld a0, 0(s1)
  EXPECT a0, 0x2222222222222222
  EXPECT_NO_TRAP
  CHECK(45)
  sd a0, 0(s1)                 /* MXR grants reads only */
  EXPECT_FAULT CAUSE_STORE_PAGE, s1
  li a1, MSTATUS_MXR
  csrc sstatus, a1

  /* ---- U-mode: short gadgets on the user code page ---- */
  ENTER_M
  CHECK(50)
  TRAP_ARM
  la a1, user_data
  RUN_USER u_load
  EXPECT a0, 0x7777777777777777
  EXPECT_NO_TRAP
  CHECK(51)
  la a1, user_data + 16
  li a2, 0x1234
  RUN_USER u_store
  EXPECT_NO_TRAP
  ld a0, 0(a1)
  EXPECT a0, 0x1234
  CHECK(52)
  la s1, data_a
  mv a1, s1
  RUN_USER u_load              /* a supervisor page */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(53)
  TRAP_ARM
  RUN_USER u_store
  EXPECT_FAULT CAUSE_STORE_PAGE, s1
  CHECK(54)
  TRAP_ARM
  li a1, MSTATUS_SUM           /* SUM is about S-mode only */
  csrs mstatus, a1
  mv a1, s1
  RUN_USER u_load
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  li a1, MSTATUS_SUM
  csrc mstatus, a1
  CHECK(55)
  TRAP_ARM
  la s1, test_main
  mv a1, s1
  TRAP_RESUME_AT u_exit
  RUN_USER u_jump              /* fetch from a supervisor page */
  EXPECT_FAULT CAUSE_FETCH_PAGE, s1
  CHECK(56)
  TRAP_ARM
  LOADVAR a0, trap_status
  srli a0, a0, 11
  andi a0, a0, 3
  EXPECT a0, PRV_U

  /* ---- hardware A/D updates (4.3.1: QEMU and our emulator set them) ---- */
  CHECK(60)
  ENTER_MODE PRV_S
  la s2, l0_t
  ld a0, (4 * 8)(s2)
  andi a0, a0, PTE_A | PTE_D
  EXPECT a0, 0
  CHECK(61)
  TRAP_ARM
  li s1, VA_AD
  ld a0, 0(s1)
  EXPECT a0, 0x5555555555555555
  EXPECT_NO_TRAP
  ld a0, (4 * 8)(s2)
  andi a0, a0, PTE_A | PTE_D
  EXPECT a0, PTE_A
  CHECK(62)
  li a1, 0x5656
  sd a1, 8(s1)
  EXPECT_NO_TRAP
  ld a0, (4 * 8)(s2)
  andi a0, a0, PTE_A | PTE_D
  EXPECT a0, PTE_A | PTE_D

  /* ---- sfence.vma makes a changed mapping visible (4.2.1) ---- */
  CHECK(70)
  li s1, VA_SWAP
  ld a0, 0(s1)
  EXPECT a0, 0x1111111111111111
  CHECK(71)
  la a1, data_b
  SET_PTE l0_t, 6, a1, LEAF_RW
  sfence.vma
  ld a0, 0(s1)
  EXPECT a0, 0x4444444444444444
  CHECK(72)
  la a1, data_a
  SET_PTE l0_t, 6, a1, LEAF_RW
  sfence.vma s1, zero          /* just this address */
  ld a0, 0(s1)
  EXPECT a0, 0x1111111111111111
  CHECK(73)
  TRAP_ARM
  la a1, l0_t
  sd zero, (6 * 8)(a1)
  sfence.vma s1, zero
  ld a0, 0(s1)
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1

  /* ---- MPRV: M-mode loads and stores translated as MPP (3.1.6.3) ---- */
  ENTER_M
  CHECK(80)
  TRAP_ARM
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  li a1, MSTATUS_MPRV | (PRV_S << 11)
  csrs mstatus, a1
  li s1, VA_RW + 8
  ld a0, 0(s1)                 /* 0x40000008 is not RAM: only the translation works */
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  EXPECT a0, 0x2222222222222222
  EXPECT_NO_TRAP
  CHECK(81)
  li a1, MSTATUS_MPRV | (PRV_S << 11)
  csrs mstatus, a1
  li s1, VA_RO
  sd a0, 0(s1)                 /* store to a read-only page */
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  EXPECT_FAULT CAUSE_STORE_PAGE, s1
  CHECK(82)
  TRAP_ARM
  li a1, MSTATUS_MPP
  csrc mstatus, a1             /* MPP = U */
  li a1, MSTATUS_MPRV
  csrs mstatus, a1
  li s1, VA_RW
  ld a0, 0(s1)                 /* as U: a supervisor page faults */
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(83)
  TRAP_ARM
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  la s1, user_data
  li a1, MSTATUS_MPRV | (PRV_S << 11)
  csrs mstatus, a1
  ld a0, 0(s1)                 /* as S with SUM = 0: a user page faults */
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(84)
  TRAP_ARM
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  li a1, MSTATUS_MPRV | MSTATUS_SUM | (PRV_S << 11)
  csrs mstatus, a1
  ld a0, 0(s1)
  li a1, MSTATUS_MPRV | MSTATUS_SUM
  csrc mstatus, a1
  EXPECT a0, 0x7777777777777777
  EXPECT_NO_TRAP

  /* ---- a page fault delegated to S-mode: scause, stval, sepc (4.1.7-4.1.9) ---- */
  CHECK(90)
  TRAP_ARM
  li a1, (1 << CAUSE_LOAD_PAGE)
  csrw medeleg, a1
  ENTER_MODE PRV_S
  li s1, VA_INVALID + 0x30
6:
  ld a0, 0(s1)
  ENTER_M
  EXPECT_STRAP CAUSE_LOAD_PAGE
  EXPECT_TRAP NO_TRAP
  CHECK(91)
  LOADVAR a0, strap_tval
  EXPECT_SAME a0, s1
  CHECK(92)
  LOADVAR a0, strap_epc
  la a1, 6b
  EXPECT_SAME a0, a1
  csrw medeleg, zero

  csrw satp, zero
  sfence.vma
  j pass

#include "sv39-tables.S"

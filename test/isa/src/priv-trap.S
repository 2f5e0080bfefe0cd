/*
 * priv-trap: synchronous traps and privilege changes (privileged spec 3.1.6.1, 3.1.8,
 * 3.3.1, 3.3.2, 4.1.1). ecall from M, S and U (mcause 11, 9, 8) with mepc at the ecall
 * and mtval = 0; ebreak; the MPP/MPIE/MIE and SPP/SPIE/SIE updates on trap entry and on
 * mret/sret; which mode mret/sret land in; medeleg delegation of U-mode ecalls and
 * S-mode illegal instructions to S-mode (scause, sepc, stval, SPP) and its having no
 * effect on traps taken in M-mode; xRET from too low a privilege; mstatus.TSR, TVM, TW;
 * access faults (causes 1, 5, 7) with mtval = the address, for a hole in the memory map.
 */
#include "harness.h"

/* Expect the M-mode handler to have seen `cause` with mstatus.MPP == `mpp`. */
.macro EXPECT_TRAP_FROM cause, mpp
  EXPECT_TRAP \cause
  LOADVAR t5, trap_status
  srli t5, t5, 11
  andi t5, t5, 3
  EXPECT t5, \mpp
.endm

  .text
  .globl test_main
test_main:
  /* ecall from M: mcause 11, mepc = the ecall, mtval = 0, MPP = M */
  CHECK(1)
  TRAP_ARM
  li a0, 0
1:
  ecall
  EXPECT_TRAP_FROM CAUSE_ECALL_M, PRV_M
  CHECK(2)
  LOADVAR a0, trap_epc
  la a1, 1b
  EXPECT_SAME a0, a1
  CHECK(3)
  LOADVAR a0, trap_tval
  EXPECT a0, 0
  /* ebreak: mcause 3, mepc = the ebreak */
  CHECK(4)
  TRAP_ARM
2:
  ebreak
  EXPECT_TRAP CAUSE_BREAKPOINT
  LOADVAR a0, trap_epc
  la a1, 2b
  EXPECT_SAME a0, a1
  /* trap entry moves MIE to MPIE and clears MIE (3.1.6.1) */
  CHECK(5)
  TRAP_ARM
  csrsi mstatus, MSTATUS_MIE   /* no interrupt is enabled in mie, so none can be taken */
  ecall
  csrr a1, mstatus
  LOADVAR a0, trap_status
  andi a0, a0, MSTATUS_MIE | MSTATUS_MPIE
  EXPECT a0, MSTATUS_MPIE
  CHECK(6)
  andi a1, a1, MSTATUS_MIE     /* mret restored MIE from MPIE */
  EXPECT a1, MSTATUS_MIE
  csrci mstatus, MSTATUS_MIE

  /* mret to M-mode: MIE = MPIE, MPIE = 1, MPP = U (least-privileged mode, 3.3.2) */
  CHECK(7)
  li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  csrc mstatus, a1
  li a1, MSTATUS_MPP | MSTATUS_MPIE
  csrs mstatus, a1
  ENTER_MODE PRV_M
  csrr a0, mstatus
  csrci mstatus, MSTATUS_MIE
  li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  and a0, a0, a1
  EXPECT a0, MSTATUS_MPIE | MSTATUS_MIE
  /* mret with MPIE = 0 leaves MIE = 0 */
  CHECK(8)
  li a1, MSTATUS_MPIE
  csrc mstatus, a1
  ENTER_MODE PRV_M
  csrr a0, mstatus
  andi a0, a0, MSTATUS_MIE
  EXPECT a0, 0

  /* mret to S: S-mode CSRs work, M-mode CSRs are illegal; ecall there is cause 9 */
  CHECK(10)
  TRAP_ARM
  ENTER_MODE PRV_S
  csrr a0, sstatus
  EXPECT_NO_TRAP
  CHECK(11)
  csrr a0, mstatus
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_S
  CHECK(12)
  TRAP_ARM
3:
  ecall
  EXPECT_TRAP_FROM CAUSE_ECALL_S, PRV_S
  LOADVAR a0, trap_epc
  la a1, 3b
  EXPECT_SAME a0, a1
  /* mret from S-mode is illegal */
  CHECK(13)
  TRAP_ARM
  mret
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_S
  ENTER_M
  /* (mret to S or U clearing MPRV: see priv-strict.S) */

  /* mret to U: every CSR outside the user counters is illegal; ecall is cause 8 */
  CHECK(20)
  TRAP_ARM
  ENTER_MODE PRV_U
  csrr a0, sstatus
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_U
  CHECK(21)
  TRAP_ARM
4:
  ecall
  EXPECT_TRAP_FROM CAUSE_ECALL_U, PRV_U
  LOADVAR a0, trap_epc
  la a1, 4b
  EXPECT_SAME a0, a1
  CHECK(22)
  TRAP_ARM
  sret
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_U
  CHECK(23)
  TRAP_ARM
  mret
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_U
  CHECK(24)
  TRAP_ARM
  csrr a0, sscratch
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_U
  ENTER_M

  /* sret from M-mode to S: SIE = SPIE, SPIE = 1, SPP = U (4.1.1) */
  CHECK(30)
  TRAP_ARM
  li a1, MSTATUS_SPP | MSTATUS_SPIE
  csrs mstatus, a1
  csrci mstatus, MSTATUS_SIE
  la a1, 5f
  csrw sepc, a1
  sret
5:
  csrr a0, sstatus             /* legal: we are in S-mode */
  EXPECT_NO_TRAP
  CHECK(31)
  andi a0, a0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  EXPECT a0, MSTATUS_SIE | MSTATUS_SPIE
  /* sret from S to U with SPIE = 0: lands in U, SIE = 0 */
  CHECK(32)
  li a1, MSTATUS_SPP | MSTATUS_SPIE
  csrc sstatus, a1
  la a1, 6f
  csrw sepc, a1
  sret
6:
  TRAP_ARM
  csrr a0, sstatus
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_U
  ENTER_M
  CHECK(33)
  csrr a0, mstatus
  andi a0, a0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  EXPECT a0, MSTATUS_SPIE

  /* medeleg: a U-mode ecall goes to the S handler */
  CHECK(40)
  TRAP_ARM
  li a1, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL)
  csrw medeleg, a1
  li a1, MSTATUS_SPP
  csrs mstatus, a1             /* SPP must become 0 on a trap from U */
  csrsi mstatus, MSTATUS_SIE   /* and SIE must go to SPIE */
  ENTER_MODE PRV_U
7:
  ecall
  ENTER_M                      /* via the S handler, which asks M-mode in turn */
  EXPECT_STRAP CAUSE_ECALL_U
  EXPECT_TRAP NO_TRAP
  CHECK(41)
  LOADVAR a0, strap_epc
  la a1, 7b
  EXPECT_SAME a0, a1
  CHECK(42)
  LOADVAR a0, strap_tval
  EXPECT a0, 0
  CHECK(43)
  LOADVAR a0, strap_status
  andi a0, a0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  EXPECT a0, MSTATUS_SPIE
  CHECK(44)
  csrr a0, mcause              /* M-mode's own trap registers were not touched */
  EXPECT a0, CAUSE_ECALL_S     /* (the last M trap is the S handler's SYS_TO_M ecall) */
  /* a delegated illegal instruction in S-mode: scause 2, stval = bits, SPP = S */
  CHECK(45)
  TRAP_ARM
  ENTER_MODE PRV_S
8:
  csrr a0, mstatus
  ENTER_M
  EXPECT_STRAP CAUSE_ILLEGAL
  EXPECT_TRAP NO_TRAP
  CHECK(46)
  LOADVAR a0, strap_tval
  la a1, 8b
  lwu a1, 0(a1)
  EXPECT_SAME a0, a1
  CHECK(47)
  LOADVAR a0, strap_status
  andi a0, a0, MSTATUS_SPP
  EXPECT a0, MSTATUS_SPP
  /* delegation never applies to traps taken in M-mode (3.1.8) */
  CHECK(48)
  TRAP_ARM
  csrr a0, 0x7ff
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_M
  EXPECT_STRAP NO_TRAP
  csrw medeleg, zero

  /* mstatus.TSR: sret in S-mode is illegal; sret in M-mode still works */
  CHECK(50)
  TRAP_ARM
  li a1, MSTATUS_TSR
  csrs mstatus, a1
  ENTER_MODE PRV_S
  sret
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_S
  ENTER_M
  CHECK(51)
  TRAP_ARM
  li a1, MSTATUS_SPP
  csrs mstatus, a1
  la a1, 9f
  csrw sepc, a1
  sret
9:
  csrr a0, sstatus
  EXPECT_NO_TRAP
  ENTER_M
  li a1, MSTATUS_TSR
  csrc mstatus, a1
  /* mstatus.TVM: satp and sfence.vma are illegal in S-mode; M-mode is unaffected */
  CHECK(52)
  TRAP_ARM
  li a1, MSTATUS_TVM
  csrs mstatus, a1
  csrr a0, satp
  sfence.vma
  EXPECT_NO_TRAP
  CHECK(53)
  ENTER_MODE PRV_S
  csrr a0, satp
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_S
  CHECK(54)
  TRAP_ARM
  csrw satp, zero
  EXPECT_TRAP CAUSE_ILLEGAL
  CHECK(55)
  TRAP_ARM
  sfence.vma
  EXPECT_TRAP CAUSE_ILLEGAL
  ENTER_M
  li a1, MSTATUS_TVM
  csrc mstatus, a1
  CHECK(56)
  TRAP_ARM
  ENTER_MODE PRV_S
  csrr a0, satp                /* TVM = 0: legal again */
  sfence.vma
  EXPECT_NO_TRAP
  ENTER_M
  /* mstatus.TW: wfi in S-mode is illegal (the time limit is 0 on QEMU and on ours) */
  CHECK(57)
  TRAP_ARM
  li a1, MSTATUS_TW
  csrs mstatus, a1
  ENTER_MODE PRV_S
5:
  wfi
  EXPECT_TRAP_FROM CAUSE_ILLEGAL, PRV_S
  CHECK(58)
  LOADVAR a0, trap_tval
  la a1, 5b
  lwu a1, 0(a1)
  EXPECT_SAME a0, a1
  ENTER_M
  li a1, MSTATUS_TW
  csrc mstatus, a1

  /* access faults: nothing answers at 0x28000000 on QEMU's spike and virt machines or on
   * ours (3.1.15) */
#define HOLE 0x28000000
  CHECK(60)
  TRAP_ARM
  li s1, HOLE + 0x18
  ld a0, 0(s1)
  EXPECT_TRAP CAUSE_LOAD_ACCESS
  LOADVAR a0, trap_tval
  EXPECT_SAME a0, s1
  CHECK(61)
  TRAP_ARM
  sw a0, 0(s1)
  EXPECT_TRAP CAUSE_STORE_ACCESS
  LOADVAR a0, trap_tval
  EXPECT_SAME a0, s1
  CHECK(62)
  TRAP_ARM
  li s1, HOLE + 0x100
  TRAP_RESUME_AT 1f
  jr s1
  j fail
1:
  EXPECT_TRAP CAUSE_FETCH_ACCESS
  LOADVAR a0, trap_tval
  EXPECT_SAME a0, s1
  CHECK(63)
  LOADVAR a0, trap_epc         /* mepc is the target that could not be fetched */
  EXPECT_SAME a0, s1
  /* the same from U-mode (PMP is open, so only the hole faults) */
  CHECK(64)
  TRAP_ARM
  li s1, HOLE + 8
  ENTER_MODE PRV_U
  lbu a0, 0(s1)
  ENTER_M
  EXPECT_TRAP_FROM CAUSE_LOAD_ACCESS, PRV_U
  j pass

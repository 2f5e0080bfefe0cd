/*
 * priv-irq: interrupts (privileged spec 3.1.9, 3.1.7, 3.2.1, 3.3.3, 4.1.3). The machine
 * timer through the CLINT (mtimecmp against mtime drives mip.MTIP), the machine software
 * interrupt (msip), global enables (mstatus.MIE only matters in M-mode; M interrupts are
 * always enabled in S and U), wfi returning when an interrupt is pending even with MIE = 0,
 * mtvec vectored mode (interrupt n goes to base + 4n, exceptions to base), and supervisor
 * software interrupts with and without mideleg, including the SIE rules in S and U, the
 * priority of MSI over MTI, and an S timer interrupt raised by M-mode through mip.STIP.
 */
#include "harness.h"

/* Spin until the M (or S) handler has recorded `cause`, at most 30 million rounds (QEMU raises
 * its timer interrupt from another host thread, which a loaded host can delay). */
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

/* Let a few hundred instructions pass. */
.macro IDLE
  li t4, 200
9923:
  addi t4, t4, -1
  bnez t4, 9923b
.endm

.macro SET_MTIMECMP reg
  li t5, CLINT_MTIMECMP
  sd \reg, 0(t5)
.endm
.macro READ_MTIME reg
  li t5, CLINT_MTIME
  ld \reg, 0(t5)
.endm
.macro SET_MSIP value
  li t5, CLINT_MSIP
  li t6, \value
  sw t6, 0(t5)
.endm

#define MTI (CAUSE_INTR | IRQ_M_TIMER)
#define MSI (CAUSE_INTR | IRQ_M_SOFT)
#define SSI (CAUSE_INTR | IRQ_S_SOFT)

  .text
  .globl test_main
test_main:
  /* mtimecmp in the far future: MTIP clear */
  CHECK(1)
  li a1, -1
  SET_MTIMECMP a1
  IDLE
  csrr a0, mip
  andi a0, a0, (1 << IRQ_M_TIMER)
  EXPECT a0, 0
  /* mtime advances */
  CHECK(2)
  READ_MTIME a1
  IDLE
  IDLE
  READ_MTIME a2
  bgeu a1, a2, fail
  /* mtimecmp = 0 <= mtime: MTIP set; no trap while mie.MTIE = 0 */
  CHECK(3)
  TRAP_ARM
  csrsi mstatus, MSTATUS_MIE
  SET_MTIMECMP zero
  IDLE
  csrr a0, mip
  andi a0, a0, (1 << IRQ_M_TIMER)
  EXPECT a0, (1 << IRQ_M_TIMER)
  EXPECT_NO_TRAP
  csrci mstatus, MSTATUS_MIE
  /* MTIE = 1 but MIE = 0 in M-mode: still no trap, and wfi returns (3.3.3) */
  CHECK(4)
  li a1, (1 << IRQ_M_TIMER)
  csrs mie, a1
  IDLE
  wfi
  EXPECT_NO_TRAP
  /* MIE = 1: taken at once; mcause = interrupt | 7 */
  CHECK(5)
  csrsi mstatus, MSTATUS_MIE
  WAIT_FOR trap_cause, MTI
  csrci mstatus, MSTATUS_MIE
  CHECK(6)
  LOADVAR a0, trap_status      /* taken from M with MIE = 1: MPIE = 1, MPP = M */
  li a1, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MIE
  and a0, a0, a1
  EXPECT a0, MSTATUS_MPIE | MSTATUS_MPP
  CHECK(7)
  LOADVAR a0, trap_tval
  EXPECT a0, 0
  /* writing mtimecmp into the future clears MTIP */
  CHECK(8)
  READ_MTIME a1
  li a2, 1000000
  add a1, a1, a2
  SET_MTIMECMP a1
  csrr a0, mip
  andi a0, a0, (1 << IRQ_M_TIMER)
  EXPECT a0, 0

  /* a timer a little in the future fires later */
  CHECK(10)
  TRAP_ARM
  READ_MTIME a1
  addi a1, a1, 500
  SET_MTIMECMP a1
  li a2, (1 << IRQ_M_TIMER)
  csrs mie, a2
  csrsi mstatus, MSTATUS_MIE
  WAIT_FOR trap_cause, MTI
  csrci mstatus, MSTATUS_MIE
  CHECK(11)
  READ_MTIME a2                /* by now mtime has reached mtimecmp */
  bltu a2, a1, fail
  /* wfi with the interrupt enabled: the hart waits, then takes the trap. The deadline is
     far enough (0.1 s of QEMU's 10 MHz timebase) that the timer cannot fire before the
     wfi: the handler masks MTIE, and a wfi after that would wait for ever. */
  CHECK(12)
  TRAP_ARM
  READ_MTIME a1
  li a2, 1000000
  add a1, a1, a2
  SET_MTIMECMP a1
  li a2, (1 << IRQ_M_TIMER)
  csrs mie, a2
  csrsi mstatus, MSTATUS_MIE
  wfi
  WAIT_FOR trap_cause, MTI
  csrci mstatus, MSTATUS_MIE
  li a1, -1
  SET_MTIMECMP a1

  /* machine software interrupt: msip drives mip.MSIP */
  CHECK(20)
  TRAP_ARM
  SET_MSIP 1
  IDLE
  csrr a0, mip
  andi a0, a0, (1 << IRQ_M_SOFT)
  EXPECT a0, (1 << IRQ_M_SOFT)
  EXPECT_NO_TRAP
  CHECK(21)
  csrsi mie, (1 << IRQ_M_SOFT)
  csrsi mstatus, MSTATUS_MIE
  WAIT_FOR trap_cause, MSI
  csrci mstatus, MSTATUS_MIE
  CHECK(22)
  SET_MSIP 0
  IDLE
  csrr a0, mip
  andi a0, a0, (1 << IRQ_M_SOFT)
  EXPECT a0, 0
  /* M-level interrupts are taken in S-mode whatever mstatus.MIE says (3.1.6.1) */
  CHECK(23)
  TRAP_ARM
  csrci mstatus, MSTATUS_MIE
  csrsi mie, (1 << IRQ_M_SOFT)
  SET_MSIP 1
  ENTER_MODE PRV_S
  WAIT_FOR trap_cause, MSI
  ENTER_M
  SET_MSIP 0
  CHECK(24)
  LOADVAR a0, trap_status
  srli a0, a0, 11
  andi a0, a0, 3
  EXPECT a0, PRV_S

  /* vectored mtvec: interrupt n enters at base + 4n, exceptions at base (3.1.7) */
  CHECK(30)
  TRAP_ARM
  la a1, vector_table
  ori a1, a1, 1
  csrw mtvec, a1
  la a1, vector_hits
  sd zero, 0(a1)
  csrsi mie, (1 << IRQ_M_SOFT)
  SET_MSIP 1
  csrsi mstatus, MSTATUS_MIE
  WAIT_FOR vector_hits, IRQ_M_SOFT
  CHECK(31)
  TRAP_ARM
  la a1, vector_hits
  sd zero, 0(a1)
  READ_MTIME a1
  addi a1, a1, 100
  SET_MTIMECMP a1
  li a1, (1 << IRQ_M_TIMER)
  csrs mie, a1
  WAIT_FOR vector_hits, IRQ_M_TIMER
  csrci mstatus, MSTATUS_MIE
  CHECK(32)
  EXPECT_NO_TRAP               /* neither went through the base entry */
  CHECK(33)
  ecall                        /* an exception uses the base entry: the harness handler */
  EXPECT_TRAP CAUSE_ECALL_M
  /* priority (3.1.9): with MSI and MTI both pending, MSI is taken first */
  CHECK(34)
  TRAP_ARM
  la a1, vector_hits
  sd zero, 0(a1)
  sd zero, 8(a1)               /* vector_count */
  SET_MSIP 1
  SET_MTIMECMP zero
  li a1, (1 << IRQ_M_SOFT) | (1 << IRQ_M_TIMER)
  csrs mie, a1
  IDLE
  csrsi mstatus, MSTATUS_MIE
  WAIT_FOR vector_hits, IRQ_M_TIMER
  csrci mstatus, MSTATUS_MIE
  CHECK(35)
  LOADVAR a0, vector_count
  EXPECT a0, 2
  CHECK(36)
  la a1, vector_log
  ld a0, 0(a1)
  EXPECT a0, IRQ_M_SOFT
  ld a0, 8(a1)
  EXPECT a0, IRQ_M_TIMER
  csrw mie, zero
  la a1, trap_vector
  csrw mtvec, a1

  /* supervisor software interrupt, not delegated: M-mode handles it (cause 1) */
  CHECK(40)
  TRAP_ARM
  csrw mie, zero
  csrw mideleg, zero
  csrsi mie, (1 << IRQ_S_SOFT)
  csrsi mip, (1 << IRQ_S_SOFT)
  IDLE
  EXPECT_NO_TRAP               /* in M-mode with MIE = 0 */
  CHECK(41)
  ENTER_MODE PRV_S
  WAIT_FOR trap_cause, SSI
  ENTER_M
  EXPECT_STRAP NO_TRAP
  /* delegated: never taken in M-mode, even with MIE = 1 */
  CHECK(42)
  TRAP_ARM
  csrsi mideleg, (1 << IRQ_S_SOFT)
  csrsi mie, (1 << IRQ_S_SOFT)
  csrsi mip, (1 << IRQ_S_SOFT)
  csrsi mstatus, MSTATUS_MIE | MSTATUS_SIE
  IDLE
  csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
  EXPECT_NO_TRAP
  /* in S-mode with SIE = 0: pending but not taken */
  CHECK(43)
  ENTER_MODE PRV_S
  IDLE
  EXPECT_NO_TRAP
  /* SIE = 1: the S handler takes it with scause = interrupt | 1 */
  CHECK(44)
  csrsi sstatus, MSTATUS_SIE
  WAIT_FOR strap_cause, SSI
  csrci sstatus, MSTATUS_SIE
  EXPECT_TRAP NO_TRAP
  CHECK(45)
  LOADVAR a0, strap_status     /* taken from S with SIE = 1: SPP = S, SPIE = 1, SIE = 0 */
  andi a0, a0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  EXPECT a0, MSTATUS_SPP | MSTATUS_SPIE
  /* in U-mode, S interrupts are enabled regardless of SIE */
  CHECK(46)
  TRAP_ARM
  csrsi sie, (1 << IRQ_S_SOFT) /* the S handler masked it */
  ENTER_M
  ENTER_MODE PRV_U
  WAIT_FOR strap_cause, SSI
  ENTER_M
  CHECK(47)
  LOADVAR a0, strap_status
  andi a0, a0, MSTATUS_SPP
  EXPECT a0, 0
  csrci mip, (1 << IRQ_S_SOFT)
  /* without Sstc (menvcfg.STCE = 0) M-mode software raises the S timer through mip.STIP;
   * delegated, it reaches the S handler with scause = interrupt | 5 */
  CHECK(48)
  TRAP_ARM
  csrw CSR_MENVCFG, zero
  li a1, (1 << IRQ_S_TIMER)
  csrs mideleg, a1
  csrs mie, a1
  csrs mip, a1
  csrr a0, mip
  and a0, a0, a1
  EXPECT_SAME a0, a1
  CHECK(49)
  ENTER_MODE PRV_S
  csrsi sstatus, MSTATUS_SIE
  WAIT_FOR strap_cause, (CAUSE_INTR | IRQ_S_TIMER)
  csrci sstatus, MSTATUS_SIE
  ENTER_M
  li a1, (1 << IRQ_S_TIMER)
  csrc mip, a1
  csrr a0, mip
  and a0, a0, a1
  EXPECT a0, 0
  csrw mideleg, zero
  csrw mie, zero
  j pass

  /* Vectored handlers: record the interrupt number, silence the source, return. */
  .balign 256
vector_table:
  j trap_vector                /* 0: exceptions */
  .rept 2
  j vector_bad
  .endr
  j vector_msi                 /* 3 */
  .rept 3
  j vector_bad
  .endr
  j vector_mti                 /* 7 */
  .rept 8
  j vector_bad
  .endr

/* They borrow the harness's two save slots in trap_block (reached through mscratch). */
vector_msi:
  csrrw t0, mscratch, t0
  sd t1, 0(t0)
  sd t2, 8(t0)
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  li t2, IRQ_M_SOFT
  j vector_record
vector_mti:
  csrrw t0, mscratch, t0
  sd t1, 0(t0)
  sd t2, 8(t0)
  li t1, CLINT_MTIMECMP
  li t2, -1
  sd t2, 0(t1)
  li t2, IRQ_M_TIMER
vector_record:
  la t1, vector_hits
  sd t2, 0(t1)
  ld t2, 8(t1)                 /* vector_log[vector_count++] = irq */
  addi t2, t2, 1
  sd t2, 8(t1)
  slli t2, t2, 3
  add t2, t2, t1
  ld t1, 0(t1)
  sd t1, 8(t2)                 /* vector_log starts at vector_hits + 16 */
  ld t1, 0(t0)
  ld t2, 8(t0)
  csrrw t0, mscratch, t0
  mret
vector_bad:
  j fail

  .data
  .balign 8
vector_hits:
  .dword 0
vector_count:
  .dword 0
vector_log:
  .dword 0, 0, 0, 0

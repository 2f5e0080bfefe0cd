/*
 * priv-counters: the cycle and instret counters (unprivileged spec chapter 10, Zicntr;
 * privileged spec 3.1.10-3.1.12, 4.1.5). mcycle/minstret count and can be written;
 * cycle/instret are read-only shadows; mcounteren gates S- and U-mode reads, scounteren
 * additionally gates U-mode reads; a U- or S-mode read of `time` with mcounteren.TM = 0 is
 * illegal. Reading `time` where it is allowed is in priv-sstc.S, because QEMU's spike
 * machine has no `time` CSR at all (it is left to M-mode firmware to emulate).
 */
#include "harness.h"

#define CY 1
#define TM 2
#define IR 4

/* Read CSR `csr` into a0 and expect an illegal-instruction trap, or none (`ok`). */
.macro READ_TRAPS n, csr
  CHECK(\n)
  TRAP_ARM
  csrr a0, \csr
  EXPECT_TRAP CAUSE_ILLEGAL
.endm
.macro READ_OK n, csr
  CHECK(\n)
  TRAP_ARM
  csrr a0, \csr
  EXPECT_NO_TRAP
.endm

  .text
  .globl test_main
test_main:
  /* minstret and mcycle advance. QEMU without icount derives both from the host's cycle
   * counter, so only order and a loose window are checked here; the exact instruction
   * count is checked in priv-strict.S. */
#define WINDOW 0x10000000000  /* generous: a descheduled QEMU thread still fits */
  CHECK(1)
  csrr a1, minstret
  nop
  nop
  nop
  csrr a2, minstret
  bgeu a1, a2, fail
  sub a0, a2, a1
  li a3, WINDOW
  bgeu a0, a3, fail
  CHECK(2)
  csrr a1, mcycle
  nop
  nop
  csrr a2, mcycle
  bgeu a1, a2, fail
  /* the user shadows read the same counters */
  CHECK(3)
  csrr a1, minstret
  csrr a2, instret
  bltu a2, a1, fail
  sub a0, a2, a1
  li a3, WINDOW
  bgeu a0, a3, fail
  CHECK(4)
  csrr a1, mcycle
  csrr a2, cycle
  bltu a2, a1, fail
  sub a0, a2, a1
  li a3, WINDOW
  bgeu a0, a3, fail
  /* minstret and mcycle are writable */
  CHECK(5)
  li a1, 0x100000000000
  csrw minstret, a1
  csrr a2, minstret
  bltu a2, a1, fail
  sub a0, a2, a1
  li a3, WINDOW
  bgeu a0, a3, fail
  CHECK(6)
  li a1, 0x200000000000
  csrw mcycle, a1
  csrr a2, mcycle
  bltu a2, a1, fail
  sub a0, a2, a1
  li a3, WINDOW
  bgeu a0, a3, fail

  /* mcounteren = 0: S- and U-mode reads are illegal */
  CHECK(10)
  csrw mcounteren, zero
  csrw scounteren, zero
  ENTER_MODE PRV_S
  READ_TRAPS 11, cycle
  READ_TRAPS 12, instret
  READ_TRAPS 13, time
  ENTER_M
  ENTER_MODE PRV_U
  READ_TRAPS 14, cycle
  READ_TRAPS 15, instret
  READ_TRAPS 16, time
  ENTER_M
  /* mcounteren.CY and IR: S-mode may read; U-mode still needs scounteren */
  CHECK(20)
  csrwi mcounteren, CY | IR
  ENTER_MODE PRV_S
  READ_OK 21, cycle
  READ_OK 22, instret
  READ_TRAPS 23, time
  ENTER_M
  ENTER_MODE PRV_U
  READ_TRAPS 24, cycle
  READ_TRAPS 25, instret
  ENTER_M
  /* scounteren.CY only: U-mode may read cycle but not instret */
  CHECK(30)
  csrwi scounteren, CY
  ENTER_MODE PRV_U
  READ_OK 31, cycle
  READ_TRAPS 32, instret
  READ_TRAPS 33, time
  ENTER_M
  /* scounteren without mcounteren grants nothing */
  CHECK(34)
  csrwi mcounteren, 0
  csrwi scounteren, CY | IR | TM
  ENTER_MODE PRV_U
  READ_TRAPS 35, cycle
  READ_TRAPS 36, instret
  ENTER_M
  ENTER_MODE PRV_S
  READ_TRAPS 37, cycle
  ENTER_M
  /* both set: U-mode reads work, and the values move */
  CHECK(40)
  csrwi mcounteren, CY | IR
  csrwi scounteren, CY | IR
  ENTER_MODE PRV_U
  TRAP_ARM
  csrr a1, instret
  nop
  csrr a2, instret
  EXPECT_NO_TRAP
  ENTER_M
  CHECK(41)
  bgeu a1, a2, fail
  /* mcounteren and scounteren keep the three low bits */
  CHECK(42)
  csrwi mcounteren, CY | TM | IR
  csrr a0, mcounteren
  andi a0, a0, 7
  EXPECT a0, 7
  CHECK(43)
  csrwi scounteren, CY | TM | IR
  csrr a0, scounteren
  andi a0, a0, 7
  EXPECT a0, 7
  csrw mcounteren, zero
  csrw scounteren, zero
  j pass

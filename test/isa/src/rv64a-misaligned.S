/*
 * rv64a-misaligned: atomics on addresses that are not naturally aligned (unprivileged spec
 * 8.2 and 8.4; the Zam extension is absent): each traps with mtval = the address and
 * leaves memory unchanged. LR is a load, so it raises load address-misaligned (cause 4);
 * SC and the AMOs raise store/AMO address-misaligned (cause 6, privileged spec 3.1.15).
 *
 * QEMU 7.2 reports cause 4 for a misaligned AMO and does not trap on an SC without a
 * matching reservation, so under QEMU this test stops at check 10 (see
 * test/full/isa-rebuild.test.ts); checks 1-9 agree with QEMU.
 */
#include "harness.h"

  .text
  .globl test_main
test_main:
  la a3, cell
  sd zero, 0(a3)
  li a2, 1
  /* LR: load address-misaligned */
  CHECK(1)
  TRAP_ARM
  addi a5, a3, 1
  lr.w a0, (a5)
  EXPECT_TRAP CAUSE_MISALIGNED_LOAD
  CHECK(2)
  LOADVAR a0, trap_tval
  EXPECT_SAME a0, a5
  CHECK(3)
  TRAP_ARM
  addi a5, a3, 4
  lr.d a0, (a5)
  EXPECT_TRAP CAUSE_MISALIGNED_LOAD
  LOADVAR a0, trap_tval
  EXPECT_SAME a0, a5
  /* aligned 4-byte address is fine for .W even when not 8-aligned */
  CHECK(4)
  TRAP_ARM
  addi a5, a3, 4
  amoadd.w a0, a2, (a5)
  EXPECT_NO_TRAP
  CHECK(5)
  ld a0, 0(a3)
  EXPECT a0, 0x100000000
  sd zero, 0(a3)

  /* AMOs: store/AMO address-misaligned */
  CHECK(10)
  TRAP_ARM
  addi a5, a3, 2
  amoadd.w a0, a2, (a5)
  EXPECT_TRAP CAUSE_MISALIGNED_STORE
  CHECK(11)
  LOADVAR a0, trap_tval
  EXPECT_SAME a0, a5
  CHECK(12)
  ld a0, 0(a3)
  EXPECT a0, 0
  CHECK(13)
  TRAP_ARM
  addi a5, a3, 4
  amoswap.d a0, a2, (a5)
  EXPECT_TRAP CAUSE_MISALIGNED_STORE
  LOADVAR a0, trap_tval
  EXPECT_SAME a0, a5
  CHECK(14)
  TRAP_ARM
  addi a5, a3, 7
  amomaxu.d a0, a2, (a5)
  EXPECT_TRAP CAUSE_MISALIGNED_STORE
  CHECK(15)
  ld a0, 0(a3)
  EXPECT a0, 0
  ld a0, 8(a3)
  EXPECT a0, 0
  /* SC: store/AMO address-misaligned, whether or not a reservation is held */
  CHECK(16)
  TRAP_ARM
  addi a5, a3, 4
  sc.d a0, a2, (a5)
  EXPECT_TRAP CAUSE_MISALIGNED_STORE
  CHECK(17)
  TRAP_ARM
  addi a5, a3, 2
  sc.w a0, a2, (a5)
  EXPECT_TRAP CAUSE_MISALIGNED_STORE
  LOADVAR a0, trap_tval
  EXPECT_SAME a0, a5
  CHECK(18)
  ld a0, 0(a3)
  EXPECT a0, 0
  j pass

  .data
  .balign 16
cell:
  .dword 0, 0

/*
 * rv64i-mem: loads and stores of every width (unprivileged spec 2.6 and 5.3): sign and
 * zero extension, positive and negative offsets, little-endian byte order, stores that
 * touch only their own bytes, and misaligned accesses to RAM (which both QEMU and our
 * emulator perform rather than trap: spec 2.6 allows either for ordinary accesses).
 */
#include "harness.h"

.macro TEST_LOAD n, op, expect, offset
  CHECK(\n)
  la a1, data
  \op a0, \offset(a1)
  EXPECT a0, \expect
.endm

  .text
  .globl test_main
test_main:
  /* data = 81 82 83 84 85 86 87 88  01 02 03 04 05 06 07 f8 (little-endian bytes) */
  TEST_LOAD 1, lb, 0xffffffffffffff81, 0
  TEST_LOAD 2, lbu, 0x81, 0
  TEST_LOAD 3, lb, 0x01, 8
  TEST_LOAD 4, lh, 0xffffffffffff8281, 0
  TEST_LOAD 5, lhu, 0x8281, 0
  TEST_LOAD 6, lh, 0x0201, 8
  TEST_LOAD 7, lw, 0xffffffff84838281, 0
  TEST_LOAD 8, lwu, 0x84838281, 0
  TEST_LOAD 9, lw, 0x04030201, 8
  TEST_LOAD 10, ld, 0x8887868584838281, 0
  TEST_LOAD 11, ld, 0xf807060504030201, 8
  TEST_LOAD 12, lb, 0xfffffffffffffff8, 15
  TEST_LOAD 13, lwu, 0xf8070605, 12

  /* negative offsets */
  CHECK(14)
  la a1, data + 16
  lbu a0, -1(a1)
  EXPECT a0, 0xf8
  CHECK(15)
  ld a0, -16(a1)
  EXPECT a0, 0x8887868584838281
  CHECK(16)
  la a1, data + 2048
  lhu a0, -2048(a1)
  EXPECT a0, 0x8281

  /* stores write only their width, in little-endian order */
  CHECK(20)
  la a1, scratch
  li a2, -1
  sd a2, 0(a1)
  li a2, 0x12345678abcdef55
  sb a2, 1(a1)
  ld a0, 0(a1)
  EXPECT a0, 0xffffffffffff55ff
  CHECK(21)
  sh a2, 2(a1)
  ld a0, 0(a1)
  EXPECT a0, 0xffffffffef5555ff
  CHECK(22)
  sw a2, 4(a1)
  ld a0, 0(a1)
  EXPECT a0, 0xabcdef55ef5555ff
  CHECK(23)
  sd a2, 8(a1)
  lwu a0, 12(a1)
  EXPECT a0, 0x12345678
  CHECK(24)
  sd zero, -8(a1)                         /* the word below scratch: guard */
  sd x0, 0(a1)
  ld a0, 0(a1)
  EXPECT a0, 0
  CHECK(25)
  ld a0, 8(a1)
  EXPECT a0, 0x12345678abcdef55

  /* a load into the base register itself */
  CHECK(26)
  la a1, data
  ld a1, 8(a1)
  EXPECT a1, 0xf807060504030201
  /* a load into x0 has no effect on x0 */
  CHECK(27)
  la a1, data
  ld x0, 0(a1)
  EXPECT x0, 0

  /* misaligned ordinary loads and stores to RAM complete (no trap) */
  CHECK(30)
  TRAP_ARM
  la a1, data
  lh a0, 1(a1)
  EXPECT a0, 0xffffffffffff8382
  CHECK(31)
  lw a0, 3(a1)
  EXPECT a0, 0xffffffff87868584
  CHECK(32)
  ld a0, 5(a1)
  EXPECT a0, 0x0504030201888786
  CHECK(33)
  lwu a0, 7(a1)
  EXPECT a0, 0x03020188
  CHECK(34)
  lhu a0, 7(a1)
  EXPECT a0, 0x0188
  CHECK(35)
  la a1, scratch
  sd zero, 0(a1)
  sd zero, 8(a1)
  li a2, 0x1122334455667788
  sd a2, 3(a1)
  ld a0, 0(a1)
  EXPECT a0, 0x4455667788000000
  CHECK(36)
  ld a0, 8(a1)
  EXPECT a0, 0x112233
  CHECK(37)
  sw a2, 9(a1)
  lwu a0, 9(a1)
  EXPECT a0, 0x55667788
  CHECK(38)
  sh a2, 15(a1)
  lhu a0, 15(a1)
  EXPECT a0, 0x7788
  CHECK(39)
  EXPECT_NO_TRAP

  j pass

  .data
  .balign 16
data:
  .byte 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88
  .byte 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xf8
  .zero 2048
  .balign 16
  .dword 0
scratch:
  .dword 0, 0, 0, 0

/*
 * rv64i-ctrl: control transfer and ordering (unprivileged spec 2.5, 2.7 and chapter 3):
 * conditional branches taken and not taken at signed/unsigned boundaries, backward
 * branches, jal/jalr link values, jalr clearing bit 0 of the target, rd == rs1 in jalr,
 * fence, and fence.i making a freshly stored instruction visible to instruction fetch.
 */
#include "harness.h"

/* Check that `op a, b` branches (taken == 1) or falls through (taken == 0). */
.macro TEST_BR n, op, taken, a, b
  CHECK(\n)
  li a1, \a
  li a2, \b
  li a0, 0
  \op a1, a2, 9801f
  li a0, 1                  /* fell through */
  j 9802f
9801:
  li a0, 2                  /* branched */
9802:
  EXPECT a0, (1 + \taken)
.endm

  .text
  .globl test_main
test_main:
  TEST_BR 1, beq, 1, 5, 5
  TEST_BR 2, beq, 0, 5, 6
  TEST_BR 3, beq, 0, 0x100000000, 0       /* all 64 bits compared */
  TEST_BR 4, bne, 1, 0x100000000, 0
  TEST_BR 5, bne, 0, -1, -1
  TEST_BR 6, blt, 1, -1, 0
  TEST_BR 7, blt, 0, 0, -1
  TEST_BR 8, blt, 1, 0x8000000000000000, 0x7fffffffffffffff
  TEST_BR 9, blt, 0, 3, 3
  TEST_BR 10, bge, 1, 3, 3
  TEST_BR 11, bge, 1, 0, -1
  TEST_BR 12, bge, 0, 0x8000000000000000, 0x7fffffffffffffff
  TEST_BR 13, bltu, 0, -1, 0
  TEST_BR 14, bltu, 1, 0, -1
  TEST_BR 15, bltu, 0, 0x8000000000000000, 0x7fffffffffffffff
  TEST_BR 16, bltu, 0, 7, 7
  TEST_BR 17, bgeu, 1, -1, 0
  TEST_BR 18, bgeu, 1, 7, 7
  TEST_BR 19, bgeu, 0, 0x7fffffffffffffff, 0x8000000000000000
  TEST_BR 20, bgeu, 1, 0x8000000000000000, 0x7fffffffffffffff

  /* a backward branch loop runs the right number of times */
  CHECK(21)
  li a0, 0
  li a1, 10
1:
  addi a0, a0, 3
  addi a1, a1, -1
  bnez a1, 1b
  EXPECT a0, 30

  /* jal links pc + 4 and jumps */
  CHECK(30)
  li a0, 0
  jal a1, 2f
3:
  li a0, 99                 /* skipped */
2:
  la a2, 3b
  EXPECT_SAME a1, a2
  EXPECT a0, 0
  /* jal x0 (j) does not write x0 */
  CHECK(31)
  j 4f
  j fail
4:
  EXPECT x0, 0

  /* jalr: target = (rs1 + imm) & ~1, link = pc + 4 */
  CHECK(32)
  la a1, 5f
  jalr a2, 0(a1)
6:
  j fail
5:
  la a3, 6b
  EXPECT_SAME a2, a3
  CHECK(33)
  la a1, 7f
  addi a1, a1, 1            /* odd address: bit 0 is cleared, no misaligned trap */
  TRAP_ARM
  jalr zero, 0(a1)
  j fail
7:
  EXPECT_NO_TRAP
  CHECK(34)
  la a1, 8f - 16
  jalr zero, 16(a1)         /* immediate offset added */
  j fail
8:
  CHECK(35)
  la a1, 10f + 7
  jalr zero, -6(a1)         /* -6 + 7 = 1: bit 0 cleared again */
  j fail
10:
  /* rd == rs1: the target uses the old value */
  CHECK(36)
  la a1, 11f
  jalr a1, 0(a1)
12:
  j fail
11:
  la a2, 12b
  EXPECT_SAME a1, a2
  /* call / ret through ra */
  CHECK(37)
  li a0, 1
  call double_a0
  call double_a0
  EXPECT a0, 4

  /* fence orders memory; on one hart it must not change any value */
  CHECK(40)
  la a1, scratch
  li a2, 0x55
  sd a2, 0(a1)
  fence
  fence rw, rw
  fence w, r
  ld a0, 0(a1)
  EXPECT a0, 0x55

  /* fence.i: a patched instruction is seen by fetch (spec chapter 3, Zifencei) */
  CHECK(41)
  call patchable            /* first run: returns 1 */
  EXPECT a0, 1
  CHECK(42)
  la a1, patch_site
  la a2, new_insn
  lw a2, 0(a2)
  sw a2, 0(a1)
  fence.i
  call patchable            /* now returns 2 */
  EXPECT a0, 2
  CHECK(43)
  la a2, old_insn
  lw a2, 0(a2)
  sw a2, 0(a1)
  fence.i
  call patchable
  EXPECT a0, 1

  j pass

double_a0:
  add a0, a0, a0
  ret

patchable:
patch_site:
  li a0, 1
  ret
old_insn:
  li a0, 1
new_insn:
  li a0, 2

  .data
  .balign 8
scratch:
  .dword 0

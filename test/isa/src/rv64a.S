/*
 * rv64a: atomics (unprivileged spec chapter 8, "A" extension). LR/SC success, failure
 * when there is no reservation (every SC invalidates the reservation: spec 8.2) and when
 * the SC targets another address than the LR, sign extension of the .W forms, every AMO
 * in both widths with its returned old value and the new memory value, and aq/rl
 * variants. The misaligned cases are in rv64a-misaligned.S.
 */
#include "harness.h"

/* Memory at `amo_cell` starts as `init`; `op a0, src, (cell)` must return `old` and
 * leave the 64-bit cell holding `new` (so a .W op must not touch the upper word). */
.macro TEST_AMO n, op, init, src, old, new
  CHECK(\n)
  la a3, amo_cell
  li a1, \init
  sd a1, 0(a3)
  li a2, \src
  \op a0, a2, (a3)
  EXPECT a0, \old
  ld a4, 0(a3)
  EXPECT a4, \new
.endm

#define W0 0x5555555580000001
#define WOLD 0xffffffff80000001
#define D0 0x8000000000000001

  .text
  .globl test_main
test_main:
  TRAP_ARM
  /* LR/SC: a paired SC succeeds (rd = 0) and stores */
  CHECK(1)
  la a3, amo_cell
  li a1, 100
  sd a1, 0(a3)
  lr.d a0, (a3)
  EXPECT a0, 100
  CHECK(2)
  li a2, 200
  sc.d a4, a2, (a3)
  EXPECT a4, 0
  CHECK(3)
  ld a0, 0(a3)
  EXPECT a0, 200
  /* the SC consumed the reservation: a second SC fails with rd != 0 and does not store */
  CHECK(4)
  li a2, 300
  sc.d a4, a2, (a3)
  beqz a4, fail
  CHECK(5)
  ld a0, 0(a3)
  EXPECT a0, 200
  /* SC to an address other than the reserved one fails (different page) */
  CHECK(6)
  la a5, far_cell
  sd zero, 0(a5)
  lr.d a0, (a3)
  li a2, 7
  sc.d a4, a2, (a5)
  beqz a4, fail
  CHECK(7)
  ld a0, 0(a5)
  EXPECT a0, 0
  /* a failed SC also invalidated that reservation */
  CHECK(8)
  sc.d a4, a2, (a3)
  beqz a4, fail
  /* lr.w sign-extends; sc.w writes only 32 bits */
  CHECK(9)
  li a1, W0
  sd a1, 0(a3)
  lr.w.aq a0, (a3)
  EXPECT a0, WOLD
  CHECK(10)
  li a2, 0xffffffff00000042
  sc.w.rl a4, a2, (a3)
  EXPECT a4, 0
  CHECK(11)
  ld a0, 0(a3)
  EXPECT a0, 0x5555555500000042
  /* an lr/sc retry loop (the usual atomic increment) */
  CHECK(12)
  li a1, 41
  sd a1, 0(a3)
1:
  lr.d.aqrl a0, (a3)
  addi a0, a0, 1
  sc.d.aqrl a4, a0, (a3)
  bnez a4, 1b
  ld a0, 0(a3)
  EXPECT a0, 42

  /* 32-bit AMOs: operate on the low word, compare as 32-bit, return it sign-extended */
  TEST_AMO 20, amoswap.w, W0, 0x12345678, WOLD, 0x5555555512345678
  TEST_AMO 21, amoadd.w, W0, 0xffffffff, WOLD, 0x5555555580000000
  TEST_AMO 22, amoadd.w, 0x55555555ffffffff, 1, -1, 0x5555555500000000
  TEST_AMO 23, amoxor.w, W0, 0xffffffff, WOLD, 0x555555557ffffffe
  TEST_AMO 24, amoand.w, W0, 0x0000ffff, WOLD, 0x5555555500000001
  TEST_AMO 25, amoor.w, W0, 0xf0, WOLD, 0x55555555800000f1
  TEST_AMO 26, amomin.w, W0, 1, WOLD, W0
  TEST_AMO 27, amomax.w, W0, 1, WOLD, 0x5555555500000001
  TEST_AMO 28, amominu.w, W0, 1, WOLD, 0x5555555500000001
  TEST_AMO 29, amomaxu.w, W0, 1, WOLD, W0
  TEST_AMO 30, amomax.w, W0, 0x00000001fffffffe, WOLD, 0x55555555fffffffe
  TEST_AMO 31, amomaxu.w, W0, 0xffffffff00000002, WOLD, W0
  TEST_AMO 32, amomin.w, W0, 0xffffffff00000005, WOLD, W0
  TEST_AMO 33, amominu.w, 0x0000000100000005, 0x7, 5, 0x0000000100000005
  TEST_AMO 34, amoadd.w.aqrl, 0x7fffffff, 1, 0x7fffffff, 0x80000000
  /* 64-bit AMOs */
  TEST_AMO 40, amoswap.d, D0, 5, D0, 5
  TEST_AMO 41, amoadd.d, D0, -1, D0, 0x8000000000000000
  TEST_AMO 42, amoxor.d, D0, -1, D0, 0x7ffffffffffffffe
  TEST_AMO 43, amoand.d, D0, 0xff, D0, 1
  TEST_AMO 44, amoor.d, D0, 0x10, D0, 0x8000000000000011
  TEST_AMO 45, amomin.d, D0, 1, D0, D0
  TEST_AMO 46, amomax.d, D0, 1, D0, 1
  TEST_AMO 47, amominu.d, D0, 1, D0, 1
  TEST_AMO 48, amomaxu.d, D0, 1, D0, D0
  TEST_AMO 49, amomin.d, D0, -1, D0, D0
  TEST_AMO 50, amomax.d, D0, -1, D0, -1
  TEST_AMO 51, amoswap.d.aq, 0, -1, 0, -1
  TEST_AMO 52, amoadd.d.rl, 0xffffffff, 1, 0xffffffff, 0x100000000

  /* rd = x0 still performs the update; rd == rs2 returns the old value */
  CHECK(60)
  la a3, amo_cell
  li a1, 10
  sd a1, 0(a3)
  li a2, 5
  amoadd.d x0, a2, (a3)
  ld a0, 0(a3)
  EXPECT a0, 15
  CHECK(61)
  li a2, 99
  amoswap.d a2, a2, (a3)
  EXPECT a2, 15
  ld a0, 0(a3)
  EXPECT a0, 99

  CHECK(70)
  EXPECT_NO_TRAP
  j pass

  .data
  .balign 8
amo_cell:
  .dword 0, 0
  .balign 4096
far_cell:
  .dword 0

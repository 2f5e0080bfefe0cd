/*
 * rv64m: multiplication and division (unprivileged spec chapter 7, "M" extension): the
 * low and the three high-half multiplies, signed and unsigned division and remainder
 * rounding toward zero, the W forms on 32-bit operands, and the defined results for
 * division by zero and signed overflow (spec 7.2, table 7.1): no trap in any case.
 */
#include "harness.h"

#define MIN64 0x8000000000000000
#define MAX64 0x7fffffffffffffff

  .text
  .globl test_main
test_main:
  TRAP_ARM
  TEST_RR 1, mul, 21, 3, 7
  TEST_RR 2, mul, 1, -1, -1
  TEST_RR 3, mul, MIN64, MIN64, -1
  TEST_RR 4, mul, 0x200000001, 0x100000001, 0x100000001
  TEST_RR 5, mul, 0, 0x123456789, 0
  TEST_RR 10, mulh, 0, -1, -1
  TEST_RR 11, mulh, 0x4000000000000000, MIN64, MIN64
  TEST_RR 12, mulh, -1, -1, 1
  TEST_RR 13, mulh, 0x3fffffffffffffff, MAX64, MAX64
  TEST_RR 14, mulh, 0, 5, 7
  TEST_RR 15, mulh, 0xc000000000000000, MIN64, MAX64
  TEST_RR 20, mulhu, 0xfffffffffffffffe, -1, -1
  TEST_RR 21, mulhu, 1, MIN64, 2
  TEST_RR 22, mulhu, 0, 5, 7
  TEST_RR 23, mulhu, 0x4000000000000000, MIN64, MIN64
  TEST_RR 30, mulhsu, -1, -1, -1
  TEST_RR 31, mulhsu, -1, -2, 3
  TEST_RR 32, mulhsu, 1, 2, -1
  TEST_RR 33, mulhsu, 0xc000000000000000, MIN64, MIN64
  TEST_RR 34, mulhsu, 0, 5, 7
  TEST_RR 40, mulw, -2, 0x7fffffff, 2
  TEST_RR 41, mulw, 15, 0x100000003, 0x100000005
  TEST_RR 42, mulw, 0, 0x10000, 0x10000
  TEST_RR 43, mulw, 0xffffffff80000000, 0x40000000, 2

  /* division rounds toward zero; the remainder has the dividend's sign */
  TEST_RR 50, div, 3, 20, 6
  TEST_RR 51, div, -3, -20, 6
  TEST_RR 52, div, -3, 20, -6
  TEST_RR 53, div, 3, -20, -6
  TEST_RR 54, rem, 2, 20, 6
  TEST_RR 55, rem, -2, -20, 6
  TEST_RR 56, rem, 2, 20, -6
  TEST_RR 57, rem, -2, -20, -6
  TEST_RR 58, divu, 0x7fffffffffffffff, -1, 2
  TEST_RR 59, divu, 3, 20, 6
  TEST_RR 60, remu, 5, -1, 10
  TEST_RR 61, remu, 2, 20, 6
  TEST_RR 62, divu, 0, 6, 20
  /* table 7.1: division by zero */
  TEST_RR 70, div, -1, 42, 0
  TEST_RR 71, div, -1, -42, 0
  TEST_RR 72, divu, -1, 42, 0
  TEST_RR 73, rem, 42, 42, 0
  TEST_RR 74, rem, -42, -42, 0
  TEST_RR 75, remu, 42, 42, 0
  /* table 7.1: signed overflow */
  TEST_RR 76, div, MIN64, MIN64, -1
  TEST_RR 77, rem, 0, MIN64, -1
  /* W forms use the low 32 bits of each operand and sign-extend the result */
  TEST_RR 80, divw, -3, 0x12345678ffffffec, 6
  TEST_RR 81, divw, 3, 20, 0xabcdef0000000006
  TEST_RR 82, divuw, 0x7fffffff, 0xffffffff, 2
  TEST_RR 83, divuw, 0xfffffffffffffffe, 0xfffffffe, 1
  TEST_RR 84, divuw, 3, 0x100000007, 2
  TEST_RR 85, remw, -2, -20, 6
  TEST_RR 86, remuw, 5, 0xffffffff, 10
  TEST_RR 87, remuw, 0xffffffff80000000, 0x80000000, 0x180000001
  TEST_RR 90, divw, -1, 7, 0x100000000        /* low 32 bits of the divisor are zero */
  TEST_RR 91, divuw, -1, 7, 0
  TEST_RR 92, remw, 0xffffffff80000001, 0x180000001, 0
  TEST_RR 93, remuw, 0xffffffff80000001, 0x80000001, 0
  TEST_RR 94, divw, 0xffffffff80000000, 0x80000000, -1
  TEST_RR 95, remw, 0, 0x80000000, -1
  TEST_RR 96, remw, 0, 0xffffffff80000000, 0xffffffff

  /* rd == rs1 == rs2 */
  CHECK(100)
  li a0, 12
  mul a0, a0, a0
  EXPECT a0, 144
  CHECK(101)
  div a0, a0, a0
  EXPECT a0, 1
  CHECK(102)
  EXPECT_NO_TRAP
  j pass

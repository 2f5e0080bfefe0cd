/*
 * rv64i-alu: integer register-register and register-immediate instructions of RV64I
 * (unprivileged spec chapters 2.4 and 5.2), including the W forms that work on the low
 * 32 bits and sign-extend, shifts by 0/31/32/63, lui/auipc, slt/sltu boundaries and
 * writes to x0.
 */
#include "harness.h"

  .text
  .globl test_main
test_main:
  /* add/sub wrap around modulo 2^64 */
  TEST_RR 1, add, 5, 2, 3
  TEST_RR 2, add, 0, -1, 1
  TEST_RR 3, add, 0x8000000000000000, 0x7fffffffffffffff, 1
  TEST_RR 4, sub, -1, 0, 1
  TEST_RR 5, sub, 0x7fffffffffffffff, 0x8000000000000000, 1
  TEST_RI 6, addi, 0x7ff, 0, 2047
  TEST_RI 7, addi, -2048, 0, -2048
  TEST_RI 8, addi, 0xffffffff, 0x100000000, -1
  /* W forms: 32-bit result, sign-extended to 64 bits (spec 5.2) */
  TEST_RR 10, addw, 0xffffffff80000000, 0x7fffffff, 1
  TEST_RR 11, addw, 0, 0xffffffff, 1
  TEST_RR 12, addw, 2, 0x1234567800000001, 0x9abcdef000000001
  TEST_RR 13, subw, 0x7fffffff, 0x80000000, 1
  TEST_RR 14, subw, -1, 0, 1
  TEST_RI 15, addiw, 0xffffffff80000000, 0x7fffffff, 1
  TEST_RI 16, addiw, 0x7fffffff, 0x7fffffff, 0
  TEST_RI 17, addiw, 0x12345678, 0xffffffff12345678, 0     /* sext.w */
  TEST_RI 18, addiw, -1, 0, -1
  /* logical; immediates are sign-extended 12-bit values */
  TEST_RR 20, and, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
  TEST_RR 21, or, 0xfff0fff0fff0fff0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
  TEST_RR 22, xor, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
  TEST_RI 23, andi, 0xff00ff00ff00ff00, 0xff00ff00ff00ff00, -1
  TEST_RI 24, andi, 0x700, 0xff00ff00ff00ff00, 0x7ff
  TEST_RI 25, ori, -1, 0, -1
  TEST_RI 26, xori, 0xffffffffffffedcb, 0x1234, -1
  TEST_RI 27, xori, 0xfffffffffffff7ff, 0x800, -1
  TEST_RI 28, ori, 0xfffffffffffff800, 0, -2048
  /* 64-bit shifts use 6 bits of the amount */
  TEST_RR 30, sll, 0x123456789abcdef0, 0x123456789abcdef0, 0
  TEST_RR 31, sll, 0x8000000000000000, 1, 63
  TEST_RR 32, sll, 0x100000000, 1, 32
  TEST_RR 33, sll, 0x80000000, 1, 31
  TEST_RR 34, sll, 2, 1, 65                                 /* amount is taken mod 64 */
  TEST_RR 35, srl, 1, 0x8000000000000000, 63
  TEST_RR 36, srl, 0x80000000, 0x8000000000000000, 32
  TEST_RR 37, srl, 0x100000000, 0x8000000000000000, 31
  TEST_RR 38, sra, -1, 0x8000000000000000, 63
  TEST_RR 39, sra, 0xffffffff80000000, 0x8000000000000000, 32
  TEST_RR 40, sra, 0x3fffffffffffffff, 0x7fffffffffffffff, 1
  TEST_RR 41, sra, 0x8000000000000000, 0x8000000000000000, 0
  TEST_RI 42, slli, 0x8000000000000000, 1, 63
  TEST_RI 43, slli, 0xffffffff00000000, 0xffffffff, 32
  TEST_RI 44, srli, 0xffffffff, 0xffffffff00000000, 32
  TEST_RI 45, srli, 1, -1, 63
  TEST_RI 46, srai, -1, 0x8000000000000000, 63
  TEST_RI 47, srai, 0xfffffffff0000000, 0x8000000000000000, 35
  TEST_RI 48, srai, 0x1234, 0x1234, 0
  /* 32-bit shifts: 5-bit amount, result sign-extended from bit 31 */
  TEST_RR 50, sllw, 0xffffffff80000000, 1, 31
  TEST_RR 51, sllw, 1, 1, 32                                /* amount mod 32 */
  TEST_RR 52, sllw, 0x12345678, 0xabcdef0012345678, 0       /* shift 0 still sign-extends */
  TEST_RR 53, sllw, 0xffffffff87654321, 0x87654321, 0
  TEST_RR 54, srlw, 1, 0x80000000, 31
  TEST_RR 55, srlw, 0xffffffff80000000, 0xffffffff80000000, 0
  TEST_RR 56, srlw, 0x7fffffff, 0xffffffff, 1
  TEST_RR 57, srlw, 0xffffffff80000000, 0x1234567880000000, 0x20   /* amount 32 is 0 mod 32 */
  TEST_RR 58, sraw, -1, 0x80000000, 31
  TEST_RR 59, sraw, 0xffffffffc0000000, 0x80000000, 1
  TEST_RR 60, sraw, 0x3fffffff, 0xffffffff7fffffff, 1
  TEST_RI 61, slliw, 0xffffffff80000000, 0x1, 31
  TEST_RI 62, slliw, 0, 0x100000000, 0
  TEST_RI 63, srliw, 0x1, 0xffffffff80000000, 31
  TEST_RI 64, srliw, 0xffffffff80000000, 0x80000000, 0
  TEST_RI 65, sraiw, -1, 0x80000000, 31
  TEST_RI 66, sraiw, 0x7fffffff, 0x7fffffff, 0
  TEST_RI 67, sraiw, 0xfffffffff8000000, 0xc0000000, 3
  /* comparisons: signed and unsigned boundaries */
  TEST_RR 70, slt, 1, 0x8000000000000000, 0x7fffffffffffffff
  TEST_RR 71, slt, 0, 0x7fffffffffffffff, 0x8000000000000000
  TEST_RR 72, slt, 1, -1, 0
  TEST_RR 73, slt, 0, 5, 5
  TEST_RR 74, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff
  TEST_RR 75, sltu, 1, 0, -1
  TEST_RR 76, sltu, 0, -1, -1
  TEST_RR 77, sltu, 1, 0, 1                                 /* snez idiom: sltu rd, x0, rs */
  TEST_RI 78, slti, 1, -2049 + 1, -2047
  TEST_RI 79, slti, 0, 0, -1
  TEST_RI 80, slti, 1, 0x8000000000000000, 0
  TEST_RI 81, sltiu, 1, 0, -1                               /* imm -1 is 2^64-1 unsigned */
  TEST_RI 82, sltiu, 0, -1, -1
  TEST_RI 83, sltiu, 1, 0, 1                                /* seqz idiom */
  TEST_RI 84, sltiu, 0, 1, 1

  /* lui places imm << 12 and sign-extends bit 31 (spec 5.2) */
  CHECK(90)
  lui a0, 0x80000
  EXPECT a0, 0xffffffff80000000
  CHECK(91)
  lui a0, 0x7ffff
  EXPECT a0, 0x7ffff000
  CHECK(92)
  lui a0, 0xfffff
  EXPECT a0, 0xfffffffffffff000
  /* auipc adds to its own address */
  CHECK(93)
1:
  auipc a0, 0
  la a1, 1b
  EXPECT_SAME a0, a1
  CHECK(94)
2:
  auipc a0, 0x1
  la a1, 2b
  li a2, 0x1000
  add a1, a1, a2
  EXPECT_SAME a0, a1
  CHECK(95)
3:
  auipc a0, 0xfffff                                          /* -4096 */
  la a1, 3b
  addi a1, a1, -2048
  addi a1, a1, -2048
  EXPECT_SAME a0, a1

  /* x0 ignores writes and reads as zero */
  CHECK(100)
  li a1, 123
  add x0, a1, a1
  addi x0, x0, 5
  lui x0, 0x12345
  EXPECT x0, 0
  CHECK(101)
  add a0, x0, x0
  EXPECT a0, 0
  /* rd the same as a source */
  CHECK(102)
  li a0, 7
  add a0, a0, a0
  EXPECT a0, 14
  CHECK(103)
  li a0, 1
  sll a0, a0, a0
  EXPECT a0, 2
  CHECK(104)
  li a0, 0x80000000
  subw a0, x0, a0
  EXPECT a0, 0xffffffff80000000

  j pass

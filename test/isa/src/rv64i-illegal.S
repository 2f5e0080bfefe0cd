/*
 * rv64i-illegal: the decoder refuses reserved encodings (unprivileged spec 2.2 and 5.2:
 * unused funct3/funct7 values, a 32-bit shift amount with bit 5 set, loads and stores
 * with no defined width; the removed uret). Each raises an illegal-instruction exception
 * with mtval = the instruction (privileged spec 3.1.16) and changes no register.
 */
#include "harness.h"

.macro TEST_ILLEGAL n, bits
  CHECK(\n)
  TRAP_ARM
  li a0, 0x5a5a
  .word \bits
  EXPECT_TRAP_TVAL CAUSE_ILLEGAL, \bits
  EXPECT a0, 0x5a5a               /* rd = a0 in every encoding below: left alone */
.endm

  .text
  .globl test_main
test_main:
  la a1, scratch                  /* rs1 = a1 points at memory for the load/store forms */
  li a2, 3
  TEST_ILLEGAL 1, 0x0205951b      /* slliw a0, a1 with shamt[5] = 1 */
  TEST_ILLEGAL 2, 0x0205d51b      /* srliw a0, a1 with shamt[5] = 1 */
  TEST_ILLEGAL 3, 0x4205d51b      /* sraiw a0, a1 with shamt[5] = 1 */
  TEST_ILLEGAL 4, 0x04c58533      /* add with funct7 = 0000010 */
  TEST_ILLEGAL 5, 0x80c58533      /* add with funct7 = 1000000 */
  TEST_ILLEGAL 6, 0x40c5b533      /* sltu with funct7 = 0100000 (and/or/xor with it are Zbb) */
  TEST_ILLEGAL 7, 0x40c5953b      /* sllw with funct7 = 0100000 */
  TEST_ILLEGAL 8, 0x0005f503      /* load with funct3 = 111 */
  TEST_ILLEGAL 9, 0x00a5c023      /* store with funct3 = 100 */
  TEST_ILLEGAL 10, 0x00b52063     /* branch with funct3 = 010 */
  TEST_ILLEGAL 11, 0x00059067     /* jalr with funct3 = 001 */
  TEST_ILLEGAL 12, 0x00200073     /* uret (the N extension is gone) */
  TEST_ILLEGAL 13, 0x0000707f     /* reserved opcode 1111111 (>= 80-bit encodings) */
  j pass

  .data
  .balign 8
scratch:
  .dword 0

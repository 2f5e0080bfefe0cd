/*
 * rv64c: the compressed instruction set (unprivileged spec chapter 16, "C" extension),
 * written with explicit c. mnemonics so that each encoding class is exercised: CIW
 * (c.addi4spn), CL/CS (c.lw/c.ld/c.sw/c.sd on x8-x15), CI (c.li, c.lui, c.addi, c.addiw,
 * c.addi16sp, c.slli, c.lwsp, c.ldsp), CSS (c.swsp, c.sdsp), CB (c.beqz, c.bnez, c.srli,
 * c.srai, c.andi), CA (c.sub, c.xor, c.or, c.and, c.subw, c.addw), CR (c.mv, c.add,
 * c.jr, c.jalr, c.ebreak), CJ (c.j), plus the all-zero parcel and other reserved
 * encodings that must be illegal, and the 2-byte link value of c.jalr.
 */
#include "harness.h"
  .option rvc

  .text
  .globl test_main
test_main:
  TRAP_ARM
  /* CI: c.li sign-extends a 6-bit immediate */
  CHECK(1)
  c.li a0, -32
  EXPECT a0, -32
  CHECK(2)
  c.li a0, 31
  EXPECT a0, 31
  /* c.lui: nonzero 6-bit immediate into bits 17:12, sign-extended */
  CHECK(3)
  c.lui a0, 1
  EXPECT a0, 0x1000
  CHECK(4)
  c.lui a0, 0xfffff
  EXPECT a0, 0xfffffffffffff000
  CHECK(5)
  c.lui a0, 0xfffe0
  EXPECT a0, 0xfffffffffffe0000
  CHECK(6)
  c.lui a0, 31
  EXPECT a0, 0x1f000
  /* c.addi / c.addiw (the W form sign-extends from bit 31) */
  CHECK(7)
  li a0, 10
  c.addi a0, -11
  EXPECT a0, -1
  CHECK(8)
  li a0, 0x7fffffff
  c.addiw a0, 1
  EXPECT a0, 0xffffffff80000000
  CHECK(9)
  li a0, 0x1ffffffff
  c.addiw a0, 0                   /* sext.w */
  EXPECT a0, -1
  CHECK(10)
  li a0, 5
  c.nop
  EXPECT a0, 5
  /* c.slli / c.srli / c.srai / c.andi, shift amounts up to 63 */
  CHECK(11)
  li a0, 1
  c.slli a0, 63
  EXPECT a0, 0x8000000000000000
  CHECK(12)
  c.srai a0, 32
  EXPECT a0, 0xffffffff80000000
  CHECK(13)
  c.srli a0, 63
  EXPECT a0, 1
  CHECK(14)
  li a0, 0xff
  c.andi a0, -16
  EXPECT a0, 0xf0
  CHECK(15)
  li a0, -1
  c.andi a0, 31
  EXPECT a0, 31
  /* CA: register-register on x8-x15 */
  CHECK(16)
  li a0, 10
  li a1, 3
  c.sub a0, a1
  EXPECT a0, 7
  CHECK(17)
  li a0, 0xf0f0
  li a1, 0xff00
  c.xor a0, a1
  EXPECT a0, 0x0ff0
  CHECK(18)
  c.or a0, a1
  EXPECT a0, 0xfff0
  CHECK(19)
  li a1, 0x0f0f
  c.and a0, a1
  EXPECT a0, 0x0f00
  CHECK(20)
  li a0, 0x80000000
  li a1, 1
  c.subw a0, a1
  EXPECT a0, 0x7fffffff
  CHECK(21)
  c.addw a0, a1
  EXPECT a0, 0xffffffff80000000
  /* CR: c.mv and c.add on any registers */
  CHECK(22)
  li t0, 0x123456789
  c.mv t1, t0
  EXPECT t1, 0x123456789
  CHECK(23)
  c.add t1, t0
  EXPECT t1, 0x2468acf12

  /* stack-pointer forms */
  CHECK(30)
  mv s1, sp
  c.addi16sp sp, -64
  addi a0, s1, -64
  EXPECT_SAME sp, a0
  CHECK(31)
  c.addi4spn a0, sp, 16
  addi a1, sp, 16
  EXPECT_SAME a0, a1
  CHECK(32)
  li t0, 0x1122334455667788
  c.sdsp t0, 8(sp)
  c.ldsp t1, 8(sp)
  EXPECT t1, 0x1122334455667788
  CHECK(33)
  c.lwsp t2, 12(sp)               /* upper word, sign-extended */
  EXPECT t2, 0x11223344
  CHECK(34)
  li t0, 0x80000001
  c.swsp t0, 16(sp)
  c.lwsp t1, 16(sp)
  EXPECT t1, 0xffffffff80000001
  CHECK(35)
  ld t1, 8(sp)
  EXPECT t1, 0x1122334455667788
  CHECK(36)
  c.addi16sp sp, 64
  EXPECT_SAME sp, s1
  /* CL / CS */
  CHECK(40)
  la a1, cells
  li a2, 0xfedcba9876543210
  c.sd a2, 8(a1)
  c.ld a3, 8(a1)
  EXPECT a3, 0xfedcba9876543210
  CHECK(41)
  c.lw a3, 12(a1)
  EXPECT a3, 0xfffffffffedcba98
  CHECK(42)
  li a2, 0x7abcdef0
  c.sw a2, 0(a1)
  c.lw a3, 0(a1)
  EXPECT a3, 0x7abcdef0
  CHECK(43)
  c.ld a3, 8(a1)                  /* the c.sw did not spill into the next word */
  EXPECT a3, 0xfedcba9876543210

  /* CB branches and CJ jump */
  CHECK(50)
  li a0, 0
  c.beqz a0, 1f
  j fail
1:
  CHECK(51)
  li a0, 1
  c.beqz a0, fail_near
  CHECK(52)
  c.bnez a0, 2f
  j fail
2:
  CHECK(53)
  li a0, 0
  c.bnez a0, fail_near
  CHECK(54)
  c.j 3f
  j fail
3:
  /* CR jumps: c.jr, and c.jalr linking pc + 2 */
  CHECK(55)
  la t0, 4f
  c.jr t0
  j fail
4:
  CHECK(56)
  la t0, 5f
6:
  c.jalr t0
  j fail
5:
  la t1, 6b + 2
  EXPECT_SAME ra, t1
  /* c.ebreak: breakpoint (cause 3), mepc at the 2-byte instruction */
  CHECK(57)
  TRAP_ARM
7:
  c.ebreak
  EXPECT_TRAP CAUSE_BREAKPOINT
  LOADVAR a0, trap_epc
  la a1, 7b
  EXPECT_SAME a0, a1
  /* the all-zero 16-bit parcel is a defined illegal instruction (spec 16.1) */
  CHECK(58)
  TRAP_ARM
8:
  .half 0x0000
  EXPECT_TRAP CAUSE_ILLEGAL
  LOADVAR a0, trap_epc
  la a1, 8b
  EXPECT_SAME a0, a1
  /* reserved compressed encodings are illegal; mtval holds the 16-bit parcel */
  CHECK(60)
  TRAP_ARM
  .half 0x0004                    /* c.addi4spn with a zero immediate */
  EXPECT_TRAP_TVAL CAUSE_ILLEGAL, 0x0004
  CHECK(61)
  TRAP_ARM
  .half 0x4002                    /* c.lwsp with rd = x0 */
  EXPECT_TRAP_TVAL CAUSE_ILLEGAL, 0x4002
  CHECK(62)
  TRAP_ARM
  .half 0x8002                    /* c.jr with rs1 = x0 */
  EXPECT_TRAP_TVAL CAUSE_ILLEGAL, 0x8002
  CHECK(63)
  TRAP_ARM
  .half 0x6002                    /* c.ldsp with rd = x0 */
  EXPECT_TRAP_TVAL CAUSE_ILLEGAL, 0x6002
  /* mixing 2- and 4-byte instructions at 2-byte alignment */
  CHECK(59)
  c.li a0, 1
  addi a0, a0, 1
  c.addi a0, 1
  addi a0, a0, 1
  EXPECT a0, 4
  j pass

fail_near:
  j fail

  .data
  .balign 16
cells:
  .dword 0, 0

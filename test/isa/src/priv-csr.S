/*
 * priv-csr: the Zicsr instructions and the machine-level CSRs (unprivileged spec chapter
 * 9; privileged spec 2.1, 3.1). Read/write/set/clear semantics and their immediate forms;
 * the rule that CSRRS/CSRRC with rs1 = x0 (or uimm = 0) do not write; illegal instruction for an unknown CSR, a
 * write to a read-only CSR and an F instruction (mstatus.FS = Off, or no F at all), with
 * mtval holding the instruction bits; misa, mhartid, mepc alignment, medeleg/mideleg
 * writable bits and the masked views sstatus, sie and sip.
 */
#include "harness.h"

/* Run `insn` and expect an illegal-instruction trap with mtval = its own encoding. */
.macro EXPECT_ILLEGAL n, insn
  CHECK(\n)
  TRAP_ARM
9911:
  \insn
  EXPECT_TRAP CAUSE_ILLEGAL
  la t5, 9911b
  lwu t5, 0(t5)
  LOADVAR t6, trap_tval
  EXPECT_SAME t5, t6
.endm

  .text
  .globl test_main
test_main:
  /* csrrw returns the old value and writes the new one (mscratch is a plain 64-bit CSR) */
  CHECK(1)
  li a1, 0x0123456789abcdef
  csrw mscratch, a1
  li a2, 0xfedcba9876543210
  csrrw a0, mscratch, a2
  EXPECT a0, 0x0123456789abcdef
  CHECK(2)
  csrr a0, mscratch
  EXPECT a0, 0xfedcba9876543210
  /* csrrs sets, csrrc clears, both return the old value */
  CHECK(3)
  li a1, 0xf0
  csrw mscratch, a1
  li a2, 0x0f
  csrrs a0, mscratch, a2
  EXPECT a0, 0xf0
  csrr a0, mscratch
  EXPECT a0, 0xff
  CHECK(4)
  li a2, 0x3c
  csrrc a0, mscratch, a2
  EXPECT a0, 0xff
  csrr a0, mscratch
  EXPECT a0, 0xc3
  /* immediate forms: 5-bit zero-extended uimm */
  CHECK(5)
  csrrwi a0, mscratch, 31
  EXPECT a0, 0xc3
  csrr a0, mscratch
  EXPECT a0, 31
  CHECK(6)
  csrrci a0, mscratch, 0x11
  csrr a0, mscratch
  EXPECT a0, 0x0e
  CHECK(7)
  csrrsi a0, mscratch, 0x10
  EXPECT a0, 0x0e
  csrr a0, mscratch
  EXPECT a0, 0x1e
  /* rd == rs1: the old value goes to rd, the write uses the register's old value */
  CHECK(8)
  li a0, 0x55
  csrrw a0, mscratch, a0
  EXPECT a0, 0x1e
  csrr a0, mscratch
  EXPECT a0, 0x55
  /* rd = x0 writes without reading into a register */
  CHECK(9)
  li a1, 77
  csrrw x0, mscratch, a1
  EXPECT x0, 0
  csrr a0, mscratch
  EXPECT a0, 77
  la a1, trap_block            /* the harness's trap handler needs mscratch back */
  csrw mscratch, a1

  /* read-only CSRs (address bits 11:10 = 11): reads are fine ... */
  CHECK(10)
  TRAP_ARM
  csrr a0, mhartid
  EXPECT a0, 0
  csrrsi a0, mhartid, 0        /* uimm = 0: no write, so no trap (spec 2.1 / Zicsr) */
  csrrc a0, mvendorid, x0      /* rs1 = x0: no write */
  csrr a0, marchid
  csrr a0, mimpid
  EXPECT_NO_TRAP
  /* ... but any write attempt is illegal, even of an unchanged value */
  EXPECT_ILLEGAL 11, "csrw mhartid, a1"
  EXPECT_ILLEGAL 12, "csrrw x0, mhartid, x0"
  /* (csrrs/csrrc with rs1 != x0 holding zero: see priv-csr-strict.S) */
  EXPECT_ILLEGAL 16, "csrrwi a0, marchid, 0"
  EXPECT_ILLEGAL 17, "csrrsi a0, mimpid, 1"
  EXPECT_ILLEGAL 18, "csrw cycle, a1"          /* user counters are read-only too */
  /* the destination register is untouched by a trapping CSR instruction */
  CHECK(19)
  li a0, 1234
  TRAP_ARM
  csrrw a0, mhartid, a1
  EXPECT a0, 1234

  /* unknown CSRs and non-existent instructions are illegal; mtval = instruction bits */
  EXPECT_ILLEGAL 20, "csrr a0, 0x7ff"
  EXPECT_ILLEGAL 21, "csrw 0x5ff, a1"
  EXPECT_ILLEGAL 22, "csrr a0, 0x3ff"
  EXPECT_ILLEGAL 23, ".word 0x0000000b"         /* custom-0 opcode, no extension here */
  /* F/D instructions with mstatus.FS = Off (or without F/D) are illegal (spec 3.1.6.6) */
  CHECK(24)
  li a1, MSTATUS_FS
  csrc mstatus, a1
  EXPECT_ILLEGAL 25, ".word 0x02007053"         /* fadd.d f0, f0, f0 */
  EXPECT_ILLEGAL 26, ".word 0x00052007"         /* flw f0, 0(a0) */
  EXPECT_ILLEGAL 27, "csrr a0, fcsr"
  /* the all-zero instruction is illegal (spec 16.1: the zero parcel is reserved) */
  CHECK(28)
  TRAP_ARM
  .word 0
  EXPECT_TRAP CAUSE_ILLEGAL
  LOADVAR a0, trap_tval
  EXPECT a0, 0

  /* misa: MXL = 2 (RV64) and the A, C, I, M, S, U letters (spec 3.1.1) */
  CHECK(30)
  TRAP_ARM
  csrr a0, misa
  srli a1, a0, 62
  EXPECT a1, 2
  CHECK(31)
  li a1, (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)
  and a2, a0, a1
  EXPECT_SAME a2, a1
  CHECK(32)
  andi a2, a0, (1 << 4)        /* E must be clear when I is set */
  EXPECT a2, 0
  /* mstatus.SXL and UXL report 64-bit S and U modes */
  CHECK(33)
  csrr a0, mstatus
  srli a0, a0, 32
  andi a0, a0, 0xf
  EXPECT a0, 0xa

  /* (mepc[0] and sepc[0] reading as zero: see priv-csr-strict.S) */
  /* mtvec keeps a 4-byte aligned base and the vectored mode */
  CHECK(35)
  csrr s0, mtvec
  la a1, aligned_table
  ori a1, a1, 1
  csrw mtvec, a1
  csrr a0, mtvec
  csrw mtvec, s0
  EXPECT_SAME a0, a1

  /* medeleg: U/S ecalls, illegal instructions and page faults can be delegated
   * (medeleg[11] being read-only zero: see priv-csr-strict.S) */
  CHECK(37)
  li a1, -1
  csrw medeleg, a1
  csrr a0, medeleg
  csrw medeleg, zero
  li a1, (1 << 8) | (1 << 9) | (1 << 12) | (1 << 13) | (1 << 15) | (1 << 2)
  and a2, a0, a1
  EXPECT_SAME a2, a1
  /* mideleg: the supervisor interrupts are delegable */
  CHECK(38)
  li a1, -1
  csrw mideleg, a1
  csrr a0, mideleg
  andi a0, a0, 0x222
  EXPECT a0, 0x222

  /* sie is a view of mie restricted to delegated interrupts (spec 4.1.3) */
  CHECK(40)
  csrw mideleg, zero
  li a1, 0x222
  csrw mie, a1
  csrr a0, sie
  EXPECT a0, 0
  CHECK(41)
  li a1, 0x222
  csrw mideleg, a1
  csrr a0, sie
  EXPECT a0, 0x222
  CHECK(42)
  csrw sie, zero
  csrr a0, mie
  EXPECT a0, 0
  CHECK(43)
  li a1, -1
  csrw sie, a1                 /* may set only the delegated S bits */
  csrr a0, mie
  EXPECT a0, 0x222
  csrw mie, zero
  /* sip: SSIP is writable through sip when delegated; machine bits never show */
  CHECK(44)
  csrw mip, zero
  csrsi sip, 2
  csrr a0, mip
  andi a0, a0, 0x222           /* MTIP may be pending: the CLINT's mtimecmp is not set */
  EXPECT a0, 2
  CHECK(45)
  csrr a0, sip
  EXPECT a0, 2
  CHECK(46)
  csrci sip, 2
  csrr a0, mip
  andi a0, a0, 0x222
  EXPECT a0, 0
  CHECK(47)
  csrw mideleg, zero
  csrsi mip, 2                 /* M-mode may pend SSIP directly */
  csrr a0, sip
  EXPECT a0, 0                 /* but sip hides it while it is not delegated */
  csrci mip, 2

  /* sstatus is a view of mstatus: M-only fields read as zero and ignore writes (4.1.1) */
  CHECK(50)
  li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TW | MSTATUS_TVM | MSTATUS_TSR
  csrs mstatus, a1
  csrr a0, sstatus
  li a2, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_TW | MSTATUS_TVM | MSTATUS_TSR | MSTATUS_MPRV
  and a0, a0, a2
  EXPECT a0, 0
  CHECK(51)
  csrw sstatus, zero           /* must not clear the M fields */
  csrr a0, mstatus
  and a0, a0, a1
  EXPECT_SAME a0, a1
  CHECK(52)
  csrc mstatus, a1
  li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR
  csrs sstatus, a1
  csrr a0, mstatus
  and a0, a0, a1
  EXPECT_SAME a0, a1
  CHECK(53)
  csrr a0, mstatus             /* the M fields were not set by the sstatus write */
  li a2, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_TW | MSTATUS_TVM | MSTATUS_TSR
  and a0, a0, a2
  EXPECT a0, 0
  CHECK(54)
  csrc sstatus, a1
  csrr a0, mstatus
  and a0, a0, a1
  EXPECT a0, 0
  CHECK(55)
  csrr a0, sstatus             /* UXL is visible in sstatus */
  srli a0, a0, 32
  andi a0, a0, 3
  EXPECT a0, 2
  /* S-mode CSRs hold their values */
  CHECK(56)
  li a1, 0x123456789abcdef0
  csrw sscratch, a1
  csrr a0, sscratch
  EXPECT_SAME a0, a1
  la a1, strap_block
  csrw sscratch, a1
  CHECK(58)
  EXPECT_NO_TRAP
  j pass

  .balign 64
aligned_table:
  j trap_vector

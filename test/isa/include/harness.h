/*
 * harness.h: the small vocabulary every ISA test is written in.
 *
 * A test is a bare-metal program that starts in M-mode at `test_main` (after lib/harness.S
 * has set up a stack, the trap vectors and an open PMP region) and ends by jumping to
 * `pass` or `fail`. `gp` always holds the number of the check being run; `fail` reports
 * it through HTIF as the exit code (tohost = (gp << 1) | 1), so "exit 17" means "grep for
 * CHECK(17)". Check numbers are written by hand, unique within a file, and stay below 256
 * because an exit status only keeps eight bits.
 *
 * Registers t5 and t6 belong to these macros (and t4 to the waiting loops some tests
 * define); `pass` and `fail` overwrite a7, s11 and t0. Tests keep their values elsewhere.
 *
 * Traps: the M-mode handler in lib/harness.S records every trap in `trap_cause`,
 * `trap_epc`, `trap_tval`, `trap_status` (mstatus as seen on entry) and counts it in
 * `trap_count`. It then resumes at `trap_resume` if a test stored an address there (the
 * handler clears it), otherwise after the trapping instruction (2 or 4 bytes, read at
 * mepc, so the code must be readable at its physical address), and for an interrupt at
 * mepc with that interrupt's enable bit cleared in mie so it does not fire again.
 * The S-mode handler does the same with the `strap_*` variables and sie.
 * An ecall with a7 == SYS_TO_M returns to the instruction after it in M-mode, unrecorded.
 */
#ifndef ISA_HARNESS_H
#define ISA_HARNESS_H

/* Privilege levels as encoded in mstatus.MPP (privileged spec 1.2). */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* mstatus fields (privileged spec 3.1.6). */
#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_UBE   (1 << 6)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)

/* Exception codes (privileged spec 3.1.15, table 3.6). */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15

/* Interrupt numbers: bit positions in mip/mie and the low bits of an interrupt mcause. */
#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11
#define CAUSE_INTR  (1 << 63)

/* CLINT registers (SiFive CLINT layout, as on QEMU's virt and spike machines). */
#define CLINT_MSIP     0x02000000
#define CLINT_MTIMECMP 0x02004000
#define CLINT_MTIME    0x0200bff8

/* CSRs that older assemblers may not know by name. */
#define CSR_MENVCFG  0x30a
#define CSR_STIMECMP 0x14d
#define MENVCFG_STCE (1 << 63)

/* ecall with this a7 is the harness's "return me to M-mode" request. */
#define SYS_TO_M 0x6d6d

/* Value of trap_cause when nothing has trapped since TRAP_ARM. */
#define NO_TRAP (-1)

/* Tests other than rv64c run without compressed instructions, so that a broken C
 * decoder shows up in one place. rv64c.S turns compression back on with .option rvc. */
.option norvc

#define CHECK(n) li gp, n

/* Fail the current check unless register `reg` equals the constant `val`. */
.macro EXPECT reg, val
  li t6, \val
  beq \reg, t6, 9901f
  j fail
9901:
.endm

/* Fail the current check unless registers `ra_` and `rb_` are equal. */
.macro EXPECT_SAME ra_, rb_
  beq \ra_, \rb_, 9902f
  j fail
9902:
.endm

/* Load the 64-bit harness variable `sym` into `reg`. */
.macro LOADVAR reg, sym
  la \reg, \sym
  ld \reg, 0(\reg)
.endm

/* Forget previous traps: causes become NO_TRAP, counts zero. */
.macro TRAP_ARM
  li t6, NO_TRAP
  la t5, trap_cause
  sd t6, 0(t5)
  sd zero, 32(t5)           /* trap_count */
  la t5, strap_cause
  sd t6, 0(t5)
  sd zero, 32(t5)           /* strap_count */
.endm

/* Make the next M-mode (or S-mode) trap resume at `label` instead of the next instruction. */
.macro TRAP_RESUME_AT label
  la t6, \label
  la t5, trap_resume
  sd t6, 0(t5)
.endm
.macro STRAP_RESUME_AT label
  la t6, \label
  la t5, strap_resume
  sd t6, 0(t5)
.endm

/* Fail unless the last M-mode trap had mcause == `cause`. */
.macro EXPECT_TRAP cause
  LOADVAR t5, trap_cause
  EXPECT t5, \cause
.endm
.macro EXPECT_TRAP_TVAL cause, tval
  EXPECT_TRAP \cause
  LOADVAR t5, trap_tval
  EXPECT t5, \tval
.endm
/* As EXPECT_TRAP, for the S-mode handler. */
.macro EXPECT_STRAP cause
  LOADVAR t5, strap_cause
  EXPECT t5, \cause
.endm
.macro EXPECT_NO_TRAP
  EXPECT_TRAP NO_TRAP
  EXPECT_STRAP NO_TRAP
.endm

/* Set mstatus.MPP to `mode` and mret to the next instruction: runs on in `mode`. */
.macro ENTER_MODE mode
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  li t6, ((\mode) << 11)
  csrs mstatus, t6
  la t6, 9903f
  csrw mepc, t6
  mret
9903:
.endm

/* From S or U (with ecalls not delegated): come back to M-mode at the next instruction. */
.macro ENTER_M
  li a7, SYS_TO_M
  ecall
  li a7, 0
.endm

/* Register-register and register-immediate checks: rd = a0, sources a1, a2. */
.macro TEST_RR n, op, expect, a, b
  CHECK(\n)
  li a1, \a
  li a2, \b
  \op a0, a1, a2
  EXPECT a0, \expect
.endm
.macro TEST_RI n, op, expect, a, imm
  CHECK(\n)
  li a1, \a
  \op a0, a1, \imm
  EXPECT a0, \expect
.endm

#endif

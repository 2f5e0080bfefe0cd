/*
 * harness.S: start-up, trap handlers and the HTIF exit path shared by every ISA test.
 *
 * _start runs in M-mode at 0x80000000 on hart 0. It installs the M- and S-mode trap
 * vectors, opens one PMP region over the whole address space (QEMU enforces PMP, and with
 * no matching entry S- and U-mode could reach no memory: privileged spec 3.7.1), turns off
 * delegation, paging and interrupt enables, and calls the test's `test_main`.
 *
 * The result goes to the 64-bit `tohost` word (the Spike HTIF convention, also used by
 * QEMU's spike machine): 1 for pass, (check << 1) | 1 for a failed check.
 * See include/harness.h for what the trap handlers record and where they resume.
 */
#include "harness.h"

/* Layout of a handler's block: two register save slots, then the recorded trap. */
#define SLOT_T1     0
#define SLOT_T2     8
#define REC_CAUSE   16
#define REC_EPC     24
#define REC_TVAL    32
#define REC_STATUS  40
#define REC_COUNT   48
#define REC_RESUME  56
/* More traps than this without a TRAP_ARM means a handler is looping: give up. */
#define TRAP_STORM  100

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la t0, trap_vector
  csrw mtvec, t0
  la t0, trap_block
  csrw mscratch, t0
  la t0, strap_vector
  csrw stvec, t0
  la t0, strap_block
  csrw sscratch, t0
  /* NAPOT region of all-ones address: covers everything, R|W|X (privileged spec 3.7.1).
   * On a machine without PMP these CSRs are read-only zero and the writes are no-ops. */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  csrw satp, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrw mie, zero
  li t0, MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPRV
  csrc mstatus, t0
  la sp, stack_top
  li gp, 0
  TRAP_ARM
  j test_main

/* ---- exit through HTIF ---------------------------------------------------------- */

  .text
  .globl pass
  .globl fail
pass:
  li a7, SYS_TO_M
  ecall                     /* back to M-mode from wherever the test was */
  li s11, 1
  j write_tohost
fail:
  li a7, SYS_TO_M
  ecall
report_gp:
  bnez gp, 1f
  li gp, 255                /* a failure before the first CHECK still must not read as pass */
1:
  slli s11, gp, 1
  ori s11, s11, 1
write_tohost:
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
#ifdef EXIT_VIA_SIFIVE_TEST
  /* Variant for QEMU's virt machine (which has Sstc but no HTIF): its SiFive test
   * finisher at 0x100000 exits with 0 for 0x5555 and with `code` for (code << 16) | 0x3333. */
  li t0, 0x100000
  srli t1, s11, 1
  li t2, 0x5555
  beqz t1, 3f
  slli t1, t1, 16
  li t2, 0x3333
  or t2, t2, t1
3:
  sw t2, 0(t0)
#endif
  la t0, tohost
  sd s11, 0(t0)
2:
  j 2b

/* ---- M-mode trap handler (direct mode; also entry 0 of a vectored table) ---------- */

  .balign 4
  .globl trap_vector
trap_vector:
  csrrw t0, mscratch, t0    /* t0 = trap_block, mscratch = the test's t0 */
  sd t1, SLOT_T1(t0)
  sd t2, SLOT_T2(t0)
  csrr t1, mcause
  /* ecall with a7 == SYS_TO_M: return to M-mode after the ecall, record nothing. */
  li t2, CAUSE_ECALL_U
  bltu t1, t2, 1f
  li t2, CAUSE_ECALL_M
  bgtu t1, t2, 1f
  li t2, SYS_TO_M
  bne a7, t2, 1f
  li t1, MSTATUS_MPP
  csrs mstatus, t1
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  j 5f
1:
  sd t1, REC_CAUSE(t0)
  csrr t2, mepc
  sd t2, REC_EPC(t0)
  csrr t2, mtval
  sd t2, REC_TVAL(t0)
  csrr t2, mstatus
  sd t2, REC_STATUS(t0)
  ld t2, REC_COUNT(t0)
  addi t2, t2, 1
  sd t2, REC_COUNT(t0)
  li t1, TRAP_STORM
  bgtu t2, t1, trap_storm
  csrr t1, mcause
  bgez t1, 2f
  /* Interrupt: mask it in mie so that it does not fire again; resume where it hit. */
  slli t1, t1, 1
  srli t1, t1, 1
  li t2, 1
  sll t2, t2, t1
  csrc mie, t2
  j 4f
2:
  ld t1, REC_RESUME(t0)
  beqz t1, 3f
  sd zero, REC_RESUME(t0)
  csrw mepc, t1
  j 5f
3:
  /* Skip the trapping instruction: 4 bytes if its low bits are 11, else 2 (spec 1.5). */
  csrr t1, mepc
  lhu t2, 0(t1)
  andi t2, t2, 3
  addi t1, t1, 2
  xori t2, t2, 3
  bnez t2, 6f
  addi t1, t1, 2
6:
  csrw mepc, t1
  j 5f
4:
  ld t1, REC_RESUME(t0)     /* an interrupt may carry a resume address too */
  beqz t1, 5f
  sd zero, REC_RESUME(t0)
  csrw mepc, t1
5:
  ld t1, SLOT_T1(t0)
  ld t2, SLOT_T2(t0)
  csrrw t0, mscratch, t0
  mret

trap_storm:
  li gp, 254
  j report_gp

/* ---- S-mode trap handler ---------------------------------------------------------- */

  .balign 4
  .globl strap_vector
strap_vector:
  csrrw t0, sscratch, t0
  sd t1, SLOT_T1(t0)
  sd t2, SLOT_T2(t0)
  csrr t1, scause
  li t2, CAUSE_ECALL_U
  bltu t1, t2, 1f
  li t2, CAUSE_ECALL_S
  bgtu t1, t2, 1f
  li t2, SYS_TO_M
  bne a7, t2, 1f
  /* A delegated SYS_TO_M: ask M-mode in turn (cause 9 is never delegated by our tests),
   * then, now in M-mode, continue after the original ecall. a7 is free: ENTER_M and
   * pass/fail overwrite it. */
  ld t1, SLOT_T1(t0)
  ld t2, SLOT_T2(t0)
  csrrw t0, sscratch, t0
  ecall
  csrr a7, sepc
  addi a7, a7, 4
  jr a7
1:
  sd t1, REC_CAUSE(t0)
  csrr t2, sepc
  sd t2, REC_EPC(t0)
  csrr t2, stval
  sd t2, REC_TVAL(t0)
  csrr t2, sstatus
  sd t2, REC_STATUS(t0)
  ld t2, REC_COUNT(t0)
  addi t2, t2, 1
  sd t2, REC_COUNT(t0)
  li t1, TRAP_STORM
  bgtu t2, t1, strap_storm
  csrr t1, scause
  bgez t1, 2f
  slli t1, t1, 1
  srli t1, t1, 1
  li t2, 1
  sll t2, t2, t1
  csrc sie, t2
  j 4f
2:
  ld t1, REC_RESUME(t0)
  beqz t1, 3f
  sd zero, REC_RESUME(t0)
  csrw sepc, t1
  j 5f
3:
  csrr t1, sepc
  lhu t2, 0(t1)
  andi t2, t2, 3
  addi t1, t1, 2
  xori t2, t2, 3
  bnez t2, 6f
  addi t1, t1, 2
6:
  csrw sepc, t1
  j 5f
4:
  ld t1, REC_RESUME(t0)
  beqz t1, 5f
  sd zero, REC_RESUME(t0)
  csrw sepc, t1
5:
  ld t1, SLOT_T1(t0)
  ld t2, SLOT_T2(t0)
  csrrw t0, sscratch, t0
  sret

strap_storm:
  li gp, 253
  j fail

/* ---- data --------------------------------------------------------------------------- */

  .data
  .balign 64
  .globl trap_block, trap_cause, trap_epc, trap_tval, trap_status, trap_count, trap_resume
trap_block:
  .dword 0, 0
trap_cause:  .dword NO_TRAP
trap_epc:    .dword 0
trap_tval:   .dword 0
trap_status: .dword 0
trap_count:  .dword 0
trap_resume: .dword 0

  .balign 64
  .globl strap_block, strap_cause, strap_epc, strap_tval, strap_status, strap_count, strap_resume
strap_block:
  .dword 0, 0
strap_cause:  .dword NO_TRAP
strap_epc:    .dword 0
strap_tval:   .dword 0
strap_status: .dword 0
strap_count:  .dword 0
strap_resume: .dword 0

  .balign 16
  .globl stack_top
stack:
  .zero 4096
stack_top:

  .section .tohost, "aw", @progbits
  .balign 8
  .globl tohost, fromhost
  .type tohost, @object    /* QEMU checks that both symbols are 8 bytes long */
  .size tohost, 8
  .type fromhost, @object
  .size fromhost, 8
tohost:   .dword 0
fromhost: .dword 0

/*
 * sv39: address translation with Sv39 (privileged spec 4.3 and 4.4), using the tables of
 * include/sv39.h: satp (an unsupported MODE is ignored), S-mode through 4 KiB, 2 MiB and
 * 1 GiB pages (loads, stores and instruction fetch), page faults with mtval = the VA for
 * invalid, read-only, non-executable, write-only (reserved), pointer-at-level-0 and
 * reserved-bit PTEs, misaligned superpages, and non-canonical addresses.
 */
#include "harness.h"
#include "sv39.h"

  .text
  .globl test_main
test_main:
  CHECK(1)
  SV39_SETUP
  mv s9, a0                    /* s9 = satp value for the rest of the test */

  /* satp: an unsupported MODE leaves satp unchanged; Sv39 reads back */
  CHECK(2)
  csrw satp, zero
  li a1, (5 << 60)
  csrw satp, a1
  csrr a0, satp
  EXPECT a0, 0
  CHECK(3)
  csrw satp, s9
  sfence.vma
  csrr a0, satp
  EXPECT_SAME a0, s9

  /* ---- S-mode through the mappings ---- */
  CHECK(10)
  TRAP_ARM
  ENTER_MODE PRV_S             /* fetch now goes through l0_id */
  la a1, data_a
  ld a0, 0(a1)
  EXPECT a0, 0x1111111111111111
  EXPECT_NO_TRAP
  CHECK(11)
  li a1, VA_RW + 8
  ld a0, 0(a1)                 /* data_a + 8 through the test page */
  EXPECT a0, 0x2222222222222222
  CHECK(12)
  li a2, 0x3333
  sd a2, 16(a1)                /* data_a + 24 */
  la a3, data_a
  ld a0, 24(a3)
  EXPECT a0, 0x3333
  /* 1 GiB superpage: VA 0xC0000000 + x reads PA 0x80000000 + x */
  CHECK(13)
  la a1, data_a
  li a2, VA_GIGA - 0x80000000
  add a1, a1, a2
  ld a0, 0(a1)
  EXPECT a0, 0x1111111111111111
  /* 2 MiB superpage */
  CHECK(14)
  li a1, VA_MEGA + 0x1238
  ld a0, 0(a1)
  EXPECT a0, 0x6d656761
  /* instruction fetch through the gigapage: call gigafunc at its VA 0xC0000000 + x */
  CHECK(15)
  la a1, gigafunc
  li a2, VA_GIGA - 0x80000000
  add a1, a1, a2
  li a0, 0
  jalr a1
  EXPECT a0, 0x6a
  CHECK(16)
  EXPECT_NO_TRAP

  /* ---- page faults on 4 KiB pages: cause and mtval = VA ---- */
  CHECK(20)
  li s1, VA_INVALID + 0x18
  ld a0, 0(s1)
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(21)
  TRAP_ARM
  sw a0, 0(s1)
  EXPECT_FAULT CAUSE_STORE_PAGE, s1
  CHECK(22)
  TRAP_ARM
  TRAP_RESUME_AT 2f
  jr s1                        /* fetch from an invalid page */
  j fail
2:
  EXPECT_FAULT CAUSE_FETCH_PAGE, s1
  CHECK(23)
  TRAP_ARM
  li s1, VA_RO + 0x20
  ld a0, 0(s1)                 /* reading a read-only page is fine */
  EXPECT_NO_TRAP
  sd a0, 0(s1)
  EXPECT_FAULT CAUSE_STORE_PAGE, s1
  CHECK(24)
  TRAP_ARM
  amoadd.d a0, a0, (s1)        /* an AMO needs write permission: store/AMO fault */
  EXPECT_FAULT CAUSE_STORE_PAGE, s1
  CHECK(25)
  TRAP_ARM
  li s1, VA_RW
  TRAP_RESUME_AT 3f
  jr s1                        /* readable and writable but not executable */
  j fail
3:
  EXPECT_FAULT CAUSE_FETCH_PAGE, s1
  CHECK(26)
  TRAP_ARM
  li s1, VA_WONLY
  ld a0, 0(s1)                 /* R = 0, W = 1 is reserved: a page fault (4.3.2 step 5) */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(27)
  TRAP_ARM
  sd a0, 0(s1)
  EXPECT_FAULT CAUSE_STORE_PAGE, s1
  CHECK(28)
  TRAP_ARM
  li s1, VA_INVALID + 8
  lr.d a0, (s1)                /* LR is a load */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1

  CHECK(29)
  TRAP_ARM
  li s1, VA_LEVEL0 + 0x10
  ld a0, 0(s1)                 /* a pointer PTE at level 0 (4.3.2 step 4) */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1

  /* ---- superpage alignment and canonical addresses ---- */
  CHECK(30)
  TRAP_ARM
  li s1, VA_MEGA_BAD + 0x40
  ld a0, 0(s1)                 /* megapage with PPN[0] != 0 (4.3.2 step 6) */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(31)
  TRAP_ARM
  li s1, VA_GIGA_BAD + 0x10
  ld a0, 0(s1)                 /* gigapage with PPN[1] != 0 */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(32)
  TRAP_ARM
  li s1, VA_NONCANON
  ld a0, 0(s1)                 /* bits 63:39 must copy bit 38 (4.4.1) */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1
  CHECK(33)
  TRAP_ARM
  sd a0, 0(s1)
  EXPECT_FAULT CAUSE_STORE_PAGE, s1
  CHECK(34)
  TRAP_ARM
  TRAP_RESUME_AT 4f
  jr s1
  j fail
4:
  EXPECT_FAULT CAUSE_FETCH_PAGE, s1
  CHECK(35)
  TRAP_ARM
  li s1, 0xffffffc000000000    /* canonical, but root[256] is invalid */
  ld a0, 0(s1)
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1

  CHECK(36)
  TRAP_ARM
  li s1, VA_RSVD
  ld a0, 0(s1)                 /* reserved PTE bits 60:54 set (4.4.1) */
  EXPECT_FAULT CAUSE_LOAD_PAGE, s1

  ENTER_M
  csrw satp, zero
  sfence.vma
  j pass

#include "sv39-tables.S"

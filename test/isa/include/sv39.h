/*
 * sv39.h: page-table layout, constants and macros shared by sv39.S and sv39-access.S
 * (privileged spec 4.3 and 4.4). include/sv39-tables.S builds the tables (sv39_build,
 * called in M-mode) and holds the pages they map:
 *   root[2]  0x80000000  -> l1_id, whose entry 0 -> l0_id: 4 KiB identity pages over the
 *                           image (code, data, tables), supervisor RWX; one user code page
 *                           and one user data page; entry 1 is a 2 MiB megapage
 *                           VA 0x80200000 -> PA 0x80400000
 *   root[3]  0xC0000000  -> 1 GiB gigapage onto PA 0x80000000 (RWX)
 *   root[4]  0x100000000 -> a misaligned gigapage (PPN[1] != 0): any access faults
 *   root[1]  0x40000000  -> l1_t: entry 0 -> l0_t (the 4 KiB test pages below), entry 2 a
 *                           misaligned megapage
 * Traps are not delegated unless a test says so, so the harness's M-mode handler records
 * mcause and mtval = faulting VA (4.3.2 and 3.1.16). Code always runs at VA = PA, so the
 * handler can read the trapping instruction; fetch faults resume at a label.
 */
#ifndef ISA_SV39_H
#define ISA_SV39_H

#define PTE_V (1 << 0)
#define PTE_R (1 << 1)
#define PTE_W (1 << 2)
#define PTE_X (1 << 3)
#define PTE_U (1 << 4)
#define PTE_A (1 << 6)
#define PTE_D (1 << 7)
#define LEAF_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define LEAF_RW  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define SATP_SV39 (8 << 60)

/* The 4 KiB test pages in l0_t: VA = 0x40000000 + index * 4096. */
#define VA_RW      0x40000000   /* data_a, read/write, no X */
#define VA_RO      0x40001000   /* data_a, read-only */
#define VA_INVALID 0x40002000   /* V = 0 */
#define VA_XO      0x40003000   /* data_a, execute-only (readable only with MXR) */
#define VA_AD      0x40004000   /* data_c, A = D = 0 at first */
#define VA_WONLY   0x40005000   /* W without R: a reserved encoding */
#define VA_SWAP    0x40006000   /* data_a, later data_b (sfence.vma) */
#define VA_LEVEL0  0x40007000   /* a pointer PTE where a leaf must be: page fault */
#define VA_RSVD    0x40008000   /* data_a, with reserved PTE bit 60 set */
#define VA_MEGA_BAD 0x40400000  /* l1_t[2]: misaligned megapage */
#define VA_GIGA    0xC0000000
#define VA_GIGA_BAD 0x100000000
#define VA_MEGA    0x80200000
#define PA_MEGA    0x80400000
#define VA_NONCANON 0x0000004000000000   /* bit 38 set: bits 63:39 must be ones too */

/* dst = leaf/pointer PTE for the physical address in `pa` with `flags` (4.4.1). */
.macro MAKE_PTE dst, pa, flags
  srli \dst, \pa, 12
  slli \dst, \dst, 10
  ori \dst, \dst, \flags
.endm
/* table[index] = PTE(pa, flags); clobbers t5, t6. */
.macro SET_PTE table, index, pa, flags
  MAKE_PTE t5, \pa, \flags
  la t6, \table
  sd t5, ((\index) * 8)(t6)
.endm
/* From M-mode: run the user gadget `label` in U-mode; it comes back here in M-mode. */
.macro RUN_USER label
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  la t6, \label
  csrw mepc, t6
  la ra, 9931f
  mret
9931:
.endm
/* Expect the last M-mode trap to be `cause` with mtval == register `va`. */
.macro EXPECT_FAULT cause, va
  EXPECT_TRAP \cause
  LOADVAR t5, trap_tval
  EXPECT_SAME t5, \va
.endm

/* In M-mode: build the tables, then a0 = the satp value that turns Sv39 on. */
.macro SV39_SETUP
  call sv39_build
  la a0, root
  srli a0, a0, 12
  li t6, SATP_SV39
  or a0, a0, t6
.endm

#endif

/*
 * sv39-tables.S: included at the end of each Sv39 test. The table builder, a function
 * reached through the gigapage, the user code page and the page-aligned data (tables and
 * the pages they map): see include/sv39.h for the layout.
 */

  .text
/* Fill in every table (M-mode, physical addresses). Clobbers a0-a4, s0-s2, t5, t6. */
sv39_build:
  la s0, l0_id
  li s1, 0x80000000
  li s2, 512
1:
  MAKE_PTE a0, s1, LEAF_RWX
  sd a0, 0(s0)
  addi s0, s0, 8
  li a1, 4096
  add s1, s1, a1
  addi s2, s2, -1
  bnez s2, 1b
  /* the user pages inside the identity range */
  la a1, user_code
  li a2, 0x80000000
  sub a3, a1, a2
  srli a3, a3, 9               /* page index * 8 */
  la a4, l0_id
  add a4, a4, a3
  MAKE_PTE a0, a1, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
  sd a0, 0(a4)
  la a1, user_data
  sub a3, a1, a2
  srli a3, a3, 9
  la a4, l0_id
  add a4, a4, a3
  MAKE_PTE a0, a1, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
  sd a0, 0(a4)
  la a1, l0_id
  SET_PTE l1_id, 0, a1, PTE_V
  li a1, PA_MEGA
  SET_PTE l1_id, 1, a1, LEAF_RW
  la a1, l1_id
  SET_PTE root, 2, a1, PTE_V
  li a1, 0x80000000
  SET_PTE root, 3, a1, LEAF_RWX
  li a1, 0x80200000            /* not 1 GiB aligned */
  SET_PTE root, 4, a1, LEAF_RW
  la a1, l1_t
  SET_PTE root, 1, a1, PTE_V
  la a1, l0_t
  SET_PTE l1_t, 0, a1, PTE_V
  li a1, PA_MEGA + 0x1000      /* not 2 MiB aligned */
  SET_PTE l1_t, 2, a1, LEAF_RW
  la a1, data_a
  SET_PTE l0_t, 0, a1, LEAF_RW
  SET_PTE l0_t, 1, a1, PTE_V | PTE_R | PTE_A
  SET_PTE l0_t, 3, a1, PTE_V | PTE_X | PTE_A
  SET_PTE l0_t, 6, a1, LEAF_RW
  SET_PTE l0_t, 7, a1, PTE_V  /* R = W = X = 0 at level 0: no further level exists */
  MAKE_PTE a2, a1, LEAF_RW
  li a3, (1 << 60)
  or a2, a2, a3
  la a3, l0_t
  sd a2, (8 * 8)(a3)
  la a1, data_c
  SET_PTE l0_t, 4, a1, PTE_V | PTE_R | PTE_W
  SET_PTE l0_t, 5, a1, PTE_V | PTE_W | PTE_A | PTE_D
  /* data seen through the superpages */
  li a1, PA_MEGA + 0x1238
  li a2, 0x6d656761            /* "mega" */
  sd a2, 0(a1)

  ret

/* Runs at its gigapage alias: position-independent, returns to the identity-mapped caller. */
gigafunc:
  li a0, 0x6a
  ret

/* ---- the user code page: gadgets run in U-mode, then return to M at `ra` ---- */
  .section .text.user, "ax", @progbits
  .balign 4096
user_code:
u_load:
  ld a0, 0(a1)
  j u_exit
u_store:
  sd a2, 0(a1)
  j u_exit
u_jump:
  jr a1
u_exit:
  li a7, SYS_TO_M
  ecall
  li a7, 0
  jr ra                        /* now in M-mode */
  .balign 4096

  .data
  .balign 4096
root:   .zero 4096
l1_id:  .zero 4096
l0_id:  .zero 4096
l1_t:   .zero 4096
l0_t:   .zero 4096
data_a:
  .dword 0x1111111111111111, 0x2222222222222222
  .balign 4096
data_b:
  .dword 0x4444444444444444
  .balign 4096
data_c:
  .dword 0x5555555555555555
  .balign 4096
user_data:
  .dword 0x7777777777777777
  .balign 4096

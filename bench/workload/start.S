# Benchmark workload start-up: hart 0 opens PMP for S-mode, maps memory with Sv39
# gigapages (RAM at 0x80000000 and the low gigabyte holding the test finisher), and
# enters S-mode at bench_main with paging on. Other harts park in wfi.
        .section .text.start
        .globl _start
_start:
        csrr    t0, mhartid
        bnez    t0, park
        la      sp, stack_top
        # privileged spec 3.7.1: one NAPOT region covering all addresses, R W X.
        li      t0, -1
        srli    t0, t0, 10
        csrw    pmpaddr0, t0
        li      t0, 0x1f
        csrw    pmpcfg0, t0
        # Sv39 root table (privileged spec 4.4.1): entry 0 maps VA 0..1G to PA 0..1G
        # (devices: V R W A D), entry 2 maps VA 2G..3G to RAM (V R W X A D).
        la      t0, root_pt
        li      t1, 0xc7
        sd      t1, 0(t0)
        li      t1, (0x80000000 >> 12) << 10 | 0xcf
        sd      t1, 16(t0)
        srli    t0, t0, 12
        li      t1, 8
        slli    t1, t1, 60
        or      t0, t0, t1
        csrw    satp, t0
        sfence.vma
        li      t0, 3 << 11
        csrc    mstatus, t0
        li      t0, 1 << 11
        csrs    mstatus, t0
        la      t0, bench_main
        csrw    mepc, t0
        mret
park:
        wfi
        j       park

        .section .bss
        .balign 4096
root_pt:
        .space  4096
        .balign 16
        .space  16384
stack_top:

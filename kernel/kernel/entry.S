# The first instructions of every hart. QEMU (-bios none) starts all harts here in
# machine mode with a0 = mhartid. Each hart gets its own STACK_PER_HART-byte slice of
# stack0 (start.c) and calls start(). Harts beyond NCPU are parked forever.
#include "param.h"
#define STACK_PER_HART 4096

.section .text.entry
.global _entry
_entry:
        csrr a0, mhartid
        li t0, NCPU
        bgeu a0, t0, park
        la sp, stack0
        li t0, STACK_PER_HART
        addi t1, a0, 1
        mul t0, t0, t1
        add sp, sp, t0          # sp = stack0 + (hartid + 1) * STACK_PER_HART
        call start
park:
        wfi
        j park

# The trampoline page: the only kernel code mapped in user page tables (at TRAMPOLINE,
# R+X, not U), and at the same address in the kernel page table, so it keeps running
# across the satp switch.
#
# uservec: stvec while in user mode. sscratch holds TRAPFRAME (the user virtual address
#   of the process's struct trapframe). Swap it with sp, save x1..x31 into the frame at
#   (n - 1) * 8 (user sp comes back from sscratch), load the kernel's sp, tp and page
#   table from the frame and jump to usertrap().
# userret(satp): called by usertrapret() with sscratch already = TRAPFRAME. Switch to
#   the user page table, reload x1..x31 from the frame and sret to sepc.
#
# Offsets: struct trapframe in proc.h.
#define TF_SP 8
#define TF_KERNEL_SATP 256
#define TF_KERNEL_SP 264
#define TF_KERNEL_TRAP 272
#define TF_KERNEL_HARTID 280

.section trampsec
.global uservec
.global userret
.align 4
uservec:
        csrrw sp, sscratch, sp          # sp = TRAPFRAME, sscratch = user sp
        sd x1, 0(sp)
        sd x3, 16(sp)
        sd x4, 24(sp)
        sd x5, 32(sp)
        sd x6, 40(sp)
        sd x7, 48(sp)
        sd x8, 56(sp)
        sd x9, 64(sp)
        sd x10, 72(sp)
        sd x11, 80(sp)
        sd x12, 88(sp)
        sd x13, 96(sp)
        sd x14, 104(sp)
        sd x15, 112(sp)
        sd x16, 120(sp)
        sd x17, 128(sp)
        sd x18, 136(sp)
        sd x19, 144(sp)
        sd x20, 152(sp)
        sd x21, 160(sp)
        sd x22, 168(sp)
        sd x23, 176(sp)
        sd x24, 184(sp)
        sd x25, 192(sp)
        sd x26, 200(sp)
        sd x27, 208(sp)
        sd x28, 216(sp)
        sd x29, 224(sp)
        sd x30, 232(sp)
        sd x31, 240(sp)
        csrr t0, sscratch
        sd t0, TF_SP(sp)                # the user's sp

        ld t0, TF_KERNEL_TRAP(sp)
        ld tp, TF_KERNEL_HARTID(sp)
        ld t1, TF_KERNEL_SATP(sp)
        ld sp, TF_KERNEL_SP(sp)
        sfence.vma zero, zero           # user accesses done before the switch
        csrw satp, t1
        sfence.vma zero, zero           # drop user translations
        jr t0                           # usertrap(): does not return here

.align 4
userret:
        sfence.vma zero, zero
        csrw satp, a0
        sfence.vma zero, zero
        csrr sp, sscratch               # TRAPFRAME, and stays so for the next uservec
        ld x1, 0(sp)
        ld x3, 16(sp)
        ld x4, 24(sp)
        ld x5, 32(sp)
        ld x6, 40(sp)
        ld x7, 48(sp)
        ld x8, 56(sp)
        ld x9, 64(sp)
        ld x10, 72(sp)
        ld x11, 80(sp)
        ld x12, 88(sp)
        ld x13, 96(sp)
        ld x14, 104(sp)
        ld x15, 112(sp)
        ld x16, 120(sp)
        ld x17, 128(sp)
        ld x18, 136(sp)
        ld x19, 144(sp)
        ld x20, 152(sp)
        ld x21, 160(sp)
        ld x22, 168(sp)
        ld x23, 176(sp)
        ld x24, 184(sp)
        ld x25, 192(sp)
        ld x26, 200(sp)
        ld x27, 208(sp)
        ld x28, 216(sp)
        ld x29, 224(sp)
        ld x30, 232(sp)
        ld x31, 240(sp)
        ld sp, TF_SP(sp)                # last: sp was the frame pointer until now
        sret

# kernelvec: stvec while in supervisor mode. Saves the registers a C call may clobber
# on the current kernel stack, calls kerneltrap() and returns with sret. Callee-saved
# registers survive kerneltrap() by the calling convention. tp is deliberately not
# restored: if kerneltrap() yielded, this thread may come back on another hart, and
# tp must keep that hart's id.
.text
.global kernelvec
.align 4
kernelvec:
        addi sp, sp, -144
        sd ra, 0(sp)
        sd gp, 8(sp)
        sd t0, 16(sp)
        sd t1, 24(sp)
        sd t2, 32(sp)
        sd t3, 40(sp)
        sd t4, 48(sp)
        sd t5, 56(sp)
        sd t6, 64(sp)
        sd a0, 72(sp)
        sd a1, 80(sp)
        sd a2, 88(sp)
        sd a3, 96(sp)
        sd a4, 104(sp)
        sd a5, 112(sp)
        sd a6, 120(sp)
        sd a7, 128(sp)

        call kerneltrap

        ld a7, 128(sp)
        ld ra, 0(sp)
        ld gp, 8(sp)
        ld t0, 16(sp)
        ld t1, 24(sp)
        ld t2, 32(sp)
        ld t3, 40(sp)
        ld t4, 48(sp)
        ld t5, 56(sp)
        ld t6, 64(sp)
        ld a0, 72(sp)
        ld a1, 80(sp)
        ld a2, 88(sp)
        ld a3, 96(sp)
        ld a4, 104(sp)
        ld a5, 112(sp)
        ld a6, 120(sp)
        addi sp, sp, 144
        sret

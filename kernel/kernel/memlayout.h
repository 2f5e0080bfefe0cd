// Physical and virtual memory maps. Physical addresses are those of QEMU's `virt`
// machine (hw/riscv/virt.c); the kernel maps devices and RAM one-to-one. The top of
// every address space holds the trampoline page and, in user space, the trap frame.
#ifndef MEMLAYOUT_H
#define MEMLAYOUT_H

// Devices (QEMU virt memory map).
#define CLINT 0x02000000L          // core-local interruptor: mtime, mtimecmp
#define CLINT_MTIME (CLINT + 0xBFF8)
#define PLIC 0x0c000000L           // platform-level interrupt controller
#define PLIC_SIZE 0x400000L
#define UART0 0x10000000L          // 16550 serial port
#define UART0_IRQ 10
#define VIRTIO0 0x10001000L        // first virtio-mmio slot
#define VIRTIO0_IRQ 1

// RAM: the kernel is linked at KERNBASE, everything up to PHYSTOP is page memory.
#define KERNBASE 0x80000000L
#define PHYSTOP (KERNBASE + 128 * 1024 * 1024)

// Sv39 addresses are 39 bits wide, but keeping to 38 avoids sign-extending the top bit.
#define MAXVA (1L << 38)
#define PGSIZE 4096

// The trampoline (uservec/userret) sits at the same virtual address in the kernel and
// in every user page table, so the satp switch can happen inside it.
#define TRAMPOLINE (MAXVA - PGSIZE)
// User space only: the process's struct trapframe, just below the trampoline.
#define TRAPFRAME (TRAMPOLINE - PGSIZE)

// Kernel space only: process i's kernel stack, each with an unmapped guard page below.
#define KSTACK(i) (TRAMPOLINE - ((uint64)(i) + 1) * 2 * PGSIZE)
#endif

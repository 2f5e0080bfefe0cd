// The platform-level interrupt controller (RISC-V PLIC spec 1.0): the UART and the
// virtio disk get priority 1; each hart's supervisor-mode context (2 * hart + 1 on
// QEMU virt) enables both with threshold 0, then claims and completes interrupts.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

#define PLIC_PRIORITY(irq) (PLIC + 4 * (irq))
#define PLIC_ENABLE(ctx) (PLIC + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)
#define SCONTEXT(hart) (2 * (hart) + 1)

#define REG(a) (*(volatile uint32 *)(a))

void plicinit(void) {
  REG(PLIC_PRIORITY(UART0_IRQ)) = 1;
  REG(PLIC_PRIORITY(VIRTIO0_IRQ)) = 1;
}

void plicinithart(void) {
  int ctx = SCONTEXT(cpuid());
  REG(PLIC_ENABLE(ctx)) = (1U << UART0_IRQ) | (1U << VIRTIO0_IRQ);
  REG(PLIC_THRESHOLD(ctx)) = 0;
}

// The highest-priority pending interrupt for this hart, 0 if none.
int plic_claim(void) {
  return REG(PLIC_CLAIM(SCONTEXT(cpuid())));
}

void plic_complete(int irq) {
  REG(PLIC_CLAIM(SCONTEXT(cpuid()))) = irq;
}

// Spin locks: mutual exclusion between harts, with interrupts off while held.
#ifndef SPINLOCK_H
#define SPINLOCK_H
struct spinlock {
  uint locked;      // 0 free, 1 held (changed only by amoswap)
  char *name;       // for panics and debugging
  struct cpu *cpu;  // holder
};
#endif

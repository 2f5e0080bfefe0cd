// Spin locks. acquire() turns interrupts off on this hart first (push_off), so an
// interrupt handler can never spin on a lock its own hart holds; the matching
// release() restores them once the outermost lock is dropped (pop_off).
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

void initlock(struct spinlock *lk, char *name) {
  lk->name = name;
  lk->locked = 0;
  lk->cpu = 0;
}

void acquire(struct spinlock *lk) {
  push_off();
  if (holding(lk)) {
    printf("lock %s: ", lk->name);
    panic("acquire: already held by this hart");
  }
  // amoswap.w.aq: atomically set locked to 1 and look at the old value.
  while (__sync_lock_test_and_set(&lk->locked, 1) != 0)
    ;
  // Loads and stores of the critical section stay after this point.
  __sync_synchronize();
  lk->cpu = mycpu();
}

void release(struct spinlock *lk) {
  if (!holding(lk)) {
    printf("lock %s: ", lk->name);
    panic("release: not held");
  }
  lk->cpu = 0;
  // Everything done under the lock is visible before the lock reads as free.
  __sync_synchronize();
  __sync_lock_release(&lk->locked);  // amoswap of 0
  pop_off();
}

// Does this hart hold lk? Interrupts must be off.
int holding(struct spinlock *lk) {
  return lk->locked && lk->cpu == mycpu();
}

// Interrupts off, counting nesting; pop_off() undoes one level and turns interrupts
// back on only if they were on before the first push_off().
void push_off(void) {
  int was_on = intr_get();
  intr_off();
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = was_on;
  c->noff++;
}

void pop_off(void) {
  struct cpu *c = mycpu();
  if (intr_get())
    panic("pop_off: interrupts on");
  if (c->noff < 1)
    panic("pop_off: not pushed");
  c->noff--;
  if (c->noff == 0 && c->intena)
    intr_on();
}

// The physical page allocator: every 4096-byte page between the end of the kernel
// image and PHYSTOP, kept on a singly linked free list threaded through the free
// pages themselves. Freed pages are filled with junk so a use after free shows.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "defs.h"

extern char end[];  // first address after the kernel image (kernel.ld)

#define JUNK_FREED 0xfe  // fills pages on kfree()
#define JUNK_NEW 0xa5    // fills pages on kalloc(): callers must initialise them

struct freepage {
  struct freepage *next;
};

static struct {
  struct spinlock lock;
  struct freepage *head;
  uint64 nfree;
} kmem;

void kinit(void) {
  initlock(&kmem.lock, "kmem");
  for (uint64 pa = PGROUNDUP((uint64)end); pa + PGSIZE <= PHYSTOP; pa += PGSIZE)
    kfree((void *)pa);
}

// Return page pa to the free list.
void kfree(void *pa) {
  uint64 a = (uint64)pa;
  if (a % PGSIZE != 0 || a < (uint64)end || a >= PHYSTOP)
    panic("kfree");
  memset(pa, JUNK_FREED, PGSIZE);
  struct freepage *fp = (struct freepage *)pa;
  acquire(&kmem.lock);
  fp->next = kmem.head;
  kmem.head = fp;
  kmem.nfree++;
  release(&kmem.lock);
}

// One page of physical memory (its kernel address, which is its physical address),
// or 0 when memory is exhausted.
void *kalloc(void) {
  acquire(&kmem.lock);
  struct freepage *fp = kmem.head;
  if (fp) {
    kmem.head = fp->next;
    kmem.nfree--;
  }
  release(&kmem.lock);
  if (fp)
    memset(fp, JUNK_NEW, PGSIZE);
  return fp;
}

// Number of free pages (for diagnostics).
uint64 kfreecount(void) {
  acquire(&kmem.lock);
  uint64 n = kmem.nfree;
  release(&kmem.lock);
  return n;
}

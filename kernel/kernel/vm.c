// Virtual memory: Sv39 page tables (privileged spec 4.4) for the kernel and for user
// processes, and copying between kernel and user space.
//
// The kernel page table maps devices and RAM one-to-one, the trampoline at TRAMPOLINE
// and each process's kernel stack below it. A user page table maps the program from
// address 0, one guard page (no U bit), one stack page, a lazily allocated heap up to
// p->sz, and the trap frame and trampoline at the top.
//
// Lazy allocation (the MIT 6.S081 lazy lab): sbrk only raises p->sz; pages between
// the stack and p->sz get a physical page on first touch, from usertrap() (page
// fault) or from walkaddr() (copyin/copyout). So a user range may have holes: unmap,
// copy and free skip them. `make STAGE=n` undoes one step of that work (see the
// STAGE conditionals here and in trap.c).
#include "param.h"
#include "types.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

pagetable_t kernel_pagetable;

extern char etext[];       // end of kernel text (kernel.ld)
extern char trampoline[];  // trampoline.S

#define LEVEL_SPAN(level) (1UL << (PGSHIFT + 9 * (level)))  // bytes one PTE covers

// Map va..va+sz to pa..pa+sz in the kernel page table (boot only: panics on failure).
void kvmmap(pagetable_t kpgtbl, uint64 va, uint64 pa, uint64 sz, int perm) {
  if (mappages(kpgtbl, va, sz, pa, perm) != 0)
    panic("kvmmap");
}

void kvminit(void) {
  pagetable_t kpgtbl = kalloc();
  memset(kpgtbl, 0, PGSIZE);
  kvmmap(kpgtbl, UART0, UART0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpgtbl, VIRTIO0, VIRTIO0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpgtbl, PLIC, PLIC, PLIC_SIZE, PTE_R | PTE_W);
  kvmmap(kpgtbl, KERNBASE, KERNBASE, (uint64)etext - KERNBASE, PTE_R | PTE_X);
  kvmmap(kpgtbl, (uint64)etext, (uint64)etext, PHYSTOP - (uint64)etext, PTE_R | PTE_W);
  kvmmap(kpgtbl, TRAMPOLINE, (uint64)trampoline, PGSIZE, PTE_R | PTE_X);
  proc_mapstacks(kpgtbl);
  kernel_pagetable = kpgtbl;
}

// Turn on paging with the kernel page table on this hart.
void kvminithart(void) {
  sfence_vma();
  csr_write(satp, MAKE_SATP(kernel_pagetable));
  sfence_vma();
}

// The level-0 PTE for va, creating missing page-table pages if alloc is set.
// Returns 0 if a page-table page is missing (and !alloc) or cannot be allocated.
pte_t *walk(pagetable_t pagetable, uint64 va, int alloc) {
  if (va >= MAXVA)
    panic("walk");
  for (int level = 2; level > 0; level--) {
    pte_t *pte = &pagetable[PX(level, va)];
    if (*pte & PTE_V) {
      pagetable = (pagetable_t)PTE2PA(*pte);
      continue;
    }
    if (!alloc)
      return 0;
    pagetable_t next = kalloc();
    if (next == 0)
      return 0;
    memset(next, 0, PGSIZE);
    *pte = PA2PTE(next) | PTE_V;
    pagetable = next;
  }
  return &pagetable[PX(0, va)];
}

// The end of the hole around va if a page-table page on the way to va is missing
// (every va in [va, result) is then unmapped), or va itself if the level-0 table exists.
static uint64 hole_end(pagetable_t pagetable, uint64 va) {
  for (int level = 2; level > 0; level--) {
    pte_t pte = pagetable[PX(level, va)];
    if ((pte & PTE_V) == 0)
      return (va | (LEVEL_SPAN(level) - 1)) + 1;
    pagetable = (pagetable_t)PTE2PA(pte);
  }
  return va;
}

// Map the pages of [va, va + size) to physical pages starting at pa.
// Returns -1 if a page-table page cannot be allocated.
int mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm) {
  if (size == 0)
    panic("mappages: size");
  uint64 a = PGROUNDDOWN(va);
  uint64 last = PGROUNDDOWN(va + size - 1);
  for (;; a += PGSIZE, pa += PGSIZE) {
    pte_t *pte = walk(pagetable, a, 1);
    if (pte == 0)
      return -1;
    if (*pte & PTE_V)
      panic("remap");
    *pte = PA2PTE(pa) | perm | PTE_V;
    if (a == last)
      break;
  }
  return 0;
}

// Give va's page a zeroed physical page, mapped R W U. -1 if out of memory.
static int lazymap(pagetable_t pagetable, uint64 va) {
  char *mem = kalloc();
  if (mem == 0)
    return -1;
  memset(mem, 0, PGSIZE);
  if (mappages(pagetable, PGROUNDDOWN(va), PGSIZE, (uint64)mem, PTE_R | PTE_W | PTE_U) != 0) {
    kfree(mem);
    return -1;
  }
  return 0;
}

// A user page fault at va (from usertrap): allocate the page if va lies in the lazy
// part of p's memory, between the stack page and p->sz. Returns -1 if the process
// should be killed instead: va at or above sz, in the guard page or below it (those
// pages are either mapped already or were never part of the program), or no memory.
int lazyalloc(struct proc *p, uint64 va) {
  if (va >= p->sz)
    return -1;
#if STAGE == 5
  // Stage 5: the guard page is not refused, so the fault is "served" and mappages()
  // meets the guard's existing PTE: panic("remap").
#else
  if (va < p->ustack)
    return -1;
#endif
  return lazymap(p->pagetable, va);
}

// The physical address of user page va (page aligned), or 0 if it is not a user page.
// The copy functions come through here, so a page below p->sz that was never touched
// is allocated now, as the page fault handler would have done.
uint64 walkaddr(pagetable_t pagetable, uint64 va) {
  if (va >= MAXVA)
    return 0;
  pte_t *pte = walk(pagetable, va, 0);
  if (pte == 0 || (*pte & PTE_V) == 0) {
#if STAGE == 3
    // Stage 3: the copy path does not allocate on demand: copyin/copyout fail.
    return 0;
#else
    struct proc *p = myproc();
    if (p == 0 || p->pagetable != pagetable)
      return 0;
#if STAGE == 4
    // Stage 4: the `va0 > sz` slip: a page starting exactly at sz is accepted, so a
    // page outside [0, sz) gets mapped and exit's teardown finds it (freewalk: leaf).
    if (PGROUNDDOWN(va) > p->sz || va < p->ustack)
      return 0;
#else
    if (va >= p->sz || va < p->ustack)
      return 0;
#endif
    if (lazymap(pagetable, va) != 0)
      return 0;
    pte = walk(pagetable, va, 0);
#endif
  }
  if ((*pte & PTE_V) == 0 || (*pte & PTE_U) == 0)
    return 0;
  return PTE2PA(*pte);
}

// An empty user page table (0 if out of memory).
pagetable_t uvmcreate(void) {
  pagetable_t pagetable = kalloc();
  if (pagetable)
    memset(pagetable, 0, PGSIZE);
  return pagetable;
}

// Remove npages mappings starting at va (page aligned), freeing the physical pages if
// do_free. Pages that were never allocated (lazy holes) are skipped.
void uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free) {
  if (va % PGSIZE != 0)
    panic("uvmunmap: not aligned");
  uint64 end = va + npages * PGSIZE;
  uint64 a = va;
  while (a < end) {
    pte_t *pte = walk(pagetable, a, 0);
#if STAGE == 1
    // Stage 1: uvmunmap still expects every page to be there.
    if (pte == 0)
      panic("uvmunmap: walk");
    if ((*pte & PTE_V) == 0)
      panic("uvmunmap: not mapped");
#else
    if (pte == 0) {
      a = hole_end(pagetable, a);  // a whole missing page-table page: skip it at once
      continue;
    }
    if ((*pte & PTE_V) == 0) {
      a += PGSIZE;
      continue;
    }
#endif
    if ((*pte & PTE_LEAF_BITS) == 0)
      panic("uvmunmap: not a leaf");
    if (do_free)
      kfree((void *)PTE2PA(*pte));
    *pte = 0;
    a += PGSIZE;
  }
}

// Grow a process from oldsz to newsz bytes, allocating and mapping every page now
// (exec uses this for program segments and the stack). Returns the new size, or 0
// after undoing everything if memory runs out.
uint64 uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int xperm) {
  if (newsz <= oldsz)
    return oldsz;
  for (uint64 a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE) {
    char *mem = kalloc();
    if (mem == 0) {
      uvmdealloc(pagetable, a, oldsz);
      return 0;
    }
    memset(mem, 0, PGSIZE);
    if (mappages(pagetable, a, PGSIZE, (uint64)mem, PTE_R | PTE_U | xperm) != 0) {
      kfree(mem);
      uvmdealloc(pagetable, a, oldsz);
      return 0;
    }
  }
  return newsz;
}

// Shrink a process from oldsz to newsz bytes, freeing the pages no longer covered.
// Returns the new size.
uint64 uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz) {
  if (newsz >= oldsz)
    return oldsz;
  uint64 from = PGROUNDUP(newsz), to = PGROUNDUP(oldsz);
  if (from < to)
    uvmunmap(pagetable, from, (to - from) / PGSIZE, 1);
  return newsz;
}

// Free the page-table pages themselves; every leaf must already be unmapped.
void freewalk(pagetable_t pagetable) {
  for (int i = 0; i < 512; i++) {
    pte_t pte = pagetable[i];
    if ((pte & PTE_V) == 0)
      continue;
    if (pte & PTE_LEAF_BITS)
      panic("freewalk: leaf");
    freewalk((pagetable_t)PTE2PA(pte));
    pagetable[i] = 0;
  }
  kfree(pagetable);
}

// Free a user address space: the pages of [0, sz), then the page tables.
void uvmfree(pagetable_t pagetable, uint64 sz) {
  if (sz > 0)
    uvmunmap(pagetable, 0, PGROUNDUP(sz) / PGSIZE, 1);
  freewalk(pagetable);
}

// Give the child (new) a copy of every page the parent (old) has in [0, sz).
// Lazy holes stay holes. Returns -1, with nothing left mapped in new, if out of memory.
int uvmcopy(pagetable_t old, pagetable_t new, uint64 sz) {
  uint64 a = 0;
  while (a < sz) {
    pte_t *pte = walk(old, a, 0);
#if STAGE == 2
    // Stage 2: fork still expects every page below sz to exist.
    if (pte == 0 || (*pte & PTE_V) == 0)
      panic("uvmcopy: page not present");
#else
    if (pte == 0) {
      a = hole_end(old, a);
      continue;
    }
    if ((*pte & PTE_V) == 0) {
      a += PGSIZE;
      continue;
    }
#endif
    char *mem = kalloc();
    if (mem == 0)
      goto fail;
    memmove(mem, (char *)PTE2PA(*pte), PGSIZE);
    if (mappages(new, a, PGSIZE, (uint64)mem, PTE_FLAGS(*pte) & ~(PTE_A | PTE_D)) != 0) {
      kfree(mem);
      goto fail;
    }
    a += PGSIZE;
  }
  return 0;

fail:
  uvmunmap(new, 0, PGROUNDUP(a) / PGSIZE, 1);
  return -1;
}

// Take the U bit off va's page: exec's stack guard page.
void uvmclear(pagetable_t pagetable, uint64 va) {
  pte_t *pte = walk(pagetable, va, 0);
  if (pte == 0)
    panic("uvmclear");
  *pte &= ~PTE_U;
}

// Copy len bytes from the kernel to user address dstva. 0 on success, -1 if some
// page is not a writable user page (and cannot be allocated lazily).
int copyout(pagetable_t pagetable, uint64 dstva, char *src, uint64 len) {
  while (len > 0) {
    uint64 va0 = PGROUNDDOWN(dstva);
    uint64 pa0 = walkaddr(pagetable, va0);
    if (pa0 == 0)
      return -1;
    pte_t *pte = walk(pagetable, va0, 0);
    if ((*pte & PTE_W) == 0)
      return -1;
    uint64 n = PGSIZE - (dstva - va0);
    if (n > len)
      n = len;
    memmove((void *)(pa0 + (dstva - va0)), src, n);
    len -= n;
    src += n;
    dstva = va0 + PGSIZE;
  }
  return 0;
}

// Copy len bytes from user address srcva to the kernel. 0 on success, -1 on a bad address.
int copyin(pagetable_t pagetable, char *dst, uint64 srcva, uint64 len) {
  while (len > 0) {
    uint64 va0 = PGROUNDDOWN(srcva);
    uint64 pa0 = walkaddr(pagetable, va0);
    if (pa0 == 0)
      return -1;
    uint64 n = PGSIZE - (srcva - va0);
    if (n > len)
      n = len;
    memmove(dst, (void *)(pa0 + (srcva - va0)), n);
    len -= n;
    dst += n;
    srcva = va0 + PGSIZE;
  }
  return 0;
}

// Copy a NUL-terminated string of at most max bytes (terminator included) from user
// address srcva. 0 on success, -1 on a bad address or if no terminator was found.
int copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max) {
  while (max > 0) {
    uint64 va0 = PGROUNDDOWN(srcva);
    uint64 pa0 = walkaddr(pagetable, va0);
    if (pa0 == 0)
      return -1;
    char *p = (char *)(pa0 + (srcva - va0));
    char *page_end = (char *)(pa0 + PGSIZE);
    while (p < page_end && max > 0) {
      *dst = *p;
      if (*p == 0)
        return 0;
      dst++;
      p++;
      max--;
    }
    srcva = va0 + PGSIZE;
  }
  return -1;
}

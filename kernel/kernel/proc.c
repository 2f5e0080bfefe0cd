// Processes: the process table, creation (userinit, fork), the end of a life (exit,
// wait, kill), the per-hart scheduler, and sleep/wakeup.
//
// Locking: p->lock guards a process's state, chan, killed, xstate and pid. wait_lock
// guards every p->parent and orders exit() against wait(); when both are needed it is
// taken first. A process switching to its scheduler holds its own p->lock, which the
// scheduler releases (and the opposite way when it is resumed).
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

struct cpu cpus[NCPU];
struct proc proc[NPROC];

static struct proc *initproc;
static struct spinlock pid_lock;
static int nextpid = 1;
static struct spinlock wait_lock;

extern char trampoline[];  // trampoline.S

static void forkret(void);
static void freeproc(struct proc *p);

// Give every process slot a kernel stack page, mapped at KSTACK(i) with an unmapped
// guard page below it (called from kvminit, before paging is on).
void proc_mapstacks(pagetable_t kpgtbl) {
  for (int i = 0; i < NPROC; i++) {
    char *pa = kalloc();
    if (pa == 0)
      panic("proc_mapstacks");
    kvmmap(kpgtbl, KSTACK(i), (uint64)pa, PGSIZE, PTE_R | PTE_W);
  }
}

void procinit(void) {
  initlock(&pid_lock, "nextpid");
  initlock(&wait_lock, "wait_lock");
  for (int i = 0; i < NPROC; i++) {
    initlock(&proc[i].lock, "proc");
    proc[i].state = UNUSED;
    proc[i].kstack = KSTACK(i);
  }
}

// The hart id, kept in tp. Only meaningful with interrupts off (else the process may
// move to another hart right after).
int cpuid(void) {
  return (int)r_tp();
}

struct cpu *mycpu(void) {
  return &cpus[cpuid()];
}

// The process running on this hart, or 0.
struct proc *myproc(void) {
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

static int allocpid(void) {
  acquire(&pid_lock);
  int pid = nextpid++;
  release(&pid_lock);
  return pid;
}

// A user page table with only the trampoline and p's trap frame mapped (0 if out of
// memory).
pagetable_t proc_pagetable(struct proc *p) {
  pagetable_t pagetable = uvmcreate();
  if (pagetable == 0)
    return 0;
  if (mappages(pagetable, TRAMPOLINE, PGSIZE, (uint64)trampoline, PTE_R | PTE_X) != 0) {
    uvmfree(pagetable, 0);
    return 0;
  }
  if (mappages(pagetable, TRAPFRAME, PGSIZE, (uint64)p->trapframe, PTE_R | PTE_W) != 0) {
    uvmunmap(pagetable, TRAMPOLINE, 1, 0);
    uvmfree(pagetable, 0);
    return 0;
  }
  return pagetable;
}

// Free a user page table and the user memory [0, sz) it maps (not the trap frame).
void proc_freepagetable(pagetable_t pagetable, uint64 sz) {
  uvmunmap(pagetable, TRAMPOLINE, 1, 0);
  uvmunmap(pagetable, TRAPFRAME, 1, 0);
  uvmfree(pagetable, sz);
}

// Claim an UNUSED slot: a pid, a trap frame, an empty user page table, and a kernel
// context that starts in forkret(). Returns with p->lock held, or 0.
static struct proc *allocproc(void) {
  struct proc *p;
  for (p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state == UNUSED)
      break;
    release(&p->lock);
  }
  if (p == &proc[NPROC])
    return 0;

  p->pid = allocpid();
  p->state = USED;
  p->killed = 0;
  p->xstate = 0;
  p->chan = 0;
  p->sz = 0;
  p->ustack = 0;
  if ((p->trapframe = kalloc()) == 0) {
    freeproc(p);
    release(&p->lock);
    return 0;
  }
  memset(p->trapframe, 0, PGSIZE);
  if ((p->pagetable = proc_pagetable(p)) == 0) {
    freeproc(p);
    release(&p->lock);
    return 0;
  }
  memset(&p->context, 0, sizeof(p->context));
  p->context.ra = (uint64)forkret;
  p->context.sp = p->kstack + PGSIZE;
  return p;
}

// Return a slot to UNUSED, freeing its memory. p->lock must be held.
static void freeproc(struct proc *p) {
  if (p->trapframe)
    kfree(p->trapframe);
  p->trapframe = 0;
  if (p->pagetable)
    proc_freepagetable(p->pagetable, p->sz);
  p->pagetable = 0;
  p->sz = 0;
  p->ustack = 0;
  p->pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->chan = 0;
  p->killed = 0;
  p->xstate = 0;
  p->state = UNUSED;
}

// The first process. It has no user memory yet: its first trip through forkret()
// mounts the file system and execs /init, all in the kernel.
void userinit(void) {
  struct proc *p = allocproc();
  if (p == 0)
    panic("userinit");
  initproc = p;
  safestrcpy(p->name, "initproc", sizeof(p->name));
  p->state = RUNNABLE;
  release(&p->lock);
}

// Where every new process starts running in the kernel: scheduler() switched here
// with p->lock held.
static void forkret(void) {
  static int first = 1;
  struct proc *p = myproc();
  release(&p->lock);
  if (first) {
    // The file system needs a process context (it sleeps on the disk), so it is
    // brought up here rather than in main().
    first = 0;
    fsinit(ROOTDEV);
    p->cwd = namei("/");
    char *argv[] = {"init", 0};
    int r = exec("/init", argv);
    if (r < 0)
      panic("forkret: cannot exec /init");
    p->trapframe->a0 = r;  // argc; exec set a1 = argv
  }
  usertrapret();
}

// Grow (n > 0) or shrink (n < 0) the current process's memory by n bytes. Growth is
// lazy: only p->sz moves, pages come on first touch. Shrinking frees pages now.
// Returns 0, or -1 (size unchanged) if the result would reach TRAPFRAME or go below 0.
int growproc(int n) {
  struct proc *p = myproc();
  uint64 sz = p->sz;
  if (n > 0) {
    if ((uint64)n > TRAPFRAME - sz)
      return -1;
    sz += n;
  } else if (n < 0) {
    uint64 shrink = (uint64)(-(int64)n);
    if (shrink > sz)
      return -1;
    sz = uvmdealloc(p->pagetable, sz, sz - shrink);
  }
  p->sz = sz;
  return 0;
}

// Create a child that is a copy of the current process. Returns the child's pid in the
// parent and (via the child's trap frame) 0 in the child; -1 if out of resources.
int fork(void) {
  struct proc *p = myproc();
  struct proc *np = allocproc();
  if (np == 0)
    return -1;
  if (uvmcopy(p->pagetable, np->pagetable, p->sz) < 0) {
    freeproc(np);
    release(&np->lock);
    return -1;
  }
  np->sz = p->sz;
  np->ustack = p->ustack;
  *np->trapframe = *p->trapframe;
  np->trapframe->a0 = 0;  // fork() returns 0 in the child
  for (int fd = 0; fd < NOFILE; fd++)
    np->ofile[fd] = p->ofile[fd] ? filedup(p->ofile[fd]) : 0;
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof(np->name));
  int pid = np->pid;
  release(&np->lock);

  acquire(&wait_lock);
  np->parent = p;
  release(&wait_lock);

  acquire(&np->lock);
  np->state = RUNNABLE;
  release(&np->lock);
  return pid;
}

// Hand p's children to init. wait_lock must be held.
static void reparent(struct proc *p) {
  for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
    if (pp->parent == p) {
      pp->parent = initproc;
      wakeup(initproc);
    }
  }
}

// End the current process with the given status. It stays a ZOMBIE until its parent
// wait()s for it.
void exit(int status) {
  struct proc *p = myproc();
  if (p == initproc)
    panic("init exiting");

  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  if (p->cwd)
    iput(p->cwd);
  p->cwd = 0;

  acquire(&wait_lock);
  reparent(p);
  wakeup(p->parent);  // the parent may be sleeping in wait()
  acquire(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  release(&wait_lock);

  sched();
  panic("zombie exit");
}

// Wait for a child to exit; store its status at user address addr (if not 0) and
// return its pid. -1 if there are no children or the caller was killed.
int wait(uint64 addr) {
  struct proc *p = myproc();
  acquire(&wait_lock);
  for (;;) {
    int have_children = 0;
    for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
      if (pp->parent != p)
        continue;
      have_children = 1;
      acquire(&pp->lock);
      if (pp->state == ZOMBIE) {
        int pid = pp->pid;
        if (addr != 0 &&
            copyout(p->pagetable, addr, (char *)&pp->xstate, sizeof(pp->xstate)) < 0) {
          release(&pp->lock);
          release(&wait_lock);
          return -1;
        }
        freeproc(pp);
        release(&pp->lock);
        release(&wait_lock);
        return pid;
      }
      release(&pp->lock);
    }
    if (!have_children || killed(p)) {
      release(&wait_lock);
      return -1;
    }
    sleep(p, &wait_lock);  // exit() wakes the parent up
  }
}

// Per-hart scheduler loop: run each RUNNABLE process in turn. A process gives the
// hart back by calling sched() (through yield, sleep or exit).
void scheduler(void) {
  struct cpu *c = mycpu();
  c->proc = 0;
  for (;;) {
    // Interrupts on so devices can wake processes up; then scan with them off.
    intr_on();
    intr_off();
    int ran = 0;
    for (struct proc *p = proc; p < &proc[NPROC]; p++) {
      acquire(&p->lock);
      if (p->state == RUNNABLE) {
        p->state = RUNNING;
        c->proc = p;
        swtch(&c->context, &p->context);
        c->proc = 0;  // the process is back in sched()
        ran = 1;
      }
      release(&p->lock);
    }
    if (!ran) {
      // Nothing to do: sleep until an interrupt (wfi wakes on pending ones even with
      // SIE off, privileged spec 3.3.3).
      asm volatile("wfi");
    }
  }
}

// Switch from the current process to this hart's scheduler. The caller holds p->lock
// (only), has changed p->state, and has interrupts off. intena belongs to the kernel
// thread, not the hart, so it is saved and restored around the switch.
void sched(void) {
  struct proc *p = myproc();
  if (!holding(&p->lock))
    panic("sched: p->lock not held");
  if (mycpu()->noff != 1)
    panic("sched: other locks held");
  if (p->state == RUNNING)
    panic("sched: still RUNNING");
  if (intr_get())
    panic("sched: interrupts on");
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

// Give up the hart for one scheduling round.
void yield(void) {
  struct proc *p = myproc();
  acquire(&p->lock);
  p->state = RUNNABLE;
  sched();
  release(&p->lock);
}

// Atomically release lk and sleep on chan; reacquire lk when woken. Holding p->lock
// from before lk is released until the switch means no wakeup(chan) can be missed.
void sleep(void *chan, struct spinlock *lk) {
  struct proc *p = myproc();
  acquire(&p->lock);
  release(lk);
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = 0;
  release(&p->lock);
  acquire(lk);
}

// Make every process sleeping on chan RUNNABLE. Call with the lock that guards the
// condition held.
void wakeup(void *chan) {
  struct proc *me = myproc();
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p == me)
      continue;
    acquire(&p->lock);
    if (p->state == SLEEPING && p->chan == chan)
      p->state = RUNNABLE;
    release(&p->lock);
  }
}

// Mark process pid killed; it exits when it next returns to user space (or checks
// killed() while sleeping). 0, or -1 if there is no such process.
int kill(int pid) {
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    if (p->pid == pid && p->state != UNUSED) {
      p->killed = 1;
      if (p->state == SLEEPING)
        p->state = RUNNABLE;
      release(&p->lock);
      return 0;
    }
    release(&p->lock);
  }
  return -1;
}

void setkilled(struct proc *p) {
  acquire(&p->lock);
  p->killed = 1;
  release(&p->lock);
}

int killed(struct proc *p) {
  acquire(&p->lock);
  int k = p->killed;
  release(&p->lock);
  return k;
}

// Copy to a user address (user_dst) or a kernel one. 0 or -1.
int either_copyout(int user_dst, uint64 dst, void *src, uint64 len) {
  if (user_dst)
    return copyout(myproc()->pagetable, dst, src, len);
  memmove((void *)dst, src, len);
  return 0;
}

// Copy from a user address (user_src) or a kernel one. 0 or -1.
int either_copyin(void *dst, int user_src, uint64 src, uint64 len) {
  if (user_src)
    return copyin(myproc()->pagetable, dst, src, len);
  memmove(dst, (void *)src, len);
  return 0;
}

// ^P on the console: one line per process. Takes no locks, so it works even when
// the kernel is wedged.
void procdump(void) {
  static char *const names[] = {
      [UNUSED] = "unused", [USED] = "used",         [SLEEPING] = "sleep",
      [RUNNABLE] = "runble", [RUNNING] = "run",     [ZOMBIE] = "zombie",
  };
  printf("\n");
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p->state == UNUSED)
      continue;
    char *state = (p->state >= 0 && p->state < NELEM(names)) ? names[p->state] : "???";
    printf("%d %s %s sz=%lu\n", p->pid, state, p->name, p->sz);
  }
}

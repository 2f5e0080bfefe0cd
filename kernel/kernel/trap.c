// Traps: from user space (usertrap: system calls, lazy-allocation page faults, device
// interrupts, faults that kill the process), the way back (usertrapret), and traps
// taken in the kernel (kerneltrap: device and timer interrupts only).
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

struct spinlock tickslock;
uint ticks;  // timer interrupts on hart 0 since boot (TICK_INTERVAL apart)

extern char trampoline[], uservec[], userret[];  // trampoline.S
void kernelvec(void);                            // kernelvec.S
void usertrap(void);

// What devintr() found.
enum { INTR_NONE, INTR_DEVICE, INTR_TIMER };

void trapinit(void) {
  initlock(&tickslock, "time");
}

// Kernel traps go to kernelvec while this hart is in supervisor mode.
void trapinithart(void) {
  csr_write(stvec, (uint64)kernelvec);
}

static void clockintr(void) {
  if (cpuid() == 0) {
    acquire(&tickslock);
    ticks++;
    wakeup(&ticks);
    release(&tickslock);
  }
  // Writing stimecmp also clears the pending timer interrupt (Sstc).
  csr_write(CSR_STIMECMP, r_time() + TICK_INTERVAL);
}

// Handle a device or timer interrupt, if scause says this trap is one.
static int devintr(void) {
  uint64 scause = csr_read(scause);
  if ((scause & SCAUSE_INTR) == 0)
    return INTR_NONE;
  if (panicked) {
    // Another hart panicked: stop here so its message stays the last word.
    intr_off();
    for (;;)
      ;
  }
  switch (scause & ~SCAUSE_INTR) {
  case IRQ_S_EXT: {
    int irq = plic_claim();
    if (irq == UART0_IRQ)
      uartintr();
    else if (irq == VIRTIO0_IRQ)
      virtio_disk_intr();
    else if (irq != 0)
      printf("devintr: unexpected interrupt irq=%d\n", irq);
    if (irq != 0)
      plic_complete(irq);
    return INTR_DEVICE;
  }
  case IRQ_S_TIMER:
    clockintr();
    return INTR_TIMER;
  default:
    return INTR_NONE;
  }
}

// Entered from uservec (trampoline.S) on any trap from user mode, on the process's
// kernel stack, with the kernel page table.
void usertrap(void) {
  if (csr_read(sstatus) & SSTATUS_SPP)
    panic("usertrap: not from user mode");
  // From now on traps are the kernel's own.
  csr_write(stvec, (uint64)kernelvec);

  struct proc *p = myproc();
  p->trapframe->epc = csr_read(sepc);
  uint64 scause = csr_read(scause);
  int which = INTR_NONE;

  if (scause == EXC_ECALL_U) {
    if (killed(p))
      exit(-1);
    p->trapframe->epc += 4;  // return past the ecall
    intr_on();               // system calls may take a while; sepc etc. are saved
    syscall();
  } else if (scause == EXC_LOAD_PAGE_FAULT || scause == EXC_STORE_PAGE_FAULT) {
    // Lazy allocation: a first touch of a heap page below p->sz gets a zeroed page
    // and the instruction runs again. Anything else is the program's fault.
    uint64 va = csr_read(stval);
    if (lazyalloc(p, va) != 0) {
      printf("usertrap: pid %d (%s): bad %s at va 0x%lx, pc 0x%lx\n", p->pid, p->name,
             scause == EXC_LOAD_PAGE_FAULT ? "load" : "store", va, p->trapframe->epc);
      setkilled(p);
    }
  } else if ((which = devintr()) != INTR_NONE) {
    // handled
  } else {
    printf("usertrap: pid %d (%s): unexpected scause 0x%lx pc 0x%lx stval 0x%lx\n", p->pid,
           p->name, scause, csr_read(sepc), csr_read(stval));
    setkilled(p);
  }

  if (killed(p))
    exit(-1);
  if (which == INTR_TIMER)
    yield();
  usertrapret();
}

// Return to user space through userret, restoring the registers in p->trapframe.
void usertrapret(void) {
  struct proc *p = myproc();

  // Until sret, a trap would go to uservec while still in the kernel: interrupts off.
  intr_off();
  csr_write(stvec, TRAMPOLINE + (uservec - trampoline));

  // What uservec needs on the next trap.
  p->trapframe->kernel_satp = csr_read(satp);
  p->trapframe->kernel_sp = p->kstack + PGSIZE;
  p->trapframe->kernel_trap = (uint64)usertrap;
  p->trapframe->kernel_hartid = r_tp();
  csr_write(sscratch, TRAPFRAME);

  // sret goes to user mode (SPP = 0) with interrupts on (SPIE = 1), at epc.
  uint64 sstatus = csr_read(sstatus);
  sstatus &= ~SSTATUS_SPP;
  sstatus |= SSTATUS_SPIE;
  csr_write(sstatus, sstatus);
  csr_write(sepc, p->trapframe->epc);

  uint64 satp = MAKE_SATP(p->pagetable);
  void (*enter_user)(uint64) = (void (*)(uint64))(TRAMPOLINE + (userret - trampoline));
  enter_user(satp);
}

// Entered from kernelvec on a trap in supervisor mode, on the current kernel stack.
// Only interrupts are expected; any exception is a kernel bug.
void kerneltrap(void) {
  uint64 sepc = csr_read(sepc);
  uint64 sstatus = csr_read(sstatus);
  uint64 scause = csr_read(scause);

  if ((sstatus & SSTATUS_SPP) == 0)
    panic("kerneltrap: not from supervisor mode");
  if (intr_get())
    panic("kerneltrap: interrupts enabled");

  int which = devintr();
  if (which == INTR_NONE) {
    printf("scause 0x%lx sepc 0x%lx stval 0x%lx\n", scause, sepc, csr_read(stval));
    panic("kerneltrap");
  }
  struct proc *p = myproc();
  if (which == INTR_TIMER && p != 0 && p->state == RUNNING)
    yield();

  // yield() may have run other code that took traps: put back this trap's sepc and
  // sstatus for kernelvec's sret.
  csr_write(sepc, sepc);
  csr_write(sstatus, sstatus);
}

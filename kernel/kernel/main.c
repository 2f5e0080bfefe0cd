// The kernel's main(), reached in supervisor mode on every hart. Hart 0 initialises
// each subsystem in order (a table of contents of the kernel) and starts the first
// process; the other harts wait for it, then turn on paging, traps and interrupts.
// Every hart ends in its scheduler.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

static volatile int started = 0;

void main(void) {
  if (cpuid() == 0) {
    consoleinit();     // UART and the console device
    printfinit();
    printf("\nteaching kernel booting (stage %d)\n", STAGE);
    kinit();           // physical page allocator
    kvminit();         // kernel page table
    kvminithart();     // paging on
    procinit();        // process table
    trapinit();        // trap vectors
    trapinithart();
    plicinit();        // interrupt controller
    plicinithart();
    binit();           // buffer cache
    fileinit();        // file table
    virtio_disk_init();
    userinit();        // the first process: runs /init
    __sync_synchronize();
    started = 1;
  } else {
    while (started == 0)
      ;
    __sync_synchronize();
    kvminithart();
    trapinithart();
    plicinithart();
  }
  printf("hart %d starting\n", cpuid());
  scheduler();
}

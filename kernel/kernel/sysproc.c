// The process system calls: fork, exit, wait, kill, getpid, sbrk, sleep, uptime.
// (exec is in exec.c, the file calls in K2's sysfile.c.)
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

uint64 sys_fork(void) {
  return fork();
}

uint64 sys_exit(void) {
  int status;
  argint(0, &status);
  exit(status);
}

uint64 sys_wait(void) {
  uint64 addr;
  argaddr(0, &addr);
  return wait(addr);
}

uint64 sys_kill(void) {
  int pid;
  argint(0, &pid);
  return kill(pid);
}

uint64 sys_getpid(void) {
  return myproc()->pid;
}

// sbrk(n): the old end of memory, or -1. Growth is lazy (see growproc, vm.c).
uint64 sys_sbrk(void) {
  int n;
  argint(0, &n);
  uint64 old = myproc()->sz;
  if (growproc(n) < 0)
    return -1;
  return old;
}

// sleep(n): wait n clock ticks. -1 if killed meanwhile.
uint64 sys_sleep(void) {
  int n;
  argint(0, &n);
  if (n < 0)
    n = 0;
  acquire(&tickslock);
  uint start = ticks;
  while (ticks - start < (uint)n) {
    if (killed(myproc())) {
      release(&tickslock);
      return -1;
    }
    sleep(&ticks, &tickslock);
  }
  release(&tickslock);
  return 0;
}

// uptime(): clock ticks since boot.
uint64 sys_uptime(void) {
  acquire(&tickslock);
  uint t = ticks;
  release(&tickslock);
  return t;
}

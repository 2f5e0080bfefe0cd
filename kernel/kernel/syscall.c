// System call dispatch. The numbers and the table from number to sys_ handler are
// generated from ../syscalls.list (gen-syscalls.sh -> build/gen/syscall_table.h).
// Handlers fetch their arguments with argint/argaddr/argstr: the user's a0..a5, as
// saved in the trap frame.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"
#define SYSCALL_TABLE
#include "syscall_table.h"

// Read the uint64 at user address addr. 0, or -1 if it is not inside the process.
int fetchaddr(uint64 addr, uint64 *ip) {
  struct proc *p = myproc();
  if (addr >= p->sz || p->sz - addr < sizeof(uint64))
    return -1;
  if (copyin(p->pagetable, (char *)ip, addr, sizeof(*ip)) != 0)
    return -1;
  return 0;
}

// Copy the string at user address addr into buf (at most max bytes with the NUL).
// Its length, or -1.
int fetchstr(uint64 addr, char *buf, int max) {
  struct proc *p = myproc();
  if (copyinstr(p->pagetable, buf, addr, max) < 0)
    return -1;
  return strlen(buf);
}

static uint64 argraw(int n) {
  struct trapframe *tf = myproc()->trapframe;
  switch (n) {
  case 0:
    return tf->a0;
  case 1:
    return tf->a1;
  case 2:
    return tf->a2;
  case 3:
    return tf->a3;
  case 4:
    return tf->a4;
  case 5:
    return tf->a5;
  default:
    panic("argraw");
  }
}

// Argument n as an int. Always 0: the value itself is checked where it is used.
int argint(int n, int *ip) {
  *ip = (int)argraw(n);
  return 0;
}

// Argument n as a user address. Always 0: copyin/copyout check the address.
int argaddr(int n, uint64 *ip) {
  *ip = argraw(n);
  return 0;
}

// Argument n as a user string copied into buf. Its length, or -1.
int argstr(int n, char *buf, int max) {
  uint64 addr;
  argaddr(n, &addr);
  return fetchstr(addr, buf, max);
}

void syscall(void) {
  struct proc *p = myproc();
  uint64 num = p->trapframe->a7;
  if (num > 0 && num < NSYSCALL && syscall_table[num]) {
    p->trapframe->a0 = syscall_table[num]();
  } else {
    printf("pid %d (%s): unknown system call %lu\n", p->pid, p->name, num);
    p->trapframe->a0 = -1;
  }
}

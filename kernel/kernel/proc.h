// Processes and harts: struct cpu (per hart), struct proc (per process), the trap
// frame the trampoline saves user registers into, and the context swtch() saves.
#ifndef PROC_H
#define PROC_H
#include "param.h"
#include "spinlock.h"

// Callee-saved registers of a kernel thread, saved and restored by swtch().
struct context {
  uint64 ra;
  uint64 sp;
  uint64 s[12];  // s0..s11
};

// One hart.
struct cpu {
  struct proc *proc;       // process running here, or 0 while in the scheduler
  struct context context;  // the scheduler's registers; swtch() here to enter it
  int noff;                // depth of push_off() nesting
  int intena;              // were interrupts on before the outermost push_off()?
};
extern struct cpu cpus[NCPU];

// The page the trampoline saves a process's user registers into (mapped at TRAPFRAME
// in the user page table). x1..x31 sit at (n - 1) * 8, so the trampoline can store
// them in register-number order; the kernel_ fields are filled by usertrapret() and
// read by uservec. Offsets are fixed: trampoline.S uses them.
struct trapframe {
  /*   0 */ uint64 ra;   // x1
  /*   8 */ uint64 sp;   // x2
  /*  16 */ uint64 gp;   // x3
  /*  24 */ uint64 tp;   // x4
  /*  32 */ uint64 t0;
  /*  40 */ uint64 t1;
  /*  48 */ uint64 t2;
  /*  56 */ uint64 s0;   // x8
  /*  64 */ uint64 s1;
  /*  72 */ uint64 a0;   // x10
  /*  80 */ uint64 a1;
  /*  88 */ uint64 a2;
  /*  96 */ uint64 a3;
  /* 104 */ uint64 a4;
  /* 112 */ uint64 a5;
  /* 120 */ uint64 a6;
  /* 128 */ uint64 a7;   // x17
  /* 136 */ uint64 s2;   // x18
  /* 144 */ uint64 s3;
  /* 152 */ uint64 s4;
  /* 160 */ uint64 s5;
  /* 168 */ uint64 s6;
  /* 176 */ uint64 s7;
  /* 184 */ uint64 s8;
  /* 192 */ uint64 s9;
  /* 200 */ uint64 s10;
  /* 208 */ uint64 s11;  // x27
  /* 216 */ uint64 t3;
  /* 224 */ uint64 t4;
  /* 232 */ uint64 t5;
  /* 240 */ uint64 t6;   // x31
  /* 248 */ uint64 epc;            // user pc: where sret returns to
  /* 256 */ uint64 kernel_satp;    // the kernel page table
  /* 264 */ uint64 kernel_sp;      // top of this process's kernel stack
  /* 272 */ uint64 kernel_trap;    // usertrap()
  /* 280 */ uint64 kernel_hartid;  // tp for the kernel
};

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
  struct spinlock lock;

  // Guarded by lock.
  enum procstate state;
  void *chan;       // what a SLEEPING process waits for
  int killed;       // kill() was called: exit at the next chance
  int xstate;       // exit status, for the parent's wait()
  int pid;

  // Guarded by wait_lock (proc.c).
  struct proc *parent;

  // Private to the process (or to whoever holds lock while it is not running).
  uint64 kstack;                // virtual address of the kernel stack's bottom
  uint64 sz;                    // bytes of user memory: [0, sz); the heap may be lazy
  uint64 ustack;                // base of the user stack page; the guard page is below it
  pagetable_t pagetable;        // user page table
  struct trapframe *trapframe;  // physical (= kernel) address of the TRAPFRAME page
  struct context context;       // swtch() here to run the process in the kernel
  struct file *ofile[NOFILE];   // open files
  struct inode *cwd;            // current directory
  char name[16];                // program name, for ^P and panics
};
extern struct proc proc[NPROC];
#endif

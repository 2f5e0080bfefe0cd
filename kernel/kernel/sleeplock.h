// Sleep locks: long-held locks (disk buffers, inodes) whose waiters sleep, not spin.
#ifndef SLEEPLOCK_H
#define SLEEPLOCK_H
#include "spinlock.h"
struct sleeplock {
  uint locked;          // held?
  struct spinlock lk;   // guards this structure
  char *name;
  int pid;              // holder
};
#endif

// The harness shared by the test programs (lazytests, usertests); included by each, so
// it adds no object files to the build. A program defines a table of cases
// {name, function, flags} and calls run_tests(). Each case runs in a child process:
// it passes when that child exits 0, and fails when it exits otherwise or is killed.
// Inside a case, CHECK(cond) ends the child with a message when cond is false, and
// dies() runs a bad access in a grandchild and reports whether the kernel killed it.
#ifndef TESTLIB_H
#define TESTLIB_H

#define TEST_SLOW 1   // skipped by -q

// The address-space facts the memory cases probe (PGSIZE, MAXVA, TRAMPOLINE, TRAPFRAME,
// KERNBASE) come from the kernel's own memory map, so the two cannot drift apart.
#include "kernel/memlayout.h"
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(uint64)(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(uint64)(PGSIZE - 1))

// The exit status the kernel gives a process it kills (bad access, kill()).
#define KILLED_STATUS (-1)

struct test {
  const char *name;
  void (*fn)(void);
  int flags;
};

#define CHECK(cond) \
  do { \
    if(!(cond)) \
      check_failed(__FILE__, __LINE__, #cond); \
  } while(0)

static void __attribute__((noreturn, unused))
check_failed(const char *file, int line, const char *what)
{
  fprintf(2, "  %s:%d: check failed: %s\n", file, line, what);
  exit(1);
}

// Exit status a child uses to say "the bad access did not kill me".
#define SURVIVED 42

// Runs fn(arg) in a child; returns 1 when the kernel killed that child.
static int __attribute__((unused))
dies(void (*fn)(uint64), uint64 arg)
{
  int pid = fork();
  if(pid < 0)
    return 0;
  if(pid == 0){
    fn(arg);
    exit(SURVIVED);
  }
  int status = 0;
  if(wait(&status) != pid)
    return 0;
  return status == KILLED_STATUS;
}

static void __attribute__((unused))
load_byte(uint64 addr)
{
  volatile char *p = (volatile char *)addr;
  char c = *p;
  (void)c;
}

static void __attribute__((unused))
store_byte(uint64 addr)
{
  volatile char *p = (volatile char *)addr;
  *p = 'x';
}

// Runs the cases named in argv (all when none is named; -q skips TEST_SLOW cases).
// Prints "test NAME: OK|FAILED" for each (-v adds the clock ticks each case took) and
// returns the number of failures.
static int __attribute__((unused))
run_tests(const struct test *tests, int ntests, int argc, char *argv[])
{
  int quick = 0, verbose = 0, named = 0, failed = 0;
  for(int i = 1; i < argc; i++){
    if(strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "-v") == 0){
      quick |= argv[i][1] == 'q';
      verbose |= argv[i][1] == 'v';
      continue;
    }
    named++;
    int known = 0;
    for(int t = 0; t < ntests; t++)
      if(strcmp(argv[i], tests[t].name) == 0)
        known = 1;
    if(!known){
      printf("test %s: FAILED (no such test)\n", argv[i]);
      failed++;
    }
  }
  for(int t = 0; t < ntests; t++){
    const struct test *tc = &tests[t];
    if(named){
      int wanted = 0;
      for(int i = 1; i < argc; i++)
        if(strcmp(argv[i], tc->name) == 0)
          wanted = 1;
      if(!wanted)
        continue;
    } else if(quick && (tc->flags & TEST_SLOW)){
      continue;
    }
    int start = uptime();
    int pid = fork();
    if(pid < 0){
      printf("test %s: FAILED (fork)\n", tc->name);
      failed++;
      continue;
    }
    if(pid == 0){
      tc->fn();
      exit(0);
    }
    int status = -1;
    int ok = wait(&status) == pid && status == 0;
    failed += !ok;
    if(verbose)
      printf("test %s: %s (%d ticks)\n", tc->name, ok ? "OK" : "FAILED", uptime() - start);
    else
      printf("test %s: %s\n", tc->name, ok ? "OK" : "FAILED");
  }
  return failed;
}

#endif

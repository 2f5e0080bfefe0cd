// lazytests: checks lazy page allocation. sbrk() only moves the end of the heap; the
// kernel allocates a page when the program first touches it, and must free, copy and
// refuse pages correctly around that. Cases:
//   sparse_memory        a 1 GiB heap with a scattered subset of pages used, then shrunk
//   sparse_memory_unmap  touching a sparse heap after shrinking it kills the process
//   oom                  touching more memory than the machine has: killed or refused,
//                        and the memory comes back afterwards
// Usage: lazytests [-q] [-v] [case...]. Ends with "ALL TESTS PASSED" when every case passes.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"
#include "user/testlib.h"

#define REGION (1L << 30)   // the sparse heap: 1 GiB, far more than RAM
#define STRIDE 64           // use every STRIDE-th page of it (16 MiB in all)

// The byte offset used within page i, and the value stored there.
static uint64
spot(uint64 i)
{
  return i * PGSIZE + (i * 97) % PGSIZE;
}

static char
mark(uint64 i)
{
  return (char)(i * 31 + 7);
}

static void
sparse_memory(void)
{
  char *before = sbrk(0);
  char *base = sbrk(REGION);
  CHECK(base != (char *)-1);
  CHECK(base == before);
  CHECK(sbrk(0) == base + REGION);
  for(uint64 i = 0; i < REGION / PGSIZE; i += STRIDE)
    base[spot(i)] = mark(i);
  for(uint64 i = 0; i < REGION / PGSIZE; i += STRIDE)
    CHECK(base[spot(i)] == mark(i));
  // A page between the used ones reads as zero (and is allocated by that read).
  CHECK(base[(STRIDE / 2) * PGSIZE] == 0);
  // Giving the region back frees the used pages and skips the never-touched ones.
  CHECK(sbrk(-REGION) == base + REGION);
  CHECK(sbrk(0) == base);
}

static void
touch_freed(uint64 addr)
{
  store_byte(addr);
}

static void
sparse_memory_unmap(void)
{
  for(int k = 0; k < 8; k++){
    int pid = fork();
    CHECK(pid >= 0);
    if(pid == 0){
      char *base = sbrk(REGION);
      if(base == (char *)-1)
        exit(2);
      for(uint64 i = 0; i < REGION / PGSIZE; i += STRIDE * 16)
        base[spot(i)] = mark(i);
      if(sbrk(-REGION) == (char *)-1)
        exit(3);
      // Each child touches a different address of the freed region: some were used,
      // some were never touched; all must kill.
      uint64 victim = (uint64)base + (REGION / 8) * k + (k & 1 ? 0 : PGSIZE * 5 + 123);
      touch_freed(victim);
      exit(SURVIVED);
    }
    int status = 0;
    CHECK(wait(&status) == pid);
    CHECK(status == KILLED_STATUS);
  }
}

// Touches 1 MiB at a time until the kernel refuses sbrk (exit 0) or kills the process.
static void
eat_memory(void)
{
  for(int mib = 0; mib < 1024; mib++){
    char *p = sbrk(1 << 20);
    if(p == (char *)-1)
      exit(0);
    for(int off = 0; off < (1 << 20); off += PGSIZE)
      p[off] = 1;
  }
  exit(SURVIVED);   // 1 GiB of RAM on a 128 MiB machine: impossible
}

static void
oom(void)
{
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0)
    eat_memory();
  int status = 0;
  CHECK(wait(&status) == pid);
  CHECK(status == 0 || status == KILLED_STATUS);
  // The kernel survived; the memory must have come back: use 16 MiB for real.
  char *p = sbrk(16 << 20);
  CHECK(p != (char *)-1);
  for(int off = 0; off < (16 << 20); off += PGSIZE)
    p[off] = (char)off;
  CHECK(p[(16 << 20) - PGSIZE] == (char)((16 << 20) - PGSIZE));
}

static const struct test tests[] = {
  { "sparse_memory", sparse_memory, 0 },
  { "sparse_memory_unmap", sparse_memory_unmap, 0 },
  { "oom", oom, 0 },
};

int
main(int argc, char *argv[])
{
  int failed = run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
  printf(failed ? "SOME TESTS FAILED\n" : "ALL TESTS PASSED\n");
  return failed ? 1 : 0;
}

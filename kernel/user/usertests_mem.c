// usertests, memory cases: sbrk with lazy allocation (pages appear when first touched,
// below sz only), the guard page under the user stack, and system calls handed bad
// addresses (kernel memory, the trap frame and trampoline, >= MAXVA, above sz). A bad
// address passed to a system call must make it return -1; a bad load or store by the
// program itself must kill the process. Neither may crash the kernel.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"
#include "user/testlib.h"
#include "user/usertests.h"

#define MIB (1 << 20)

// Grows the heap to a page boundary and returns that boundary (the new sz).
static char *
align_heap(void)
{
  uint64 top = (uint64)sbrk(0);
  if(top % PGSIZE != 0)
    sbrk(PGSIZE - top % PGSIZE);
  return sbrk(0);
}

// Addresses no system call may read or write on the program's behalf. The last entry
// is filled in at run time with an address above sz.
static uint64 bad_addrs[] = {
  KERNBASE, KERNBASE + 0x12345, TRAPFRAME, TRAMPOLINE, MAXVA, MAXVA + PGSIZE,
  1UL << 63, 0xffffffffffffffffUL, 0xfffffffffffff000UL, 0,
};
#define NBAD (sizeof(bad_addrs) / sizeof(bad_addrs[0]))

static void
fill_bad_addrs(void)
{
  bad_addrs[NBAD - 1] = (uint64)sbrk(0) + 16 * PGSIZE;
}

void
sbrkbasic(void)
{
  char *a = sbrk(0);
  char *b = sbrk(100);
  CHECK(b == a);
  CHECK(sbrk(0) == a + 100);
  for(int i = 0; i < 100; i++)
    b[i] = (char)i;
  // Grow one byte at a time, across several page boundaries.
  char *prev = sbrk(0);
  for(int i = 0; i < 2 * PGSIZE + 100; i++){
    char *p = sbrk(1);
    CHECK(p == prev);
    *p = (char)(i + 1);
    prev = p + 1;
  }
  for(int i = 0; i < 100; i++)
    CHECK(b[i] == (char)i);
  // A child sees the same heap contents.
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0){
    for(int i = 0; i < 100; i++)
      CHECK(b[i] == (char)i);
    CHECK(b[100 + 2 * PGSIZE] == (char)(2 * PGSIZE + 1));
    exit(0);
  }
  int status = -1;
  CHECK(wait(&status) == pid && status == 0);
  // Shrink back to where we started.
  CHECK(sbrk(-(int)(sbrk(0) - a)) != (char *)-1);
  CHECK(sbrk(0) == a);
}

void
sbrkmuch(void)
{
  int big = 64 * MIB;
  char *a = align_heap();
  char *p = sbrk(big);
  CHECK(p == a);
  for(int off = 0; off < big; off += 16 * PGSIZE)
    p[off] = 'm';
  p[big - 1] = 'e';
  for(int off = 0; off < big; off += 16 * PGSIZE)
    CHECK(p[off] == 'm');
  CHECK(p[big - 1] == 'e');
  CHECK(sbrk(-big) == a + big);
  CHECK(sbrk(0) == a);
  // Memory handed out again starts zeroed.
  char *q = sbrk(big);
  CHECK(q == a);
  CHECK(q[0] == 0 && q[16 * PGSIZE] == 0 && q[big - 1] == 0);
  CHECK(sbrk(-big) == a + big);
}

void
sbrkdealloc(void)
{
  char *a = align_heap();
  char *p = sbrk(10 * PGSIZE);
  CHECK(p == a);
  for(int i = 0; i < 10; i++)
    p[i * PGSIZE + i] = 'd';
  CHECK(sbrk(-10 * PGSIZE) == a + 10 * PGSIZE);
  CHECK(dies(load_byte, (uint64)a));
  CHECK(dies(store_byte, (uint64)a + 9 * PGSIZE + 9));
  // Growing again gives fresh zeroed pages.
  CHECK(sbrk(2 * PGSIZE) == a);
  CHECK(a[0] == 0 && a[PGSIZE + 1] == 0);
}

// Touches 1 MiB at a time until the kernel refuses sbrk (exit 0) or kills the process.
static void __attribute__((noreturn))
eat_memory(void)
{
  for(int mib = 0; mib < 1024; mib++){
    char *p = sbrk(MIB);
    if(p == (char *)-1)
      exit(0);
    for(int off = 0; off < MIB; off += PGSIZE)
      p[off] = 1;
  }
  exit(SURVIVED);   // 1 GiB of RAM on a 128 MiB machine: impossible
}

// Checks that 16 MiB can be allocated and used for real, i.e. memory came back.
static void
memory_returned(void)
{
  char *p = sbrk(16 * MIB);
  CHECK(p != (char *)-1);
  for(int off = 0; off < 16 * MIB; off += PGSIZE)
    p[off] = (char)(off >> 12);
  for(int off = 0; off < 16 * MIB; off += PGSIZE)
    CHECK(p[off] == (char)(off >> 12));
  CHECK(sbrk(-16 * MIB) != (char *)-1);
}

void
sbrkfail(void)
{
  // One process, then three at once, run the machine out of memory.
  for(int round = 1; round <= 3; round += 2){
    for(int i = 0; i < round; i++){
      int pid = fork();
      CHECK(pid >= 0);
      if(pid == 0)
        eat_memory();
    }
    for(int i = 0; i < round; i++){
      int status = 1;
      CHECK(wait(&status) > 0);
      CHECK(status == 0 || status == KILLED_STATUS);
    }
    memory_returned();
  }
}

void
sbrkarg(void)
{
  char *a = align_heap();
  int fd = open("sbrkarg.tmp", O_CREATE | O_RDWR | O_TRUNC);
  CHECK(fd >= 0);
  // write() from heap pages the program never touched: copyin must allocate them.
  char *untouched = sbrk(2 * PGSIZE);
  CHECK(untouched == a);
  CHECK(write(fd, untouched, 2 * PGSIZE) == 2 * PGSIZE);
  char pattern[64];
  for(int i = 0; i < sizeof(pattern); i++)
    pattern[i] = 'A' + i % 26;
  CHECK(write(fd, pattern, sizeof(pattern)) == sizeof(pattern));
  close(fd);
  // read() into untouched pages: copyout must allocate them.
  fd = open("sbrkarg.tmp", O_RDONLY);
  CHECK(fd >= 0);
  char *in = sbrk(3 * PGSIZE);
  CHECK(in != (char *)-1);
  int want = 2 * PGSIZE + sizeof(pattern);
  CHECK(read(fd, in, want) == want);
  for(int i = 0; i < 2 * PGSIZE; i += 97)
    CHECK(in[i] == 0);
  CHECK(memcmp(in + 2 * PGSIZE, pattern, sizeof(pattern)) == 0);
  // fstat() into an untouched page.
  struct stat *st = (struct stat *)sbrk(PGSIZE);
  CHECK(fstat(fd, st) == 0);
  CHECK(st->type == T_FILE && st->size == want);
  close(fd);
  CHECK(unlink("sbrkarg.tmp") == 0);
  // pipe() storing its descriptors, then data through it, all in untouched pages.
  int *fds = (int *)sbrk(PGSIZE);
  CHECK(pipe(fds) == 0);
  char *out = sbrk(PGSIZE);
  CHECK(write(fds[1], out, 100) == 100);
  CHECK(write(fds[1], pattern, 10) == 10);
  char *back = sbrk(PGSIZE);
  CHECK(read(fds[0], back, 110) == 110);
  CHECK(back[0] == 0 && back[99] == 0 && memcmp(back + 100, pattern, 10) == 0);
  close(fds[0]);
  close(fds[1]);
  // wait() storing the exit status into an untouched page. (The page is added after
  // fork, so this case does not also test fork of a sparse heap; sparsefork does.)
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0)
    exit(3);
  int *status = (int *)sbrk(PGSIZE);
  CHECK(wait(status) == pid && *status == 3);
}

void
sbrklast(void)
{
  align_heap();
  char *p = sbrk(2 * PGSIZE + 123);   // sz now ends in the middle of a page
  CHECK(p != (char *)-1);
  char *end = sbrk(0);
  CHECK(end == p + 2 * PGSIZE + 123);
  end[-1] = 'L';
  CHECK(end[-1] == 'L');
  char *q = sbrk(PGSIZE);
  CHECK(q == end);
  q[PGSIZE - 1] = 'Q';
  CHECK(q[PGSIZE - 1] == 'Q' && end[-1] == 'L');
}

// In a child: gives back the whole address space below sz, program text included, so
// returning from sbrk fetches an instruction from an unmapped page.
static void
shrink_everything(uint64 unused)
{
  sbrk(-(int)(uint64)sbrk(0));
}

void
sbrkneg(void)
{
  char *top = sbrk(0);
  CHECK(sbrk(-(int)(uint64)top - PGSIZE) == (char *)-1);   // below address 0
  CHECK(sbrk(-0x7fffffff - 1) == (char *)-1);
  CHECK(sbrk(0) == top);
  CHECK(dies(shrink_everything, 0));
}

// In a child: grows the heap as far as the kernel allows, uses its last byte, then
// stores just above it, which must kill.
static void
grow_to_limit(uint64 unused)
{
  char *start = sbrk(0);
  int refused = 0;
  for(int i = 0; i < 300 && !refused; i++)
    refused = sbrk(1 << 30) == (char *)-1;
  if(!refused)
    exit(2);
  // Creep up on the limit with smaller steps.
  for(int step = 1 << 29; step >= PGSIZE; step >>= 1)
    while(sbrk(step) != (char *)-1)
      ;
  uint64 top = (uint64)sbrk(0);
  if(top <= (uint64)start || top > TRAPFRAME)
    exit(3);
  if(sbrk(PGSIZE) != (char *)-1 || (uint64)sbrk(0) != top)
    exit(4);   // a refused sbrk must leave sz alone
  store_byte(top - 1);
  if(*(char *)(top - 1) != 'x')
    exit(5);
  store_byte(PGROUNDUP(top));
}

void
sbrk8000(void)
{
  CHECK(dies(grow_to_limit, 0));
}

static void
below_stack(uint64 store)
{
  volatile char here;   // lives in the user stack page
  uint64 guard_top = PGROUNDDOWN((uint64)&here) - 1;
  if(store)
    store_byte(guard_top);
  else
    load_byte(guard_top);
}

void
stacktest(void)
{
  volatile char here;
  load_byte(PGROUNDDOWN((uint64)&here));   // the bottom of the stack page is fine
  CHECK(dies(below_stack, 0));
  CHECK(dies(below_stack, 1));
}

void
argptest(void)
{
  char *top = align_heap();
  int fd = open("argptest.tmp", O_CREATE | O_RDWR | O_TRUNC);
  CHECK(fd >= 0);
  CHECK(write(fd, "abcdefghijklmnopqrstuvwxyz", 26) == 26);
  close(fd);
  fd = open("argptest.tmp", O_RDONLY);
  CHECK(fd >= 0);
  // The last byte below sz is fine; anything from sz on is not.
  CHECK(read(fd, top - 1, 1) == 1);
  CHECK(top[-1] == 'a');
  CHECK(read(fd, top - 1, 10) != 10);
  CHECK(read(fd, top, 1) == -1);
  CHECK(read(fd, top + 5 * PGSIZE, 1) == -1);
  close(fd);
  fd = open("argptest.tmp", O_WRONLY);
  CHECK(fd >= 0);
  CHECK(write(fd, top - 1, 2) != 2);
  CHECK(write(fd, top, 1) == -1);
  close(fd);
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK(write(p[1], "zz", 2) == 2);
  CHECK(read(p[0], top, 2) == -1);
  close(p[0]);
  close(p[1]);
  CHECK(unlink("argptest.tmp") == 0);
}

void
copyin_bad(void)
{
  fill_bad_addrs();
  int fd = open("copyin.tmp", O_CREATE | O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  int p[2];
  CHECK(pipe(p) == 0);
  for(int i = 0; i < NBAD; i++){
    if(bad_addrs[i] == 0)
      continue;
    CHECK(write(fd, (void *)bad_addrs[i], 8192) == -1);
    CHECK(write(p[1], (void *)bad_addrs[i], 8192) == -1);
  }
  close(fd);
  close(p[0]);
  close(p[1]);
  CHECK(unlink("copyin.tmp") == 0);
}

void
copyout_bad(void)
{
  fill_bad_addrs();
  static char data[8192];
  int fd = open("copyout.tmp", O_CREATE | O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  CHECK(write(fd, data, sizeof(data)) == sizeof(data));
  close(fd);
  for(int i = 0; i < NBAD; i++){
    if(bad_addrs[i] == 0)
      continue;
    void *bad = (void *)bad_addrs[i];
    fd = open("copyout.tmp", O_RDONLY);
    CHECK(fd >= 0);
    CHECK(read(fd, bad, 8192) == -1);
    CHECK(fstat(fd, bad) == -1);
    close(fd);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(write(p[1], "x", 1) == 1);
    CHECK(read(p[0], bad, 1) == -1);
    close(p[0]);
    close(p[1]);
    CHECK(pipe(bad) == -1);
  }
  CHECK(unlink("copyout.tmp") == 0);
}

void
copyinstr_bad(void)
{
  fill_bad_addrs();
  char *args[] = { "echo", "copyinstr_bad: exec must fail", 0 };
  for(int i = 0; i < NBAD; i++){
    if(bad_addrs[i] == 0)
      continue;
    char *bad = (char *)bad_addrs[i];
    CHECK(open(bad, O_RDONLY) == -1);
    CHECK(open(bad, O_CREATE | O_RDWR) == -1);
    CHECK(mkdir(bad) == -1);
    CHECK(chdir(bad) == -1);
    CHECK(unlink(bad) == -1);
    CHECK(link(bad, "copyinstr.tmp") == -1);
    CHECK(link("echo", bad) == -1);
    CHECK(exec(bad, args) == -1);
  }
  // A string that runs into sz without a terminating NUL.
  char *top = align_heap();
  char *s = sbrk(PGSIZE);
  CHECK(s == top);
  memset(s, 'e', PGSIZE);
  CHECK(open(s + PGSIZE - 4, O_RDONLY) == -1);
  // A string longer than MAXPATH.
  CHECK(open(s, O_RDONLY) == -1);
}

void
kernmem(void)
{
  for(uint64 a = KERNBASE; a < KERNBASE + 128 * MIB; a += 16 * MIB + 12345)
    CHECK(dies(load_byte, a));
  CHECK(dies(store_byte, KERNBASE + 0x1000));
  CHECK(dies(load_byte, TRAPFRAME));
  CHECK(dies(store_byte, TRAPFRAME + 8));
  CHECK(dies(load_byte, TRAMPOLINE));
  CHECK(dies(store_byte, TRAMPOLINE));
}

void
MAXVAplus(void)
{
  for(uint64 a = MAXVA; a != 0; a <<= 1){
    CHECK(dies(store_byte, a));
    CHECK(dies(load_byte, a + 7));
  }
  CHECK(dies(load_byte, 0xffffffffffffffffUL));
}

void
sparsefork(void)
{
  int region = 64 * MIB;
  int npages = region / PGSIZE;
  align_heap();
  char *base = sbrk(region);
  CHECK(base != (char *)-1);
  for(int i = 0; i < npages; i += 256)
    base[i * PGSIZE + i % PGSIZE] = (char)(i * 3 + 1);
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0){
    for(int i = 0; i < npages; i += 256)
      CHECK(base[i * PGSIZE + i % PGSIZE] == (char)(i * 3 + 1));
    CHECK(base[128 * PGSIZE] == 0);   // never touched by the parent
    base[0] = 99;                     // the child's copy only
    base[129 * PGSIZE] = 98;
    exit(0);
  }
  int status = -1;
  CHECK(wait(&status) == pid && status == 0);
  CHECK(base[0] == 1);
  CHECK(base[129 * PGSIZE] == 0);
  for(int i = 0; i < npages; i += 256)
    CHECK(base[i * PGSIZE + i % PGSIZE] == (char)(i * 3 + 1));
}

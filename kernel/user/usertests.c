// usertests: the kernel's regression suite. Each case runs in its own child process
// (see testlib.h) and prints "test NAME: OK" or "test NAME: FAILED"; the last line is
// "ALL TESTS PASSED" or "SOME TESTS FAILED". Memory cases are in usertests_mem.c, file
// cases in usertests_fs.c; this file holds the process cases and the table.
// Usage: usertests [-q] [-v] [case...]   (-q skips the slow cases)
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"
#include "user/testlib.h"
#include "user/usertests.h"

// Runs exec(path, argv) in a child; returns 1 when exec returned (failed) there.
static int
exec_fails(const char *path, char **argv)
{
  int pid = fork();
  if(pid < 0)
    return 0;
  if(pid == 0){
    exec(path, argv);
    exit(7);
  }
  int status = -1;
  if(wait(&status) != pid)
    return 0;
  return status == 7;
}

static void
execbad(void)
{
  char *ok_args[] = { "echo", "execbad: this exec should have failed", 0 };
  CHECK(exec_fails("no-such-program", ok_args));
  CHECK(exec_fails(".", ok_args));
  CHECK(exec_fails("echo", (char **)KERNBASE));
  CHECK(exec_fails("echo", (char **)0xffffffffffffffffUL));
  CHECK(exec_fails("echo", (char **)MAXVA));
  char *bad_string[] = { "echo", (char *)KERNBASE, 0 };
  CHECK(exec_fails("echo", bad_string));
  char *bad_string2[] = { "echo", (char *)(MAXVA + 64), 0 };
  CHECK(exec_fails("echo", bad_string2));
  // More arguments than MAXARG.
  static char *many[MAXARG + 2];
  for(int i = 0; i <= MAXARG; i++)
    many[i] = "x";
  many[MAXARG + 1] = 0;
  CHECK(exec_fails("echo", many));
  // An argv array that runs into sz without a terminating null pointer.
  uint64 top = (uint64)sbrk(0);
  if(top % PGSIZE)
    sbrk(PGSIZE - top % PGSIZE);
  char **tail = (char **)sbrk(PGSIZE);
  CHECK(tail != (char **)-1);
  for(int i = 0; i < PGSIZE / sizeof(char *); i++)
    tail[i] = "y";
  CHECK(exec_fails("echo", tail + PGSIZE / sizeof(char *) - 4));
  // A file that is not an ELF program.
  int fd = open("notelf.tmp", O_CREATE | O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  for(int i = 0; i < 20; i++)
    CHECK(write(fd, "this is not a program\n", 22) == 22);
  close(fd);
  CHECK(exec_fails("notelf.tmp", ok_args));
  CHECK(unlink("notelf.tmp") == 0);
}

static void
exectest(void)
{
  unlink("exec.out");
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0){
    close(1);
    if(open("exec.out", O_CREATE | O_WRONLY | O_TRUNC) != 1)
      exit(2);
    char *args[] = { "echo", "hello", "exec", "world", 0 };
    exec("echo", args);
    exit(3);
  }
  int status = -1;
  CHECK(wait(&status) == pid && status == 0);
  int fd = open("exec.out", O_RDONLY);
  CHECK(fd >= 0);
  char got[32];
  int n = read(fd, got, sizeof(got));
  CHECK(n == 17 && memcmp(got, "hello exec world\n", 17) == 0);
  close(fd);
  CHECK(unlink("exec.out") == 0);
}

// exec() from a process with a sparse heap: the old address space, with its holes,
// must be freed.
static void
sparseexec(void)
{
  unlink("sparseexec.out");
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0){
    char *heap = sbrk(64 << 20);
    if(heap == (char *)-1)
      exit(2);
    for(int off = 0; off < (64 << 20); off += 1 << 20)
      heap[off] = 1;
    close(1);
    if(open("sparseexec.out", O_CREATE | O_WRONLY | O_TRUNC) != 1)
      exit(3);
    char *args[] = { "echo", "sparse", 0 };
    exec("echo", args);
    exit(4);
  }
  int status = -1;
  CHECK(wait(&status) == pid && status == 0);
  int fd = open("sparseexec.out", O_RDONLY);
  CHECK(fd >= 0);
  char got[16];
  CHECK(read(fd, got, sizeof(got)) == 7 && memcmp(got, "sparse\n", 7) == 0);
  close(fd);
  CHECK(unlink("sparseexec.out") == 0);
}

// The user library's allocator: blocks do not overlap, and freed blocks merge so
// their space is reused without growing the heap.
static void
mallocfree(void)
{
  enum { N = 200 };
  static char *ptrs[N];
  static uint sizes[N];
  for(int i = 0; i < N; i++){
    sizes[i] = (i * 53) % 700 + 1;
    ptrs[i] = malloc(sizes[i]);
    CHECK(ptrs[i] != 0);
    memset(ptrs[i], i, sizes[i]);
  }
  for(int i = 0; i < N; i++)
    for(uint j = 0; j < sizes[i]; j++)
      CHECK(ptrs[i][j] == (char)i);
  char *top = sbrk(0);
  for(int i = 1; i < N; i += 2)
    free(ptrs[i]);
  for(int i = 0; i < N; i += 2)
    free(ptrs[i]);
  char *big = malloc(40000);
  CHECK(big != 0);
  CHECK(sbrk(0) == top);
  memset(big, 0x5a, 40000);
  free(big);
  free(0);
  CHECK(malloc(0xffffffff) == 0);
}

static void
exitwait(void)
{
  for(int i = 0; i < 30; i++){
    int pid = fork();
    CHECK(pid >= 0);
    if(pid == 0)
      exit(i);
    int status = -1;
    CHECK(wait(&status) == pid && status == i);
  }
  // wait(0) is allowed; with no children wait fails.
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0)
    exit(0);
  CHECK(wait(0) == pid);
  CHECK(wait(0) == -1);
}

static void
killstatus(void)
{
  // A child spinning in user space.
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0)
    for(;;)
      getpid();
  sleep(1);
  CHECK(kill(pid) == 0);
  int status = 0;
  CHECK(wait(&status) == pid && status == KILLED_STATUS);
  // A child asleep in the kernel, reading a pipe nobody writes.
  int p[2];
  CHECK(pipe(p) == 0);
  pid = fork();
  CHECK(pid >= 0);
  if(pid == 0){
    char c;
    read(p[0], &c, 1);
    exit(0);
  }
  sleep(1);
  CHECK(kill(pid) == 0);
  status = 0;
  CHECK(wait(&status) == pid && status == KILLED_STATUS);
  close(p[0]);
  close(p[1]);
  CHECK(kill(1000000) == -1);
}

static void
forkfork(void)
{
  const int workers = 4, rounds = 100;
  for(int w = 0; w < workers; w++){
    int pid = fork();
    CHECK(pid >= 0);
    if(pid == 0){
      for(int i = 0; i < rounds; i++){
        int child = fork();
        CHECK(child >= 0);
        if(child == 0)
          exit(0);
        int status = -1;
        CHECK(wait(&status) == child && status == 0);
      }
      exit(0);
    }
  }
  for(int w = 0; w < workers; w++){
    int status = -1;
    CHECK(wait(&status) > 0 && status == 0);
  }
}

// Forks until the process table is full, then lets every child go.
static void
forkall(void)
{
  int p[2];
  CHECK(pipe(p) == 0);
  int n = 0;
  for(; n < 1000; n++){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0){
      char c;
      close(p[1]);
      read(p[0], &c, 1);   // returns 0 once every write end is closed
      exit(0);
    }
  }
  CHECK(n > 0 && n < 1000);
  close(p[1]);
  for(int i = 0; i < n; i++){
    int status = -1;
    CHECK(wait(&status) > 0 && status == 0);
  }
  CHECK(wait(0) == -1);
  int pid = fork();   // room again
  CHECK(pid >= 0);
  if(pid == 0)
    exit(0);
  CHECK(wait(0) == pid);
}

static const struct test tests[] = {
  // memory (usertests_mem.c)
  { "sbrkbasic", sbrkbasic, 0 },
  { "sbrkmuch", sbrkmuch, 0 },
  { "sbrkdealloc", sbrkdealloc, 0 },
  { "sbrkneg", sbrkneg, 0 },
  { "sbrkarg", sbrkarg, 0 },
  { "sbrklast", sbrklast, 0 },
  { "sbrk8000", sbrk8000, 0 },
  { "stacktest", stacktest, 0 },
  { "argptest", argptest, 0 },
  { "copyin", copyin_bad, 0 },
  { "copyout", copyout_bad, 0 },
  { "copyinstr", copyinstr_bad, 0 },
  { "kernmem", kernmem, 0 },
  { "MAXVAplus", MAXVAplus, 0 },
  { "sparsefork", sparsefork, 0 },
  { "sbrkfail", sbrkfail, TEST_SLOW },
  // processes and the user library (this file)
  { "mallocfree", mallocfree, 0 },
  { "exitwait", exitwait, 0 },
  { "exectest", exectest, 0 },
  { "sparseexec", sparseexec, 0 },
  { "execbad", execbad, 0 },
  { "killstatus", killstatus, 0 },
  { "forkfork", forkfork, TEST_SLOW },
  { "forkall", forkall, 0 },
  // files and pipes (usertests_fs.c)
  { "pipe1", pipe1, 0 },
  { "createdelete", createdelete, 0 },
  { "unlinkread", unlinkread, 0 },
  { "linktest", linktest, 0 },
  { "dirtest", dirtest, 0 },
  { "opentest", opentest, 0 },
  { "openiput", openiput, 0 },
  { "fourfiles", fourfiles, 0 },
  { "concreate", concreate, 0 },
  { "emptypath", emptypath, 0 },
  { "bigwrite", bigwrite, TEST_SLOW },
  { "diskfull", diskfull, TEST_SLOW },
};

int
main(int argc, char *argv[])
{
  printf("usertests starting\n");
  int failed = run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
  printf(failed ? "SOME TESTS FAILED\n" : "ALL TESTS PASSED\n");
  return failed ? 1 : 0;
}

// forktest: forks children until fork() fails because the process table is full, then
// waits for them all. Each child exits at once with a status made from its number, and
// stays in the table as a zombie until waited for, so the table fills up. The parent
// checks that every child comes back from wait() once with its own status, that wait()
// then reports no children left, and that fork() works again. The last line is
// "forktest: OK", or "forktest: FAILED: why" with exit status 1.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

#define MAXFORK 1000   // more than any process table holds: fork must fail before

static int pids[MAXFORK];

static void
fail(const char *why)
{
  printf("forktest: FAILED: %s\n", why);
  exit(1);
}

static int
status_of(int child)
{
  return child % 100;
}

int
main(void)
{
  int n = 0;
  for(; n < MAXFORK; n++){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0)
      exit(status_of(n));
    pids[n] = pid;
  }
  if(n == 0)
    fail("the first fork failed");
  if(n == MAXFORK)
    fail("fork never failed");
  printf("forktest: %d children filled the process table\n", n);

  for(int left = n; left > 0; left--){
    int status = -1;
    int pid = wait(&status);
    if(pid < 0)
      fail("wait returned -1 with children left");
    int i = 0;
    while(i < n && pids[i] != pid)
      i++;
    if(i == n)
      fail("wait returned a pid that is not a child");
    if(status != status_of(i))
      fail("a child's exit status came back wrong");
    pids[i] = 0;   // not found twice
  }
  if(wait(0) != -1)
    fail("wait found a child after all were reaped");

  int pid = fork();   // the table has room again
  if(pid < 0)
    fail("fork fails after the children were reaped");
  if(pid == 0)
    exit(0);
  if(wait(0) != pid)
    fail("wait did not return the last child");
  printf("forktest: OK\n");
  return 0;
}

// init: the first user program. It makes fd 0, 1 and 2 the console (creating the
// device node "console" if the file system lacks one), then keeps a shell running:
// it starts sh, and when sh exits it starts another. Every orphaned process is handed
// to init by the kernel, so init's wait() loop also reaps those.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

static char *sh_argv[] = { "sh", 0 };

static void
open_console(void)
{
  int fd = open("console", O_RDWR);
  if(fd < 0){
    mknod("console", CONSOLE, 0);
    fd = open("console", O_RDWR);
  }
  if(fd != 0)   // nothing sensible to do without a console
    exit(1);
  dup(0);       // fd 1
  dup(0);       // fd 2
}

static int
start_shell(void)
{
  int pid = fork();
  if(pid == 0){
    exec("sh", sh_argv);
    fprintf(2, "init: cannot exec sh\n");
    exit(1);
  }
  return pid;
}

int
main(void)
{
  open_console();
  for(;;){
    printf("init: starting sh\n");
    int shpid = start_shell();
    if(shpid < 0){
      fprintf(2, "init: fork failed\n");
      sleep(10);
      continue;
    }
    // Reap children until the shell itself is gone; the others are orphans.
    for(;;){
      int pid = wait(0);
      if(pid == shpid)
        break;
      if(pid < 0){   // no children at all: the shell vanished without a status
        sleep(1);
        break;
      }
    }
  }
}

// zombie: leaves a zombie behind. It forks a child that exits at once and does not wait
// for it: an exited process keeps its place in the process table (state ZOMBIE) until
// its parent collects its status. For ZOMBIE_TICKS timer ticks (about 5 s on QEMU) ^P
// on the console lists the child as a zombie; then the parent exits, still without
// waiting, and the child passes to init, which reaps it.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

#define ZOMBIE_TICKS 50

int
main(void)
{
  int p[2];
  if(pipe(p) < 0){
    fprintf(2, "zombie: pipe failed\n");
    return 1;
  }
  int pid = fork();
  if(pid < 0){
    fprintf(2, "zombie: fork failed\n");
    return 1;
  }
  if(pid == 0)
    exit(0);   // closes the child's end of the pipe on the way out
  close(p[1]);
  char c;
  read(p[0], &c, 1);   // end of file: the child is inside exit()
  sleep(1);            // and has finished it
  printf("zombie: child %d has exited and is not waited for (^P lists it)\n", pid);
  sleep(ZOMBIE_TICKS);
  return 0;
}

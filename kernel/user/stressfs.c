// stressfs: NCHILD children use the file system at the same time, to exercise its
// locks, log and buffer cache under concurrent writes and reads. Child k creates
// stressfs.k, writes NBLOCK blocks whose bytes depend on k, the block and the offset,
// reads the file back and checks every byte, then removes it. Children report problems
// on standard error; the parent waits for all of them and prints "stressfs: OK", or
// "stressfs: FAILED" with exit status 1.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

#define NCHILD 4
#define NBLOCK 20
#define BLOCK 1024

static char buf[BLOCK];

static void
fill(int child, int block)
{
  for(int i = 0; i < BLOCK; i++)
    buf[i] = child * 64 + block * 3 + i;
}

// What child k does; returns its exit status.
static int
work(int k)
{
  char name[] = "stressfs.0";
  name[sizeof(name) - 2] = '0' + k;
  int fd = open(name, O_CREATE | O_TRUNC | O_WRONLY);
  if(fd < 0){
    fprintf(2, "stressfs: child %d: cannot create %s\n", k, name);
    return 1;
  }
  for(int b = 0; b < NBLOCK; b++){
    fill(k, b);
    if(write(fd, buf, BLOCK) != BLOCK){
      fprintf(2, "stressfs: child %d: write of block %d failed\n", k, b);
      return 1;
    }
  }
  close(fd);

  fd = open(name, O_RDONLY);
  if(fd < 0){
    fprintf(2, "stressfs: child %d: cannot reopen %s\n", k, name);
    return 1;
  }
  static char want[BLOCK];
  for(int b = 0; b < NBLOCK; b++){
    fill(k, b);
    memmove(want, buf, BLOCK);
    if(read(fd, buf, BLOCK) != BLOCK || memcmp(buf, want, BLOCK) != 0){
      fprintf(2, "stressfs: child %d: block %d reads back wrong\n", k, b);
      return 1;
    }
  }
  char extra;
  if(read(fd, &extra, 1) != 0){
    fprintf(2, "stressfs: child %d: %s is longer than written\n", k, name);
    return 1;
  }
  close(fd);
  if(unlink(name) < 0){
    fprintf(2, "stressfs: child %d: cannot remove %s\n", k, name);
    return 1;
  }
  return 0;
}

int
main(void)
{
  int started = 0;
  for(int k = 0; k < NCHILD; k++){
    int pid = fork();
    if(pid < 0){
      fprintf(2, "stressfs: fork failed\n");
      break;
    }
    if(pid == 0)
      exit(work(k));
    started++;
  }
  int ok = started == NCHILD;
  for(int k = 0; k < started; k++){
    int status = -1;
    if(wait(&status) < 0 || status != 0)
      ok = 0;
  }
  if(!ok){
    printf("stressfs: FAILED\n");
    return 1;
  }
  printf("stressfs: %d children each wrote and read back %d bytes\n", NCHILD, NBLOCK * BLOCK);
  printf("stressfs: OK\n");
  return 0;
}

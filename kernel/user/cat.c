// cat: copies each named file, or standard input when none is named, to standard output.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

static char buf[1024];

// Returns 0 when all of fd reached fd 1, -1 on a read or write error.
static int
copyfd(int fd)
{
  int n;
  while((n = read(fd, buf, sizeof(buf))) > 0){
    if(write(1, buf, n) != n)
      return -1;
  }
  return n < 0 ? -1 : 0;
}

int
main(int argc, char *argv[])
{
  if(argc < 2)
    return copyfd(0) < 0 ? 1 : 0;
  int status = 0;
  for(int i = 1; i < argc; i++){
    int fd = open(argv[i], O_RDONLY);
    if(fd < 0){
      fprintf(2, "cat: cannot open %s\n", argv[i]);
      status = 1;
      continue;
    }
    if(copyfd(fd) < 0){
      fprintf(2, "cat: error reading %s\n", argv[i]);
      status = 1;
    }
    close(fd);
  }
  return status;
}

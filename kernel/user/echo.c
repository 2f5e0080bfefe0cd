// echo: writes its arguments separated by spaces, then a newline, in one write().
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  char line[512];
  int n = 0;
  for(int i = 1; i < argc; i++){
    for(char *s = argv[i]; *s; s++){
      if(n == sizeof(line) - 1){   // full: flush and carry on
        write(1, line, n);
        n = 0;
      }
      line[n++] = *s;
    }
    if(i + 1 < argc && n < sizeof(line) - 1)
      line[n++] = ' ';
  }
  line[n++] = '\n';
  if(write(1, line, n) != n)
    return 1;
  return 0;
}

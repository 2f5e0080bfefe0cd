// ln: "ln OLD NEW" gives the file OLD a second name NEW (a hard link, with link()): both
// names then refer to one inode, and the file lasts until rm has removed every name.
// Directories cannot be linked.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  if(argc != 3){
    fprintf(2, "usage: ln OLD NEW\n");
    return 1;
  }
  if(link(argv[1], argv[2]) == 0)
    return 0;
  // link() only says no: find the likely reason for the message.
  struct stat st;
  if(stat(argv[1], &st) < 0)
    fprintf(2, "ln: %s: no such file\n", argv[1]);
  else if(st.type == T_DIR)
    fprintf(2, "ln: %s is a directory\n", argv[1]);
  else if(stat(argv[2], &st) == 0)
    fprintf(2, "ln: %s already exists\n", argv[2]);
  else
    fprintf(2, "ln: cannot link %s to %s\n", argv[2], argv[1]);
  return 1;
}

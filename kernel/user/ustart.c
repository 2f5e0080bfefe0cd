// The entry point of every user program (the ELF entry, named in user.ld). exec() leaves
// argc in a0 and argv in a1 with sp 16-byte aligned, which is exactly how a C function
// receives two arguments, so no assembly is needed. Returning from main is exit(status).
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

int main(int argc, char *argv[]);

void
_start(int argc, char *argv[])
{
  exit(main(argc, argv));
}

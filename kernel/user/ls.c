// ls: for each argument (default "."), lists a directory's entries or describes a
// single file. Each line shows the name, the type (dir, file, dev), the inode number
// and the size in bytes.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "kernel/fs.h"
#include "user/user.h"

static const char *
type_name(short type)
{
  switch(type){
  case T_DIR: return "dir ";
  case T_FILE: return "file";
  case T_DEVICE: return "dev ";
  default: return "?   ";
  }
}

// Prints name padded to DIRSIZ columns, then the fields of st.
static void
show(const char *name, struct stat *st)
{
  char col[DIRSIZ + 1];
  int n = 0;
  for(; n < DIRSIZ && name[n]; n++)
    col[n] = name[n];
  for(; n < DIRSIZ; n++)
    col[n] = ' ';
  col[DIRSIZ] = 0;
  printf("%s %s %d %lu\n", col, type_name(st->type), st->ino, st->size);
}

static int
list_dir(int fd, const char *path)
{
  char full[MAXPATH];
  uint plen = strlen(path);
  if(plen + 1 + DIRSIZ + 1 > sizeof(full)){
    fprintf(2, "ls: path too long: %s\n", path);
    return -1;
  }
  strcpy(full, path);
  full[plen] = '/';
  struct dirent de;
  while(read(fd, &de, sizeof(de)) == sizeof(de)){
    if(de.inum == 0)
      continue;
    char name[DIRSIZ + 1];
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = 0;   // a name of exactly DIRSIZ bytes has no terminator on disk
    strcpy(full + plen + 1, name);
    struct stat st;
    if(stat(full, &st) < 0){
      fprintf(2, "ls: cannot stat %s\n", full);
      continue;
    }
    show(name, &st);
  }
  return 0;
}

static int
ls(const char *path)
{
  int fd = open(path, O_RDONLY);
  if(fd < 0){
    fprintf(2, "ls: cannot open %s\n", path);
    return -1;
  }
  struct stat st;
  int r = 0;
  if(fstat(fd, &st) < 0){
    fprintf(2, "ls: cannot stat %s\n", path);
    r = -1;
  } else if(st.type == T_DIR){
    r = list_dir(fd, path);
  } else {
    // Show only the last path component, as for directory entries.
    const char *base = path;
    for(const char *p = path; *p; p++)
      if(*p == '/' && p[1])
        base = p + 1;
    show(base, &st);
  }
  close(fd);
  return r;
}

int
main(int argc, char *argv[])
{
  if(argc < 2)
    return ls(".") < 0 ? 1 : 0;
  int status = 0;
  for(int i = 1; i < argc; i++)
    if(ls(argv[i]) < 0)
      status = 1;
  return status;
}

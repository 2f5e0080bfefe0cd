// usertests, file system and pipe cases: data through pipes, a large file, creating,
// linking and unlinking files and directories, paths, open modes and concurrent use.
// Every case cleans up the files it creates, so the suite can run again on one image.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "kernel/fs.h"
#include "user/user.h"
#include "user/testlib.h"
#include "user/usertests.h"

static char buf[4096];

void
pipe1(void)
{
  int p[2];
  CHECK(pipe(p) == 0);
  int total = 0;
  for(int i = 0; i < 40; i++)
    total += (i * 37) % 1000 + 1;
  int pid = fork();
  CHECK(pid >= 0);
  if(pid == 0){
    close(p[0]);
    int seq = 0;
    for(int i = 0; i < 40; i++){
      int n = (i * 37) % 1000 + 1;
      for(int j = 0; j < n; j++)
        buf[j] = (char)seq++;
      CHECK(write(p[1], buf, n) == n);
    }
    exit(0);
  }
  close(p[1]);
  int seq = 0, n, round = 0;
  while((n = read(p[0], buf, 100 + (round++ * 211) % 3000)) > 0){
    for(int j = 0; j < n; j++)
      CHECK(buf[j] == (char)seq++);
  }
  CHECK(n == 0);   // end of file once the writer is gone
  CHECK(seq == total);
  close(p[0]);
  int status = -1;
  CHECK(wait(&status) == pid && status == 0);
}

// The byte stored at offset x of bigwrite's file.
static char
bigbyte(uint x)
{
  return (char)(x ^ (x >> 9));
}

void
bigwrite(void)
{
  static const int sizes[] = { 1000, 3000, 777, 4096, 1, 2048 };
  const uint big = 200 * 1024;
  int fd = open("bigwrite.tmp", O_CREATE | O_RDWR | O_TRUNC);
  CHECK(fd >= 0);
  uint off = 0;
  for(int i = 0; off < big; i++){
    uint n = sizes[i % 6];
    if(n > big - off)
      n = big - off;
    for(uint j = 0; j < n; j++)
      buf[j] = bigbyte(off + j);
    CHECK(write(fd, buf, n) == n);
    off += n;
  }
  close(fd);
  fd = open("bigwrite.tmp", O_RDONLY);
  CHECK(fd >= 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.size == big);
  off = 0;
  int n;
  while((n = read(fd, buf, 1500)) > 0){
    for(int j = 0; j < n; j++)
      CHECK(buf[j] == bigbyte(off + j));
    off += n;
  }
  CHECK(n == 0 && off == big);
  close(fd);
  // Fill the file to the largest size the file system allows; one byte more fails.
  fd = open("bigwrite.tmp", O_WRONLY);
  CHECK(fd >= 0);
  memset(buf, 'z', sizeof(buf));
  for(uint left = MAXFILE * BSIZE; left > 0; ){
    uint chunk = left < sizeof(buf) ? left : sizeof(buf);
    CHECK(write(fd, buf, chunk) == chunk);
    left -= chunk;
  }
  CHECK(write(fd, buf, 1) != 1);
  close(fd);
  CHECK(stat("bigwrite.tmp", &st) == 0 && st.size == MAXFILE * BSIZE);
  CHECK(unlink("bigwrite.tmp") == 0);
}

void
openiput(void)
{
  // A child removes a directory while the parent opens it.
  for(int i = 0; i < 10; i++){
    CHECK(mkdir("oidir") == 0);
    int pid = fork();
    CHECK(pid >= 0);
    if(pid == 0){
      CHECK(unlink("oidir") == 0);
      exit(0);
    }
    int fd = open("oidir", O_RDONLY);
    if(fd >= 0)
      close(fd);
    int status = -1;
    CHECK(wait(&status) == pid && status == 0);
    CHECK(open("oidir", O_RDONLY) == -1);
  }
  // A child opens and closes a file while the parent unlinks it.
  for(int i = 0; i < 10; i++){
    int fd = open("oifile", O_CREATE | O_RDWR);
    CHECK(fd >= 0);
    CHECK(write(fd, "oi", 2) == 2);
    close(fd);
    int pid = fork();
    CHECK(pid >= 0);
    if(pid == 0){
      for(int j = 0; j < 5; j++){
        int f = open("oifile", O_RDWR);
        if(f >= 0){
          write(f, "x", 1);
          close(f);
        }
      }
      exit(0);
    }
    CHECK(unlink("oifile") == 0);
    int status = -1;
    CHECK(wait(&status) == pid && status == 0);
  }
}

static void
numbered(char *name, const char *prefix, int i)
{
  strcpy(name, prefix);
  uint n = strlen(name);
  name[n] = '0' + i / 10;
  name[n + 1] = '0' + i % 10;
  name[n + 2] = 0;
}

// Many files in one fresh directory: more entries than one directory block holds.
void
createdelete(void)
{
  char name[16];
  const int n = 70;
  CHECK(mkdir("cddir") == 0);
  CHECK(chdir("cddir") == 0);
  for(int i = 0; i < n; i++){
    numbered(name, "cd", i);
    int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
    CHECK(fd >= 0);
    CHECK(write(fd, name, 4) == 4);
    close(fd);
  }
  for(int i = 0; i < n; i++){
    numbered(name, "cd", i);
    int fd = open(name, O_RDONLY);
    CHECK(fd >= 0);
    char got[8];
    CHECK(read(fd, got, sizeof(got)) == 4 && memcmp(got, name, 4) == 0);
    close(fd);
    CHECK(unlink(name) == 0);
  }
  for(int i = 0; i < n; i++){
    numbered(name, "cd", i);
    CHECK(open(name, O_RDONLY) == -1);
  }
  CHECK(chdir("..") == 0);
  CHECK(unlink("cddir") == 0);
}

void
unlinkread(void)
{
  int fd = open("ur.tmp", O_CREATE | O_RDWR | O_TRUNC);
  CHECK(fd >= 0);
  CHECK(write(fd, "hello", 5) == 5);
  close(fd);
  fd = open("ur.tmp", O_RDWR);
  CHECK(fd >= 0);
  CHECK(unlink("ur.tmp") == 0);
  // A new file under the same name is a different file.
  int fd2 = open("ur.tmp", O_CREATE | O_RDWR);
  CHECK(fd2 >= 0);
  CHECK(write(fd2, "yyy", 3) == 3);
  close(fd2);
  char got[8];
  CHECK(read(fd, got, sizeof(got)) == 5 && memcmp(got, "hello", 5) == 0);
  CHECK(write(fd, "!", 1) == 1);
  close(fd);
  fd = open("ur.tmp", O_RDONLY);
  CHECK(fd >= 0);
  CHECK(read(fd, got, sizeof(got)) == 3 && memcmp(got, "yyy", 3) == 0);
  close(fd);
  CHECK(unlink("ur.tmp") == 0);
}

void
linktest(void)
{
  unlink("lk1");
  unlink("lk2");
  int fd = open("lk1", O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  CHECK(write(fd, "link", 4) == 4);
  close(fd);
  CHECK(link("lk1", "lk2") == 0);
  struct stat st1, st2;
  CHECK(stat("lk1", &st1) == 0 && stat("lk2", &st2) == 0);
  CHECK(st1.ino == st2.ino && st2.nlink == 2);
  CHECK(unlink("lk1") == 0);
  CHECK(open("lk1", O_RDONLY) == -1);
  fd = open("lk2", O_RDONLY);
  CHECK(fd >= 0);
  char got[8];
  CHECK(read(fd, got, sizeof(got)) == 4 && memcmp(got, "link", 4) == 0);
  close(fd);
  CHECK(stat("lk2", &st2) == 0 && st2.nlink == 1);
  CHECK(link("lk2", "lk2") == -1);          // the name exists
  CHECK(link("lk1", "lk3") == -1);          // the source does not
  CHECK(link("lk2", "nodir/lk") == -1);     // no such directory
  CHECK(link(".", "lkdir") == -1);          // directories cannot be linked
  CHECK(unlink("lk2") == 0);
}

void
dirtest(void)
{
  struct stat st;
  CHECK(mkdir("dd") == 0);
  CHECK(mkdir("dd") == -1);
  CHECK(stat("dd", &st) == 0 && st.type == T_DIR);
  CHECK(chdir("dd") == 0);
  int fd = open("ff", O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  CHECK(write(fd, "ff", 2) == 2);
  close(fd);
  CHECK(mkdir("sub") == 0);
  CHECK(chdir("sub") == 0);
  CHECK(chdir("../..") == 0);
  fd = open("dd/ff", O_RDONLY);
  CHECK(fd >= 0);
  close(fd);
  fd = open("dd/../dd/sub/../ff", O_RDONLY);
  CHECK(fd >= 0);
  close(fd);
  CHECK(unlink("dd") == -1);                        // not empty
  CHECK(open("dd/ff/x", O_CREATE | O_RDWR) == -1);  // a file is not a directory
  CHECK(mkdir("dd/ff/x") == -1);
  CHECK(chdir("dd/ff") == -1);
  CHECK(unlink("dd/.") == -1);
  CHECK(unlink("dd/..") == -1);
  CHECK(unlink("dd/sub") == 0);
  CHECK(unlink("dd/ff") == 0);
  CHECK(unlink("dd") == 0);
  CHECK(chdir("dd") == -1);
  CHECK(open("dd/ff", O_RDONLY) == -1);
}

void
opentest(void)
{
  CHECK(open("doesnotexist", O_RDONLY) == -1);
  int fd = open(".", O_RDONLY);
  CHECK(fd >= 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.type == T_DIR);
  close(fd);
  CHECK(open(".", O_RDWR) == -1);
  CHECK(open(".", O_WRONLY) == -1);
  fd = open("ot.tmp", O_CREATE | O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  CHECK(read(fd, buf, 1) == -1);
  CHECK(write(fd, "ot", 2) == 2);
  close(fd);
  fd = open("ot.tmp", O_RDONLY);
  CHECK(fd >= 0);
  CHECK(write(fd, "x", 1) == -1);
  close(fd);
  // Fill the descriptor table; then every descriptor can be closed and reused.
  int fds[64], n = 0;
  while(n < 64 && (fds[n] = open("ot.tmp", O_RDONLY)) >= 0)
    n++;
  CHECK(n > 0 && n < 64);
  CHECK(dup(0) == -1);
  for(int i = 0; i < n; i++)
    CHECK(close(fds[i]) == 0);
  CHECK(close(fds[0]) == -1);
  fd = open("ot.tmp", O_RDONLY);
  CHECK(fd >= 0);
  close(fd);
  CHECK(unlink("ot.tmp") == 0);
}

void
fourfiles(void)
{
  const int nchild = 4, chunk = 500, nchunk = 12;
  char name[8];
  for(int c = 0; c < nchild; c++){
    int pid = fork();
    CHECK(pid >= 0);
    if(pid == 0){
      numbered(name, "ff", c);
      int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
      CHECK(fd >= 0);
      memset(buf, '0' + c, chunk);
      for(int i = 0; i < nchunk; i++)
        CHECK(write(fd, buf, chunk) == chunk);
      close(fd);
      exit(0);
    }
  }
  for(int c = 0; c < nchild; c++){
    int status = -1;
    CHECK(wait(&status) > 0 && status == 0);
  }
  for(int c = 0; c < nchild; c++){
    numbered(name, "ff", c);
    int fd = open(name, O_RDONLY);
    CHECK(fd >= 0);
    int total = 0, n;
    while((n = read(fd, buf, sizeof(buf))) > 0){
      for(int j = 0; j < n; j++)
        CHECK(buf[j] == '0' + c);
      total += n;
    }
    CHECK(total == chunk * nchunk);
    close(fd);
    CHECK(unlink(name) == 0);
  }
}

// Four processes create, link and unlink the same few names at once. Afterwards every
// name appears at most once in the directory, and all of them can be removed.
void
concreate(void)
{
  const int nproc = 4, nname = 12, rounds = 6;
  char name[8];
  for(int who = 0; who < nproc; who++){
    int pid = fork();
    CHECK(pid >= 0);
    if(pid == 0){
      for(int r = 0; r < rounds; r++){
        for(int i = 0; i < nname; i++){
          numbered(name, "cc", i);
          switch((i + who + r) % 3){
          case 0: {
            int fd = open(name, O_CREATE | O_RDWR);
            if(fd >= 0){
              write(fd, name, 4);
              close(fd);
            }
            break;
          }
          case 1:
            unlink(name);
            break;
          default: {
            char other[8];
            numbered(other, "cc", (i + 1) % nname);
            link(other, name);
            break;
          }
          }
        }
      }
      exit(0);
    }
  }
  for(int who = 0; who < nproc; who++){
    int status = -1;
    CHECK(wait(&status) > 0 && status == 0);
  }
  // Scan the directory: each "ccNN" at most once.
  int seen[64];
  memset(seen, 0, sizeof(seen));
  int fd = open(".", O_RDONLY);
  CHECK(fd >= 0);
  struct dirent de;
  while(read(fd, &de, sizeof(de)) == sizeof(de)){
    if(de.inum == 0 || de.name[0] != 'c' || de.name[1] != 'c' || de.name[4] != 0)
      continue;
    int i = (de.name[2] - '0') * 10 + (de.name[3] - '0');
    CHECK(i >= 0 && i < nname);
    CHECK(seen[i] == 0);
    seen[i] = 1;
  }
  close(fd);
  for(int i = 0; i < nname; i++){
    numbered(name, "cc", i);
    CHECK(unlink(name) == (seen[i] ? 0 : -1));
    CHECK(open(name, O_RDONLY) == -1);
  }
}

void
emptypath(void)
{
  CHECK(open("", O_RDONLY) == -1);
  CHECK(open("", O_CREATE | O_RDWR) == -1);
  CHECK(mkdir("") == -1);
  CHECK(unlink("") == -1);
  CHECK(link("", "ep.tmp") == -1);
  CHECK(open("ep.tmp", O_RDONLY) == -1);
}

// Fills the disk with files until a write comes up short, then checks that removing
// them gives the space back.
void
diskfull(void)
{
  char name[8];
  int nfiles = 0, full = 0;
  memset(buf, 'f', sizeof(buf));
  for(; nfiles < 60 && !full; nfiles++){
    numbered(name, "df", nfiles);
    int fd = open(name, O_CREATE | O_WRONLY | O_TRUNC);
    if(fd < 0){
      full = 1;   // out of inodes counts as full too
      break;
    }
    for(uint written = 0; written + sizeof(buf) <= MAXFILE * BSIZE; written += sizeof(buf)){
      if(write(fd, buf, sizeof(buf)) != sizeof(buf)){
        full = 1;
        break;
      }
    }
    close(fd);
  }
  CHECK(full);
  for(int i = 0; i < nfiles; i++){
    numbered(name, "df", i);
    CHECK(unlink(name) == 0);
  }
  // The space is back: a 100 KiB file fits.
  int fd = open("df.tmp", O_CREATE | O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  for(int i = 0; i < 25; i++)
    CHECK(write(fd, buf, sizeof(buf)) == sizeof(buf));
  close(fd);
  CHECK(unlink("df.tmp") == 0);
}

// Open files: the system-wide table of struct file that file descriptors point to,
// and the read/write/stat operations that dispatch on what the file is (a pipe, an
// inode, or a device reached through devsw[]).
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "proc.h"
#include "defs.h"
#include "fs.h"
#include "file.h"

// Drivers of T_DEVICE inodes, indexed by major number; a driver fills in its entry at
// boot (the console registers devsw[CONSOLE]).
struct devsw devsw[NDEV];

static struct {
  struct spinlock lock;  // guards ref (and type while allocating) of every entry
  struct file file[NFILE];
} ftable;

// Called once during boot: the open-file table and the in-memory inode table.
void
fileinit(void)
{
  initlock(&ftable.lock, "ftable");
  iinit();
}

// A free table entry with one reference and type FD_NONE, or 0 if the table is full.
struct file *
filealloc(void)
{
  acquire(&ftable.lock);
  for (struct file *f = ftable.file; f < ftable.file + NFILE; f++) {
    if (f->ref == 0) {
      f->ref = 1;
      f->type = FD_NONE;
      f->readable = f->writable = 0;
      f->pipe = 0;
      f->ip = 0;
      f->off = 0;
      f->major = 0;
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

struct file *
filedup(struct file *f)
{
  acquire(&ftable.lock);
  if (f->ref < 1)
    panic("filedup: file not open");
  f->ref++;
  release(&ftable.lock);
  return f;
}

// Drop a reference; the last one closes the pipe end or releases the inode.
void
fileclose(struct file *f)
{
  acquire(&ftable.lock);
  if (f->ref < 1)
    panic("fileclose: file not open");
  if (--f->ref > 0) {
    release(&ftable.lock);
    return;
  }
  struct file closing = *f;
  f->type = FD_NONE;
  release(&ftable.lock);

  // Outside the spinlock: both may sleep (iput can free blocks on the disk).
  if (closing.type == FD_PIPE)
    pipeclose(closing.pipe, closing.writable);
  else if (closing.type == FD_INODE || closing.type == FD_DEVICE)
    iput(closing.ip);
}

// Copy a struct stat for f to user address addr. 0, or -1 on a bad address or a pipe.
int
filestat(struct file *f, uint64 addr)
{
  struct stat st;
  if (f->type != FD_INODE && f->type != FD_DEVICE)
    return -1;
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  return either_copyout(1, addr, &st, sizeof(st)) < 0 ? -1 : 0;
}

static struct devsw *
device_of(struct file *f)
{
  if (f->major < 0 || f->major >= NDEV)
    return 0;
  return &devsw[f->major];
}

// Read up to n bytes from f into user address addr. Bytes read, 0 at end of file,
// -1 on error.
int
fileread(struct file *f, uint64 addr, int n)
{
  if (!f->readable || n < 0)
    return -1;
  switch (f->type) {
  case FD_PIPE:
    return piperead(f->pipe, addr, n);
  case FD_DEVICE: {
    struct devsw *d = device_of(f);
    if (d == 0 || d->read == 0)
      return -1;
    return d->read(1, addr, n);
  }
  case FD_INODE: {
    ilock(f->ip);
    int r = readi(f->ip, 1, addr, f->off, n);
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    return r;
  }
  default:
    panic("fileread: bad file type");
  }
}

// Write n bytes from user address addr to f. Bytes written (fewer if the disk or the
// file's size limit is reached), or -1 if nothing could be written.
int
filewrite(struct file *f, uint64 addr, int n)
{
  if (!f->writable || n < 0)
    return -1;
  switch (f->type) {
  case FD_PIPE:
    return pipewrite(f->pipe, addr, n);
  case FD_DEVICE: {
    struct devsw *d = device_of(f);
    if (d == 0 || d->write == 0)
      return -1;
    return d->write(1, addr, n);
  }
  case FD_INODE: {
    // In pieces of MAXOPBLOCKS blocks, so a big write does not keep the inode locked
    // (and readers waiting) for the whole transfer.
    int done = 0;
    while (done < n) {
      int chunk = n - done;
      if (chunk > MAXOPBLOCKS * BSIZE)
        chunk = MAXOPBLOCKS * BSIZE;
      ilock(f->ip);
      int r = writei(f->ip, 1, addr + done, f->off, chunk);
      if (r > 0)
        f->off += r;
      iunlock(f->ip);
      if (r < 0)
        break;
      done += r;
      if (r < chunk)
        break;
    }
    if (done == 0 && n > 0)
      return -1;
    return done;
  }
  default:
    panic("filewrite: bad file type");
  }
}

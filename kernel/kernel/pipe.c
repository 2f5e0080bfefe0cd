// Pipes: a PIPESIZE-byte ring buffer between a write end and a read end, each an
// open file. Readers sleep while the ring is empty and a writer remains; writers sleep
// while it is full and a reader remains. The struct lives in one page from kalloc and
// is freed when both ends are closed.
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "proc.h"
#include "defs.h"
#include "fs.h"
#include "file.h"

#define PIPESIZE 512

struct pipe {
  struct spinlock lock;
  uint nread;         // bytes ever read; data[nread % PIPESIZE] is the next to read
  uint nwrite;        // bytes ever written; nwrite - nread bytes are waiting
  int reader_open;    // the read end is still open
  int writer_open;    // the write end is still open
  char data[PIPESIZE];
};
// Sleep channels: readers wait on &nwrite (for data), writers on &nread (for room).

// Make a pipe and two open files for it: *rf reads, *wf writes. 0, or -1 if out of
// files or memory.
int
pipealloc(struct file **rf, struct file **wf)
{
  struct pipe *pi = 0;
  *rf = *wf = 0;
  if ((*rf = filealloc()) == 0 || (*wf = filealloc()) == 0)
    goto fail;
  if ((pi = (struct pipe *)kalloc()) == 0)
    goto fail;
  initlock(&pi->lock, "pipe");
  pi->nread = pi->nwrite = 0;
  pi->reader_open = pi->writer_open = 1;

  (*rf)->type = FD_PIPE;
  (*rf)->readable = 1;
  (*rf)->writable = 0;
  (*rf)->pipe = pi;
  (*wf)->type = FD_PIPE;
  (*wf)->readable = 0;
  (*wf)->writable = 1;
  (*wf)->pipe = pi;
  return 0;

fail:
  if (*rf)
    fileclose(*rf);
  if (*wf)
    fileclose(*wf);
  *rf = *wf = 0;
  return -1;
}

// Close one end; the second close frees the pipe.
void
pipeclose(struct pipe *pi, int writable)
{
  acquire(&pi->lock);
  if (writable) {
    pi->writer_open = 0;
    wakeup(&pi->nwrite); // readers now see end of file
  } else {
    pi->reader_open = 0;
    wakeup(&pi->nread);  // writers now fail
  }
  int gone = !pi->reader_open && !pi->writer_open;
  release(&pi->lock);
  if (gone)
    kfree((char *)pi);
}

// Write n bytes from user address addr, waiting for room as needed. Returns n, or
// the bytes written before the reader closed, the process was killed or the user
// buffer turned out bad; -1 if that happened before any byte was written.
int
pipewrite(struct pipe *pi, uint64 addr, int n)
{
  struct proc *p = myproc();
  int done = 0;

  acquire(&pi->lock);
  while (done < n) {
    if (!pi->reader_open || killed(p))
      break;
    uint room = PIPESIZE - (pi->nwrite - pi->nread);
    if (room == 0) {
      wakeup(&pi->nwrite);
      sleep(&pi->nread, &pi->lock);
      continue;
    }
    // Copy the largest piece that fits without wrapping around the ring.
    uint at = pi->nwrite % PIPESIZE;
    uint m = n - done;
    if (m > room)
      m = room;
    if (m > PIPESIZE - at)
      m = PIPESIZE - at;
    if (either_copyin(pi->data + at, 1, addr + done, m) < 0)
      break;
    pi->nwrite += m;
    done += m;
  }
  wakeup(&pi->nwrite);
  release(&pi->lock);
  return (done == 0 && n > 0) ? -1 : done;
}

// Read up to n bytes into user address addr, waiting while the pipe is empty and the
// write end open. Returns the bytes read, 0 at end of file, -1 if killed while
// waiting or if no byte could be copied to addr.
int
piperead(struct pipe *pi, uint64 addr, int n)
{
  struct proc *p = myproc();
  int done = 0;

  acquire(&pi->lock);
  while (pi->nread == pi->nwrite && pi->writer_open) {
    if (killed(p)) {
      release(&pi->lock);
      return -1;
    }
    sleep(&pi->nwrite, &pi->lock);
  }
  while (done < n && pi->nread != pi->nwrite) {
    uint at = pi->nread % PIPESIZE;
    uint m = n - done;
    if (m > pi->nwrite - pi->nread)
      m = pi->nwrite - pi->nread;
    if (m > PIPESIZE - at)
      m = PIPESIZE - at;
    if (either_copyout(1, addr + done, pi->data + at, m) < 0) {
      if (done == 0)
        done = -1;
      break;
    }
    pi->nread += m;
    done += m;
  }
  wakeup(&pi->nread);
  release(&pi->lock);
  return done;
}

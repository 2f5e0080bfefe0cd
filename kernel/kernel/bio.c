// The buffer cache: NBUF blocks kept in memory, so that a block read twice is fetched
// from the disk once, and so that two processes using the same block share one copy.
//
// bread() returns a buffer locked (sleep lock) for the caller alone; bwrite() sends
// its contents to the disk at once (this file system has no log, so every change is
// written through); brelse() unlocks it. A buffer nobody holds (refcnt 0) keeps its
// contents and may be recycled for another block: the one released longest ago goes
// first (each release stamps the buffer with a counter).
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "defs.h"
#include "fs.h"
#include "buf.h"

static struct {
  struct spinlock lock;  // guards dev, blockno, refcnt, lastuse of every buffer
  uint64 clock;          // counts releases
  struct buf buf[NBUF];
} bcache;

void
binit(void)
{
  initlock(&bcache.lock, "bcache");
  for (struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++) {
    initsleeplock(&b->lock, "buffer");
    b->valid = 0;
    b->refcnt = 0;
    b->lastuse = 0;
  }
}

// The buffer for (dev, blockno), locked. Its contents are valid only if b->valid.
// If every buffer is held by someone, wait for a brelse and look again: the block we
// want may have been read by someone else meanwhile.
static struct buf *
bget(uint dev, uint blockno)
{
  struct buf *b, *victim;

  acquire(&bcache.lock);
  for (;;) {
    victim = 0;
    for (b = bcache.buf; b < bcache.buf + NBUF; b++) {
      if ((b->refcnt > 0 || b->valid) && b->dev == dev && b->blockno == blockno) {
        b->refcnt++;
        release(&bcache.lock);
        acquiresleep(&b->lock);
        return b;
      }
      if (b->refcnt == 0 && (victim == 0 || b->lastuse < victim->lastuse))
        victim = b;
    }
    if (victim)
      break;
    sleep(&bcache.clock, &bcache.lock);
  }
  // Nobody holds the victim, so nobody can be sleeping on its lock: claim it.
  victim->dev = dev;
  victim->blockno = blockno;
  victim->valid = 0;
  victim->refcnt = 1;
  release(&bcache.lock);
  acquiresleep(&victim->lock);
  return victim;
}

// A locked buffer holding block blockno of dev.
struct buf *
bread(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);
  if (!b->valid) {
    virtio_disk_rw(b, 0);
    b->valid = 1;
  }
  return b;
}

// A locked buffer for block blockno of dev, filled with zeros instead of being read:
// for a block just allocated, whose old contents do not matter. The caller bwrite()s it.
struct buf *
bnew(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);
  memset(b->data, 0, BSIZE);
  b->valid = 1;
  return b;
}

// Write b's contents to the disk. The caller holds b's lock.
void
bwrite(struct buf *b)
{
  if (!holdingsleep(&b->lock))
    panic("bwrite: buffer not locked");
  virtio_disk_rw(b, 1);
}

// Unlock b; once nobody holds it, it becomes a candidate for recycling.
void
brelse(struct buf *b)
{
  if (!holdingsleep(&b->lock))
    panic("brelse: buffer not locked");
  releasesleep(&b->lock);

  acquire(&bcache.lock);
  b->refcnt--;
  if (b->refcnt == 0) {
    b->lastuse = ++bcache.clock;
    wakeup(&bcache.clock);
  }
  release(&bcache.lock);
}

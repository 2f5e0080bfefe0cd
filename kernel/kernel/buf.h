// One block of the buffer cache (bio.c): a copy in memory of a disk block, shared by
// everyone who reads or writes that block. The sleep lock gives one process at a time
// the right to use `data`; the cache's spinlock protects dev, blockno, refcnt and lastuse.
#ifndef BUF_H
#define BUF_H

struct buf {
  int valid;               // data holds the block's contents (read from disk or written)
  int disk;                // 1 while the disk driver owns the buffer (request in flight)
  uint dev;
  uint blockno;
  struct sleeplock lock;
  uint refcnt;             // holders of this buffer (bread without brelse yet)
  uint64 lastuse;          // bcache.clock when last released; smallest = reuse first
  uchar data[BSIZE];
};

#endif

// In-memory objects of the file system: open files (file.c), cached inodes (fs.c) and
// the device switch that routes reads and writes of T_DEVICE inodes to drivers.
#ifndef FILE_H
#define FILE_H
#include "fs.h"
#include "sleeplock.h"

// An open file: what a file descriptor refers to. Shared by dup() and fork(); freed
// when the last descriptor closes (ref drops to 0).
struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE } type;
  int ref;             // descriptors referring to this file; guarded by the table lock
  char readable;
  char writable;
  struct pipe *pipe;   // FD_PIPE
  struct inode *ip;    // FD_INODE and FD_DEVICE
  uint off;            // FD_INODE: where the next read or write starts
  short major;         // FD_DEVICE: index into devsw[]
};

// An inode in memory. inum and ref are guarded by the inode table's spinlock; the rest
// by the inode's sleep lock, and is a copy of the disk inode only once valid is set.
struct inode {
  uint dev;
  uint inum;
  int ref;               // pointers to this entry (open files, cwd, path walks)
  struct sleeplock lock;
  int valid;             // the fields below have been read from disk

  short type;            // copy of struct dinode
  short nlink;
  short major;
  short minor;
  uint size;
  uint direct[NDIRECT];
  uint indirect;
};

// A character device: read and write move n bytes to or from a user (flag 1) or
// kernel (flag 0) address and return the count moved, or -1.
struct devsw {
  int (*read)(int user_dst, uint64 dst, int n);
  int (*write)(int user_src, uint64 src, int n);
};

extern struct devsw devsw[];

#endif

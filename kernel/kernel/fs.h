// The on-disk format of the file system, shared by the kernel (fs.c) and the host
// tool mkfs. Include types.h first.
//
// The disk is an array of BSIZE-byte blocks, laid out in this order:
//
//   block 0          unused (room for a boot block)
//   block 1          the superblock
//   bitmap blocks    one bit per block of the disk, 1 = in use
//   inode blocks     the inode table, IPB inodes per block
//   data blocks      file and directory contents, indirect blocks
//
// The superblock records where each region starts, so the kernel never recomputes the
// layout. There is no journal: every change goes to disk as soon as it is made, in an
// order that keeps the image usable after a normal shutdown.
#ifndef FS_H
#define FS_H
#include "abi.h"

#define BSIZE 1024          // bytes per block
#define SECTORS_PER_BLOCK (BSIZE / 512)
#define FS_MAGIC 0x5346534b // "KSFS" read as little-endian bytes
#define ROOTINO 1           // inode number of "/" (inode 0 is never used)
#define NINODES 256         // inodes created by mkfs

struct superblock {
  uint magic;        // FS_MAGIC
  uint nblocks;      // blocks on the whole disk
  uint ninodes;      // entries in the inode table
  uint bmapstart;    // first bitmap block
  uint nbmap;        // bitmap blocks
  uint inodestart;   // first inode-table block
  uint ninodeblocks; // inode-table blocks
  uint datastart;    // first data block; blocks before it are never allocated
};

// A file's blocks: NDIRECT block numbers in the inode, then one indirect block that
// holds NINDIRECT more. Block number 0 means "not allocated" (block 0 is never data).
#define NDIRECT 11
#define NINDIRECT (BSIZE / sizeof(uint))
#define MAXFILE (NDIRECT + NINDIRECT) // in blocks

// An inode as stored in the inode table. type 0 marks a free entry.
struct dinode {
  ushort type;             // T_DIR, T_FILE, T_DEVICE (abi.h), or 0 if free
  ushort nlink;            // directory entries naming this inode
  ushort major;            // T_DEVICE only: which devsw[] entry
  ushort minor;
  uint size;               // bytes of content
  uint direct[NDIRECT];    // first NDIRECT data blocks
  uint indirect;           // block holding the next NINDIRECT block numbers
  uint spare;              // pads the entry to 64 bytes
};

#define IPB (BSIZE / sizeof(struct dinode)) // inodes per block

// The inode-table block holding inode inum.
#define INODE_BLOCK(inum, sb) ((inum) / IPB + (sb).inodestart)

#define BPB (BSIZE * 8) // bitmap bits per block

// The bitmap block holding the bit of block b.
#define BITMAP_BLOCK(b, sb) ((b) / BPB + (sb).bmapstart)

// Directories hold struct dirent entries (abi.h), 16 bytes each.

#endif

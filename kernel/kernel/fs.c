// The file system proper: free-block bitmap, inodes, file contents, directories and
// path names, on the disk format of fs.h. Five layers, each using the one before:
//
//   blocks       balloc/bfree flip bits in the bitmap
//   inodes       the in-memory inode table: iget/idup/iput count references,
//                ilock/iunlock give one process at a time the right to the contents
//   contents     bmap turns a file's block index into a disk block; readi/writei
//   directories  dirlookup/dirlink on files of struct dirent
//   paths        namei/nameiparent walk a path one directory at a time
//
// Every change is written to the disk at once through the buffer cache (no log).
// Lock order: an inode's sleep lock before buffer locks; a directory before the
// inodes it names (create, unlink). Path walks hold one inode lock at a time, so
// "." and ".." cannot deadlock them.
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "proc.h"
#include "defs.h"
#include "fs.h"
#include "buf.h"
#include "file.h"

// The superblock of the one file system. Read once by fsinit(); never changes.
static struct superblock sb;

// Read the superblock of dev and check it. Called by the first process (the disk
// driver sleeps, so this cannot run during boot).
void
fsinit(int dev)
{
  struct buf *bp = bread(dev, 1);
  memmove(&sb, bp->data, sizeof(sb));
  brelse(bp);
  if (sb.magic != FS_MAGIC)
    panic("fsinit: no file system on the disk (bad magic)");
  if (sb.datastart >= sb.nblocks || sb.ninodes > sb.ninodeblocks * IPB)
    panic("fsinit: inconsistent superblock");
}

// ---- blocks ----

// Write zeros over block b.
static void
bclear(uint dev, uint b)
{
  struct buf *bp = bnew(dev, b);
  bwrite(bp);
  brelse(bp);
}

// Mark a free block in use and return it, or 0 if the disk is full. Its contents
// are whatever was there: the caller clears it or overwrites it completely.
static uint
balloc(uint dev)
{
  for (uint base = 0; base < sb.nblocks; base += BPB) {
    struct buf *bp = bread(dev, BITMAP_BLOCK(base, sb));
    for (uint bit = 0; bit < BPB && base + bit < sb.nblocks; bit++) {
      uint b = base + bit;
      uchar mask = 1 << (bit % 8);
      if (b < sb.datastart || (bp->data[bit / 8] & mask))
        continue;
      bp->data[bit / 8] |= mask;
      bwrite(bp);
      brelse(bp);
      return b;
    }
    brelse(bp);
  }
  printf("balloc: out of blocks\n");
  return 0;
}

static void
bfree(uint dev, uint b)
{
  if (b < sb.datastart || b >= sb.nblocks)
    panic("bfree: not a data block");
  struct buf *bp = bread(dev, BITMAP_BLOCK(b, sb));
  uint bit = b % BPB;
  uchar mask = 1 << (bit % 8);
  if ((bp->data[bit / 8] & mask) == 0)
    panic("bfree: block already free");
  bp->data[bit / 8] &= ~mask;
  bwrite(bp);
  brelse(bp);
}

// ---- inodes ----

// The in-memory inode table. An entry with ref 0 is free; its valid contents may be
// reused by iget() for the same inode, or thrown away for another one.
static struct {
  struct spinlock lock;  // guards dev, inum and ref of every entry
  struct inode inode[NINODE];
} itable;

// Called once during boot, before any process (fileinit calls it).
void
iinit(void)
{
  initlock(&itable.lock, "itable");
  for (int i = 0; i < NINODE; i++)
    initsleeplock(&itable.inode[i].lock, "inode");
}

// The table entry for inode inum of dev, with one more reference; neither locked
// nor read from the disk (ilock does that).
struct inode *
iget(uint dev, uint inum)
{
  struct inode *ip, *empty = 0;

  acquire(&itable.lock);
  for (ip = itable.inode; ip < itable.inode + NINODE; ip++) {
    if (ip->ref > 0 && ip->dev == dev && ip->inum == inum) {
      ip->ref++;
      release(&itable.lock);
      return ip;
    }
    if (ip->ref == 0 && empty == 0)
      empty = ip;
  }
  if (empty == 0)
    panic("iget: inode table full");
  empty->dev = dev;
  empty->inum = inum;
  empty->ref = 1;
  empty->valid = 0;
  release(&itable.lock);
  return empty;
}

// Another reference to ip (for fork's cwd, dup of a path walk's start).
struct inode *
idup(struct inode *ip)
{
  acquire(&itable.lock);
  ip->ref++;
  release(&itable.lock);
  return ip;
}

// A free disk inode, marked as type and returned unlocked with one reference,
// or 0 if the inode table on disk is full.
struct inode *
ialloc(uint dev, short type)
{
  for (uint inum = ROOTINO; inum < sb.ninodes; inum++) {
    struct buf *bp = bread(dev, INODE_BLOCK(inum, sb));
    struct dinode *dip = (struct dinode *)bp->data + inum % IPB;
    if (dip->type == 0) {
      memset(dip, 0, sizeof(*dip));
      dip->type = type;
      bwrite(bp);
      brelse(bp);
      return iget(dev, inum);
    }
    brelse(bp);
  }
  printf("ialloc: out of inodes\n");
  return 0;
}

// Copy ip's fields to its disk inode. The caller holds ip's lock.
void
iupdate(struct inode *ip)
{
  struct buf *bp = bread(ip->dev, INODE_BLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)bp->data + ip->inum % IPB;
  dip->type = ip->type;
  dip->nlink = ip->nlink;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->size = ip->size;
  memmove(dip->direct, ip->direct, sizeof(ip->direct));
  dip->indirect = ip->indirect;
  bwrite(bp);
  brelse(bp);
}

// Lock ip, reading it from the disk the first time.
void
ilock(struct inode *ip)
{
  if (ip == 0 || ip->ref < 1)
    panic("ilock: no reference");
  acquiresleep(&ip->lock);
  if (!ip->valid) {
    struct buf *bp = bread(ip->dev, INODE_BLOCK(ip->inum, sb));
    struct dinode *dip = (struct dinode *)bp->data + ip->inum % IPB;
    ip->type = dip->type;
    ip->nlink = dip->nlink;
    ip->major = dip->major;
    ip->minor = dip->minor;
    ip->size = dip->size;
    memmove(ip->direct, dip->direct, sizeof(ip->direct));
    ip->indirect = dip->indirect;
    brelse(bp);
    ip->valid = 1;
    if (ip->type == 0)
      panic("ilock: inode is free on disk");
  }
}

void
iunlock(struct inode *ip)
{
  if (ip == 0 || !holdingsleep(&ip->lock) || ip->ref < 1)
    panic("iunlock: not locked");
  releasesleep(&ip->lock);
}

// Drop a reference. The last reference to an inode no directory names (nlink 0)
// frees it and its blocks. The caller must not hold ip's lock.
void
iput(struct inode *ip)
{
  acquire(&itable.lock);
  if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
    // Nobody else holds a reference, so nobody holds or waits for the lock, and no
    // path walk can find the inode (no directory entry names it).
    release(&itable.lock);
    acquiresleep(&ip->lock);
    itrunc(ip);
    ip->type = 0;
    iupdate(ip);
    ip->valid = 0;
    releasesleep(&ip->lock);
    acquire(&itable.lock);
  }
  ip->ref--;
  release(&itable.lock);
}

void
iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// Copy stat information about ip. The caller holds ip's lock.
void
stati(struct inode *ip, struct stat *st)
{
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

// ---- contents ----

// The disk block holding block index bn of ip, allocated now if it has none yet;
// 0 if it had none and the disk is full. A block allocated here is cleared on the
// disk, unless fresh is not 0: then *fresh says whether the block is new, and the
// caller must write all of it (writei does, through bnew) before releasing ip.
// New indirect blocks are always cleared (a stale pointer would be fatal).
// The caller holds ip's lock.
static uint
bmap(struct inode *ip, uint bn, int *fresh)
{
  uint *slot, b;
  struct buf *bp = 0;

  if (fresh)
    *fresh = 0;
  if (bn < NDIRECT) {
    slot = &ip->direct[bn];
  } else {
    bn -= NDIRECT;
    if (bn >= NINDIRECT)
      panic("bmap: block index beyond MAXFILE");
    if (ip->indirect == 0) {
      if ((ip->indirect = balloc(ip->dev)) == 0)
        return 0;
      bclear(ip->dev, ip->indirect);
    }
    bp = bread(ip->dev, ip->indirect);
    slot = (uint *)bp->data + bn;
  }

  if ((b = *slot) == 0 && (b = balloc(ip->dev)) != 0) {
    if (fresh)
      *fresh = 1;
    else
      bclear(ip->dev, b);
    *slot = b;
    if (bp)
      bwrite(bp); // the indirect block changed; a direct slot is saved by iupdate
  }
  if (bp)
    brelse(bp);
  return b;
}

// Take block index bn, just allocated by bmap, out of ip again and free it: writei
// could not fill it, and a file owns no blocks past its size. The caller holds ip's lock.
static void
bunmap(struct inode *ip, uint bn)
{
  uint b;
  if (bn < NDIRECT) {
    b = ip->direct[bn];
    ip->direct[bn] = 0;
  } else {
    struct buf *bp = bread(ip->dev, ip->indirect);
    uint *slot = (uint *)bp->data + (bn - NDIRECT);
    b = *slot;
    *slot = 0;
    bwrite(bp);
    brelse(bp);
  }
  bfree(ip->dev, b);
}

// Free all of ip's blocks and make it empty. The caller holds ip's lock.
void
itrunc(struct inode *ip)
{
  for (int i = 0; i < NDIRECT; i++) {
    if (ip->direct[i]) {
      bfree(ip->dev, ip->direct[i]);
      ip->direct[i] = 0;
    }
  }
  if (ip->indirect) {
    struct buf *bp = bread(ip->dev, ip->indirect);
    uint *table = (uint *)bp->data;
    for (uint i = 0; i < NINDIRECT; i++)
      if (table[i])
        bfree(ip->dev, table[i]);
    brelse(bp);
    bfree(ip->dev, ip->indirect);
    ip->indirect = 0;
  }
  ip->size = 0;
  iupdate(ip);
}

// Copy up to n bytes from offset off of ip to dst (a user address if user_dst, else
// a kernel one). Returns the bytes copied (0 at or past the end), or -1 if nothing
// could be copied to dst. The caller holds ip's lock.
int
readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n)
{
  if (off >= ip->size || n == 0)
    return 0;
  if (n > ip->size - off)
    n = ip->size - off;

  uint done = 0;
  while (done < n) {
    uint b = bmap(ip, off / BSIZE, 0);
    if (b == 0)
      break;
    struct buf *bp = bread(ip->dev, b);
    uint start = off % BSIZE;
    uint m = BSIZE - start;
    if (m > n - done)
      m = n - done;
    int bad = either_copyout(user_dst, dst, bp->data + start, m) < 0;
    brelse(bp);
    if (bad)
      return done > 0 ? (int)done : -1;
    done += m;
    off += m;
    dst += m;
  }
  return done;
}

// Copy n bytes from src (user address if user_src) to offset off of ip, growing the
// file if the write passes its end. off must not be past the end (no holes). Returns
// the bytes written, fewer if the disk fills or MAXFILE is reached, or -1 if nothing
// could be written. The caller holds ip's lock.
int
writei(struct inode *ip, int user_src, uint64 src, uint off, uint n)
{
  if (off > ip->size || off + n < off)
    return -1;
  if (n > 0 && off >= MAXFILE * BSIZE)
    return -1;
  if ((uint64)off + n > (uint64)MAXFILE * BSIZE)
    n = MAXFILE * BSIZE - off;

  uint done = 0;
  while (done < n) {
    int fresh;
    uint b = bmap(ip, off / BSIZE, &fresh);
    if (b == 0)
      break;
    // A fresh block starts as zeros in the cache, not as its stale disk contents.
    struct buf *bp = fresh ? bnew(ip->dev, b) : bread(ip->dev, b);
    uint start = off % BSIZE;
    uint m = BSIZE - start;
    if (m > n - done)
      m = n - done;
    if (either_copyin(bp->data + start, user_src, src, m) < 0) {
      brelse(bp);
      if (fresh)
        bunmap(ip, off / BSIZE);
      break;
    }
    bwrite(bp);
    brelse(bp);
    done += m;
    off += m;
    src += m;
  }
  if (off > ip->size)
    ip->size = off;
  // Even a failed write may have added blocks (bmap changed direct/indirect).
  iupdate(ip);
  if (done == 0 && n > 0)
    return -1;
  return done;
}

// ---- directories ----

// Compare two names of at most DIRSIZ characters (0 if equal).
int
namecmp(const char *a, const char *b)
{
  return strncmp(a, b, DIRSIZ);
}

// Find an entry of directory dp: the one named name, or, if name is 0, the first
// empty slot. Returns its byte offset and sets *inum to its inode number, or returns
// dp->size if there is none. Scans a block at a time, straight from the buffer cache.
// The caller holds dp's lock.
static uint
dir_find(struct inode *dp, char *name, uint *inum)
{
  if (dp->type != T_DIR)
    panic("dir_find: not a directory");
  for (uint base = 0; base < dp->size; base += BSIZE) {
    uint b = bmap(dp, base / BSIZE, 0);
    if (b == 0)
      panic("dir_find: directory block missing");
    struct buf *bp = bread(dp->dev, b);
    struct dirent *de = (struct dirent *)bp->data;
    uint n = dp->size - base < BSIZE ? dp->size - base : BSIZE;
    for (uint i = 0; i < n / sizeof(*de); i++) {
      int hit = name ? de[i].inum != 0 && namecmp(name, de[i].name) == 0
                     : de[i].inum == 0;
      if (hit) {
        *inum = de[i].inum;
        brelse(bp);
        return base + i * sizeof(*de);
      }
    }
    brelse(bp);
  }
  return dp->size;
}

// The inode named name in directory dp, unlocked with a new reference, or 0. If poff
// is not 0, *poff is set to the entry's byte offset. The caller holds dp's lock.
struct inode *
dirlookup(struct inode *dp, char *name, uint *poff)
{
  uint inum;
  uint off = dir_find(dp, name, &inum);
  if (off >= dp->size)
    return 0;
  if (poff)
    *poff = off;
  return iget(dp->dev, inum);
}

// Add the entry (name, inum) to directory dp, in the first empty slot or at the end.
// Returns 0, or -1 if the name is already there or the directory cannot grow.
// The caller holds dp's lock.
int
dirlink(struct inode *dp, char *name, uint inum)
{
  struct dirent de;
  uint unused;
  if (dir_find(dp, name, &unused) < dp->size)
    return -1;

  uint off = dir_find(dp, 0, &unused); // an empty slot, or the end
  memset(&de, 0, sizeof(de));
  strncpy(de.name, name, DIRSIZ);
  de.inum = inum;
  if (writei(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
    return -1;
  return 0;
}

// ---- paths ----

// Split off the first element of path: copy it (cut to DIRSIZ) into name and return
// the rest, without leading slashes; 0 if path holds no element. Examples:
//   "a/bb/c" -> name "a", returns "bb/c";  "///a//" -> "a", returns "";  "" -> 0.
static char *
next_element(char *path, char *name)
{
  while (*path == '/')
    path++;
  if (*path == 0)
    return 0;
  char *start = path;
  while (*path != '/' && *path != 0)
    path++;
  int len = path - start;
  if (len >= DIRSIZ) {
    memmove(name, start, DIRSIZ);
  } else {
    memmove(name, start, len);
    name[len] = 0;
  }
  while (*path == '/')
    path++;
  return path;
}

// Walk path. If parent is 0, return the inode it names; otherwise stop one step
// early, return the directory holding the last element and copy that element into
// name (DIRSIZ bytes). Returns an unlocked inode with a new reference, or 0.
static struct inode *
walkpath(char *path, int parent, char *name)
{
  struct inode *ip, *next;

  if (*path == 0)
    return 0; // the empty path names nothing (as in Unix)
  if (*path == '/')
    ip = iget(ROOTDEV, ROOTINO);
  else
    ip = idup(myproc()->cwd);

  while ((path = next_element(path, name)) != 0) {
    ilock(ip);
    if (ip->type != T_DIR) {
      iunlockput(ip);
      return 0;
    }
    if (parent && *path == 0) {
      iunlock(ip);
      return ip; // name holds the last element
    }
    next = dirlookup(ip, name, 0);
    // Unlock before moving on: for "." next == ip, and holding a directory while
    // locking its parent ("..") could deadlock against a walk going down.
    iunlockput(ip);
    if (next == 0)
      return 0;
    ip = next;
  }
  if (parent) {
    // The path had no element at all ("/" or ""): there is no parent to return.
    iput(ip);
    return 0;
  }
  return ip;
}

struct inode *
namei(char *path)
{
  char name[DIRSIZ];
  return walkpath(path, 0, name);
}

struct inode *
nameiparent(char *path, char *name)
{
  return walkpath(path, 1, name);
}

// mkfs: builds a disk image of the teaching kernel's file system (format in
// kernel/fs.h) on the host, or checks one.
//
//   mkfs fs.img FILE...     build
//   mkfs -c fs.img          check an image, e.g. after the kernel has used it: every
//                           block has at most one owner and the bitmap agrees, link
//                           counts match directory entries, no holes in files
//
// The image has FSSIZE blocks (kernel/param.h) and a root directory holding each FILE
// under its base name, less one leading '_' (build/user/_sh becomes /sh). The whole
// image is assembled in memory and written at once; it depends only on the inputs
// (no timestamps, blocks and inodes handed out in order), so the same files always
// give the same bytes.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"

_Static_assert(sizeof(struct dinode) == 64, "struct dinode must stay 64 bytes");
_Static_assert(BSIZE % sizeof(struct dinode) == 0, "inodes must not straddle blocks");
_Static_assert(sizeof(struct dirent) == 16, "struct dirent must stay 16 bytes");
_Static_assert(sizeof(struct superblock) <= BSIZE, "superblock too large");

static uchar image[FSSIZE][BSIZE];
static struct superblock sb;
static uint next_block;  // next data block to hand out
static uint next_inum = ROOTINO;

static void
die(const char *what, const char *detail)
{
  fprintf(stderr, "mkfs: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(1);
}

static struct dinode *
dinode(uint inum)
{
  return (struct dinode *)image[INODE_BLOCK(inum, sb)] + inum % IPB;
}

static void
mark_used(uint b)
{
  image[BITMAP_BLOCK(b, sb)][(b % BPB) / 8] |= 1 << (b % 8);
}

static uint
new_block(void)
{
  if (next_block >= sb.nblocks)
    die("image full", 0);
  mark_used(next_block);
  return next_block++;
}

static uint
new_inode(ushort type)
{
  if (next_inum >= sb.ninodes)
    die("out of inodes", 0);
  struct dinode *d = dinode(next_inum);
  memset(d, 0, sizeof(*d));
  d->type = type;
  d->nlink = 1;
  return next_inum++;
}

// The disk block of block index bn of inode inum, allocating it (and the indirect
// block) on first use.
static uint
file_block(uint inum, uint bn)
{
  struct dinode *d = dinode(inum);
  if (bn < NDIRECT) {
    if (d->direct[bn] == 0)
      d->direct[bn] = new_block();
    return d->direct[bn];
  }
  bn -= NDIRECT;
  if (bn >= NINDIRECT)
    die("file larger than MAXFILE blocks", 0);
  if (d->indirect == 0)
    d->indirect = new_block();
  uint *table = (uint *)image[d->indirect];
  if (table[bn] == 0)
    table[bn] = new_block();
  return table[bn];
}

// Add n bytes at the end of inode inum.
static void
append(uint inum, const void *data, uint n)
{
  const uchar *src = data;
  while (n > 0) {
    struct dinode *d = dinode(inum);
    uint off = d->size;
    uint b = file_block(inum, off / BSIZE);
    uint m = BSIZE - off % BSIZE;
    if (m > n)
      m = n;
    memcpy(image[b] + off % BSIZE, src, m);
    dinode(inum)->size = off + m;
    src += m;
    n -= m;
  }
}

static void
add_entry(uint dir, const char *name, uint inum)
{
  struct dirent de;
  memset(&de, 0, sizeof(de));
  de.inum = inum;
  memcpy(de.name, name, strnlen(name, DIRSIZ)); // NUL-padded by the memset
  append(dir, &de, sizeof(de));
}

// The name a FILE argument gets in "/": its base name without one leading '_'.
static const char *
entry_name(const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *name = slash ? slash + 1 : path;
  if (name[0] == '_')
    name++;
  if (name[0] == 0 || strlen(name) > DIRSIZ)
    die("bad file name (empty or longer than DIRSIZ)", path);
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    die("reserved file name", path);
  return name;
}

static void
add_file(uint root, const char *path)
{
  const char *name = entry_name(path);
  // Refuse duplicates: the kernel's dirlookup would only ever find the first.
  struct dinode *r = dinode(root);
  for (uint off = 0; off < r->size; off += sizeof(struct dirent)) {
    struct dirent *de =
        (struct dirent *)(image[file_block(root, off / BSIZE)] + off % BSIZE);
    if (de->inum && strncmp(de->name, name, DIRSIZ) == 0)
      die("two files with the same name", path);
  }

  FILE *in = fopen(path, "rb");
  if (in == 0)
    die("cannot open", path);
  uint inum = new_inode(T_FILE);
  uchar buf[BSIZE];
  size_t got;
  while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
    append(inum, buf, got);
  if (ferror(in))
    die("cannot read", path);
  fclose(in);
  add_entry(root, name, inum);
}

// ---- mkfs -c: checking an image ----

static int problems;

static void
problem(const char *fmt, ...)
{
  if (problems++ >= 40)
    return; // the first ones say enough
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mkfs -c: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

// Block index bn of inode d without allocating: 0 if none (or the indirect block
// pointer is out of range, reported elsewhere).
static uint
block_of(struct dinode *d, uint bn)
{
  if (bn < NDIRECT)
    return d->direct[bn];
  if (d->indirect < sb.datastart || d->indirect >= sb.nblocks)
    return 0;
  return ((uint *)image[d->indirect])[bn - NDIRECT];
}

// Count one owner of block b, for inode inum.
static void
claim(uchar *owners, uint b, uint inum)
{
  if (b < sb.datastart || b >= sb.nblocks)
    problem("inode %u points at block %u, outside the data region", inum, b);
  else if (owners[b]++)
    problem("block %u has more than one owner (inode %u among them)", b, inum);
}

static void
check_inode(uchar *owners, uint inum)
{
  struct dinode *d = dinode(inum);
  if (d->type != T_DIR && d->type != T_FILE && d->type != T_DEVICE)
    problem("inode %u has unknown type %u", inum, d->type);
  if (d->size > MAXFILE * BSIZE) {
    problem("inode %u is %u bytes, more than MAXFILE blocks", inum, d->size);
    return;
  }
  if (d->indirect)
    claim(owners, d->indirect, inum);
  uint used = (d->size + BSIZE - 1) / BSIZE;
  for (uint bn = 0; bn < MAXFILE; bn++) {
    uint b = block_of(d, bn);
    if (b)
      claim(owners, b, inum);
    if (bn < used && b == 0)
      problem("inode %u has a hole at block index %u", inum, bn);
    if (bn >= used && b != 0)
      problem("inode %u holds block %u past its size", inum, b);
  }
}

// Count the entries of directory inum into links[]; check "." and "..".
static void
check_directory(ushort *links, uint inum)
{
  struct dinode *d = dinode(inum);
  if (d->size % sizeof(struct dirent) != 0)
    problem("directory %u has a size of %u, not a whole number of entries", inum, d->size);
  for (uint off = 0; off + sizeof(struct dirent) <= d->size; off += sizeof(struct dirent)) {
    uint b = block_of(d, off / BSIZE);
    if (b < sb.datastart || b >= sb.nblocks)
      return; // reported by check_inode
    struct dirent *de = (struct dirent *)(image[b] + off % BSIZE);
    if (off == 0 && (de->inum != inum || strncmp(de->name, ".", DIRSIZ) != 0))
      problem("directory %u does not start with \".\"", inum);
    if (off == sizeof(struct dirent) && strncmp(de->name, "..", DIRSIZ) != 0)
      problem("directory %u has no \"..\" second", inum);
    if (de->inum == 0)
      continue;
    if (de->inum >= sb.ninodes || dinode(de->inum)->type == 0)
      problem("directory %u names free or invalid inode %u (%.14s)", inum, de->inum, de->name);
    else
      links[de->inum]++;
  }
}

static int
check(const char *path)
{
  FILE *in = fopen(path, "rb");
  if (in == 0)
    die("cannot open", path);
  size_t nread = fread(image, BSIZE, FSSIZE, in);
  fclose(in);
  memcpy(&sb, image[1], sizeof(sb));
  if (nread < 2 || sb.magic != FS_MAGIC)
    die("not a file system image (bad magic)", path);
  if (sb.nblocks != nread || sb.bmapstart < 2 || sb.nbmap * BPB < sb.nblocks ||
      sb.inodestart < sb.bmapstart + sb.nbmap || sb.ninodes > sb.ninodeblocks * IPB ||
      sb.datastart < sb.inodestart + sb.ninodeblocks || sb.datastart >= sb.nblocks ||
      sb.ninodes <= ROOTINO)
    die("inconsistent superblock or truncated image", path);

  uchar *owners = calloc(sb.nblocks, 1);
  ushort *links = calloc(sb.ninodes, sizeof(ushort));
  uint files = 0;
  if (dinode(ROOTINO)->type != T_DIR)
    problem("inode %u (the root) is not a directory", ROOTINO);
  for (uint inum = ROOTINO; inum < sb.ninodes; inum++) {
    if (dinode(inum)->type == 0)
      continue;
    files++;
    check_inode(owners, inum);
  }
  for (uint inum = ROOTINO; inum < sb.ninodes; inum++)
    if (dinode(inum)->type == T_DIR)
      check_directory(links, inum);
  for (uint inum = ROOTINO; inum < sb.ninodes; inum++) {
    struct dinode *d = dinode(inum);
    if (d->type != 0 && d->nlink != links[inum])
      problem("inode %u has nlink %u but %u directory entries", inum, d->nlink, links[inum]);
  }

  uint inuse = 0;
  for (uint b = 0; b < sb.nblocks; b++) {
    int marked = (image[BITMAP_BLOCK(b, sb)][(b % BPB) / 8] >> (b % 8)) & 1;
    int owned = b < sb.datastart || owners[b];
    inuse += marked;
    if (marked && !owned)
      problem("block %u is marked in use but nothing owns it", b);
    if (owned && !marked)
      problem("block %u is in use but marked free", b);
  }
  printf("mkfs -c: %s: %u of %u blocks and %u of %u inodes in use: %s\n", path, inuse,
         sb.nblocks, files, sb.ninodes - ROOTINO, problems ? "PROBLEMS FOUND" : "clean");
  free(owners);
  free(links);
  return problems ? 1 : 0;
}

int
main(int argc, char *argv[])
{
  uint probe = 1;
  if (*(uchar *)&probe != 1)
    die("the host must be little-endian like RISC-V", 0);
  if (argc == 3 && strcmp(argv[1], "-c") == 0)
    return check(argv[2]);
  if (argc < 2 || argv[1][0] == '-') {
    fprintf(stderr, "usage: mkfs fs.img FILE...   or   mkfs -c fs.img\n");
    return 1;
  }

  sb.magic = FS_MAGIC;
  sb.nblocks = FSSIZE;
  sb.ninodes = NINODES;
  sb.bmapstart = 2;
  sb.nbmap = (FSSIZE + BPB - 1) / BPB;
  sb.inodestart = sb.bmapstart + sb.nbmap;
  sb.ninodeblocks = (NINODES + IPB - 1) / IPB;
  sb.datastart = sb.inodestart + sb.ninodeblocks;
  if (sb.datastart >= sb.nblocks)
    die("FSSIZE too small for the metadata", 0);
  memcpy(image[1], &sb, sizeof(sb));

  // Blocks before the data region are never allocated: mark them used.
  for (uint b = 0; b < sb.datastart; b++)
    mark_used(b);
  next_block = sb.datastart;

  // The root directory: "." and ".." both name it, hence two links.
  uint root = new_inode(T_DIR);
  if (root != ROOTINO)
    die("root is not ROOTINO", 0);
  add_entry(root, ".", root);
  add_entry(root, "..", root);
  dinode(root)->nlink = 2;

  for (int i = 2; i < argc; i++)
    add_file(root, argv[i]);

  FILE *out = fopen(argv[1], "wb");
  if (out == 0)
    die("cannot create", argv[1]);
  if (fwrite(image, BSIZE, FSSIZE, out) != FSSIZE || fclose(out) != 0)
    die("cannot write", argv[1]);
  printf("mkfs: %s: %u blocks (%u data, %u used), %u inodes (%u used)\n", argv[1],
         sb.nblocks, sb.nblocks - sb.datastart, next_block - sb.datastart, sb.ninodes,
         next_inum - ROOTINO);
  return 0;
}

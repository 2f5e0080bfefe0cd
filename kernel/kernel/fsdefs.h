// The file-system side of the kernel's internal interfaces (defs.h includes this):
// disk driver, buffer cache, inodes and paths, open files, pipes and the file system
// calls. struct devsw and devsw[] live in file.h.
#ifndef FSDEFS_H
#define FSDEFS_H

struct buf;
struct file;
struct inode;
struct pipe;
struct stat;

// virtio_disk.c
void virtio_disk_init(void);
void virtio_disk_rw(struct buf *b, int write);
void virtio_disk_intr(void);

// bio.c
void binit(void);
struct buf *bread(uint dev, uint blockno);
struct buf *bnew(uint dev, uint blockno);
void bwrite(struct buf *b);
void brelse(struct buf *b);

// fs.c
void iinit(void);
void fsinit(int dev);
struct inode *ialloc(uint dev, short type);
struct inode *iget(uint dev, uint inum);
struct inode *idup(struct inode *ip);
void iupdate(struct inode *ip);
void ilock(struct inode *ip);
void iunlock(struct inode *ip);
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
void itrunc(struct inode *ip);
void stati(struct inode *ip, struct stat *st);
int readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n);
int writei(struct inode *ip, int user_src, uint64 src, uint off, uint n);
int namecmp(const char *a, const char *b);
struct inode *dirlookup(struct inode *dp, char *name, uint *poff);
int dirlink(struct inode *dp, char *name, uint inum);
struct inode *namei(char *path);
struct inode *nameiparent(char *path, char *name);

// file.c
void fileinit(void);
struct file *filealloc(void);
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int filestat(struct file *f, uint64 addr);
int fileread(struct file *f, uint64 addr, int n);
int filewrite(struct file *f, uint64 addr, int n);

// pipe.c
int pipealloc(struct file **f0, struct file **f1);
void pipeclose(struct pipe *pi, int writable);
int piperead(struct pipe *pi, uint64 addr, int n);
int pipewrite(struct pipe *pi, uint64 addr, int n);

// sysfile.c: the file system calls (the dispatcher's table declares them too)
uint64 sys_pipe(void);
uint64 sys_read(void);
uint64 sys_write(void);
uint64 sys_close(void);
uint64 sys_dup(void);
uint64 sys_fstat(void);
uint64 sys_open(void);
uint64 sys_mknod(void);
uint64 sys_unlink(void);
uint64 sys_link(void);
uint64 sys_mkdir(void);
uint64 sys_chdir(void);

#endif

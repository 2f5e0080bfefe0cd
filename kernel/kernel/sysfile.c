// The file system calls: argument checking and the per-process descriptor table on
// top of file.c (open files), fs.c (inodes, directories, paths) and pipe.c. Every
// call returns -1 on any error; user memory is reached only through argstr and
// either_copyin/either_copyout, so lazily allocated user buffers work.
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "proc.h"
#include "defs.h"
#include "fs.h"
#include "file.h"

// The open file behind descriptor argument n, also returning the descriptor if pfd.
static struct file *
argfile(int n, int *pfd)
{
  int fd;
  argint(n, &fd);
  if (fd < 0 || fd >= NOFILE)
    return 0;
  struct file *f = myproc()->ofile[fd];
  if (f && pfd)
    *pfd = fd;
  return f;
}

// The lowest free descriptor of the current process, now referring to f; -1 if full.
static int
fdalloc(struct file *f)
{
  struct proc *p = myproc();
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd] == 0) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -1;
}

uint64
sys_dup(void)
{
  struct file *f = argfile(0, 0);
  if (f == 0)
    return -1;
  int fd = fdalloc(f);
  if (fd < 0)
    return -1;
  filedup(f);
  return fd;
}

uint64
sys_read(void)
{
  int n;
  uint64 addr;
  struct file *f = argfile(0, 0);
  argaddr(1, &addr);
  argint(2, &n);
  if (f == 0)
    return -1;
  return fileread(f, addr, n);
}

uint64
sys_write(void)
{
  int n;
  uint64 addr;
  struct file *f = argfile(0, 0);
  argaddr(1, &addr);
  argint(2, &n);
  if (f == 0)
    return -1;
  return filewrite(f, addr, n);
}

uint64
sys_close(void)
{
  int fd;
  struct file *f = argfile(0, &fd);
  if (f == 0)
    return -1;
  myproc()->ofile[fd] = 0;
  fileclose(f);
  return 0;
}

uint64
sys_fstat(void)
{
  uint64 addr;
  struct file *f = argfile(0, 0);
  argaddr(1, &addr);
  if (f == 0)
    return -1;
  return filestat(f, addr);
}

uint64
sys_pipe(void)
{
  uint64 fdarray; // user pointer to int[2]: read end, write end
  struct file *rf, *wf;
  struct proc *p = myproc();

  argaddr(0, &fdarray);
  if (pipealloc(&rf, &wf) < 0)
    return -1;
  int fds[2] = {-1, -1};
  if ((fds[0] = fdalloc(rf)) < 0 || (fds[1] = fdalloc(wf)) < 0 ||
      either_copyout(1, fdarray, fds, sizeof(fds)) < 0) {
    if (fds[0] >= 0)
      p->ofile[fds[0]] = 0;
    if (fds[1] >= 0)
      p->ofile[fds[1]] = 0;
    fileclose(rf);
    fileclose(wf);
    return -1;
  }
  return 0;
}

// Make a new inode of the given type named path and return it locked. For T_FILE an
// existing file or device of that name is returned instead (open with O_CREATE).
// 0 if the parent directory is missing or gone, the name exists otherwise, or the
// disk is out of inodes or blocks.
static struct inode *
create(char *path, short type, short major, short minor)
{
  char name[DIRSIZ];
  struct inode *dp, *ip;

  if ((dp = nameiparent(path, name)) == 0)
    return 0;
  ilock(dp);

  if ((ip = dirlookup(dp, name, 0)) != 0) {
    iunlockput(dp);
    ilock(ip);
    if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE))
      return ip;
    iunlockput(ip);
    return 0;
  }
  // A directory that has been unlinked (still some process's cwd) takes no entries.
  if (dp->nlink == 0 || (ip = ialloc(dp->dev, type)) == 0) {
    iunlockput(dp);
    return 0;
  }

  ilock(ip);
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1; // the entry in dp
  iupdate(ip);

  if (type == T_DIR) {
    // "." names the directory itself and counts as a link, as in Unix; ".." is a
    // link to the parent.
    if (dirlink(ip, ".", ip->inum) < 0 || dirlink(ip, "..", dp->inum) < 0)
      goto undo;
    ip->nlink++;
    iupdate(ip);
  }
  if (dirlink(dp, name, ip->inum) < 0)
    goto undo;
  if (type == T_DIR) {
    dp->nlink++; // the new ".."
    iupdate(dp);
  }
  iunlockput(dp);
  return ip;

undo:
  // No entry names ip: dropping the last reference frees it and its blocks.
  ip->nlink = 0;
  iupdate(ip);
  iunlockput(ip);
  iunlockput(dp);
  return 0;
}

uint64
sys_open(void)
{
  char path[MAXPATH];
  int omode;
  struct inode *ip;

  argint(1, &omode);
  if (argstr(0, path, MAXPATH) < 0)
    return -1;

  int writing = (omode & (O_WRONLY | O_RDWR)) != 0;
  if (omode & O_CREATE) {
    if ((ip = create(path, T_FILE, 0, 0)) == 0)
      return -1;
  } else {
    if ((ip = namei(path)) == 0)
      return -1;
    ilock(ip);
  }
  if ((ip->type == T_DIR && writing) ||
      (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV))) {
    iunlockput(ip);
    return -1;
  }

  struct file *f = filealloc();
  int fd = f ? fdalloc(f) : -1;
  if (fd < 0) {
    if (f)
      fileclose(f);
    iunlockput(ip);
    return -1;
  }

  if (ip->type == T_DEVICE) {
    f->type = FD_DEVICE;
    f->major = ip->major;
  } else {
    f->type = FD_INODE;
    f->off = 0;
  }
  f->ip = ip;
  f->readable = (omode & O_WRONLY) == 0;
  f->writable = writing;
  if ((omode & O_TRUNC) && ip->type == T_FILE)
    itrunc(ip);
  iunlock(ip);
  return fd;
}

uint64
sys_mkdir(void)
{
  char path[MAXPATH];
  struct inode *ip;
  if (argstr(0, path, MAXPATH) < 0 || (ip = create(path, T_DIR, 0, 0)) == 0)
    return -1;
  iunlockput(ip);
  return 0;
}

uint64
sys_mknod(void)
{
  char path[MAXPATH];
  int major, minor;
  struct inode *ip;

  argint(1, &major);
  argint(2, &minor);
  if (argstr(0, path, MAXPATH) < 0 || major < 0 || major >= NDEV)
    return -1;
  if ((ip = create(path, T_DEVICE, major, minor)) == 0)
    return -1;
  iunlockput(ip);
  return 0;
}

uint64
sys_chdir(void)
{
  char path[MAXPATH];
  struct inode *ip;
  struct proc *p = myproc();

  if (argstr(0, path, MAXPATH) < 0 || (ip = namei(path)) == 0)
    return -1;
  ilock(ip);
  if (ip->type != T_DIR) {
    iunlockput(ip);
    return -1;
  }
  iunlock(ip);
  iput(p->cwd);
  p->cwd = ip;
  return 0;
}

// link(old, new): a second name for the file old (not for a directory).
uint64
sys_link(void)
{
  char old[MAXPATH], new[MAXPATH], name[DIRSIZ];
  struct inode *ip, *dp;

  if (argstr(0, old, MAXPATH) < 0 || argstr(1, new, MAXPATH) < 0)
    return -1;
  if ((ip = namei(old)) == 0)
    return -1;
  ilock(ip);
  if (ip->type == T_DIR) {
    iunlockput(ip);
    return -1;
  }
  // Count the link first: if we stopped half-way, a too-high count only leaks.
  ip->nlink++;
  iupdate(ip);
  iunlock(ip);

  if ((dp = nameiparent(new, name)) != 0) {
    ilock(dp);
    if (dp->dev == ip->dev && dp->nlink > 0 && dirlink(dp, name, ip->inum) == 0) {
      iunlockput(dp);
      iput(ip);
      return 0;
    }
    iunlockput(dp);
  }
  ilock(ip);
  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  return -1;
}

// Does directory dp hold nothing but "." and ".."? The caller holds dp's lock.
static int
dir_is_empty(struct inode *dp)
{
  struct dirent de;
  for (uint off = 0; off + sizeof(de) <= dp->size; off += sizeof(de)) {
    if (readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      panic("dir_is_empty: short read");
    if (de.inum != 0 && namecmp(de.name, ".") != 0 && namecmp(de.name, "..") != 0)
      return 0;
  }
  return 1;
}

uint64
sys_unlink(void)
{
  char path[MAXPATH], name[DIRSIZ];
  struct inode *dp, *ip;
  struct dirent de;
  uint off;

  if (argstr(0, path, MAXPATH) < 0 || (dp = nameiparent(path, name)) == 0)
    return -1;
  ilock(dp);
  if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0 ||
      (ip = dirlookup(dp, name, &off)) == 0) {
    iunlockput(dp);
    return -1;
  }
  ilock(ip);
  if (ip->nlink < 1)
    panic("sys_unlink: inode without links");
  if (ip->type == T_DIR && !dir_is_empty(ip)) {
    iunlockput(ip);
    iunlockput(dp);
    return -1;
  }

  memset(&de, 0, sizeof(de));
  if (writei(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
    panic("sys_unlink: cannot clear the entry");
  if (ip->type == T_DIR) {
    dp->nlink--;  // ip's ".." is gone with it
    iupdate(dp);
    ip->nlink--;  // and so is its "."
  }
  iunlockput(dp);

  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  return 0;
}

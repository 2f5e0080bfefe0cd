// The user/kernel interface besides system call numbers: what user programs, the
// kernel and mkfs must agree on. System call numbers live in ../syscalls.list.
#ifndef ABI_H
#define ABI_H

// open() flags
#define O_RDONLY 0x000
#define O_WRONLY 0x001
#define O_RDWR 0x002
#define O_CREATE 0x200
#define O_TRUNC 0x400

// inode types, as fstat reports them
#define T_DIR 1
#define T_FILE 2
#define T_DEVICE 3

struct stat {
  int dev;      // device holding the file system
  uint ino;     // inode number
  short type;   // T_DIR, T_FILE or T_DEVICE
  short nlink;  // links to the inode
  uint64 size;  // bytes
};

#define DIRSIZ 14     // longest name of a directory entry
#define MAXARG 32     // most arguments exec accepts
#define MAXPATH 128   // longest path name
#define CONSOLE 1     // major device number of the console

// Appended by K2: a directory is a file of these fixed-size entries, read by ls.
// inum 0 marks an empty slot. A name shorter than DIRSIZ ends with a NUL; a name of
// exactly DIRSIZ characters does not.
struct dirent {
  ushort inum;
  char name[DIRSIZ];
};

#endif

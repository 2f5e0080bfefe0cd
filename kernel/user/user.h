// The user-space programming interface: system call stubs (generated into usys.S from
// ../syscalls.list by gen-usys.sh) and the small C library in ulib.c, printf.c and
// umalloc.c. Every user program includes kernel/types.h, kernel/abi.h, then this file.
#ifndef USER_H
#define USER_H

struct stat;

// System calls. Each returns -1 on error unless noted.
int fork(void);
void exit(int status) __attribute__((noreturn));
int wait(int *status);            // pid of a finished child; its exit status into *status
int pipe(int fds[2]);             // fds[0] reads, fds[1] writes
int write(int fd, const void *buf, int n);
int read(int fd, void *buf, int n);
int close(int fd);
int kill(int pid);
int exec(const char *path, char **argv);
int open(const char *path, int flags);
int mknod(const char *path, short major, short minor);
int unlink(const char *path);
int fstat(int fd, struct stat *st);
int link(const char *oldpath, const char *newpath);
int mkdir(const char *path);
int chdir(const char *path);
int dup(int fd);
int getpid(void);
char *sbrk(int n);                // old end of the heap, or (char *)-1
int sleep(int ticks);
int uptime(void);                 // timer ticks since boot

// ulib.c
int stat(const char *path, struct stat *st);
char *strcpy(char *dst, const char *src);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, uint n);
uint strlen(const char *s);
char *strchr(const char *s, char c);
void *memset(void *dst, int c, uint n);
void *memmove(void *dst, const void *src, int n);
void *memcpy(void *dst, const void *src, uint n);
int memcmp(const void *a, const void *b, uint n);
char *gets(char *buf, int max);
int atoi(const char *s);

// printf.c: %d %u %x %p %s %c %%, with an optional l on d/u/x
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// umalloc.c
void *malloc(uint n);
void free(void *p);

#endif

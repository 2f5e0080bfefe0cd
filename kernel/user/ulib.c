// The small C library of user programs: strings and memory, line input, stat and atoi.
// The compiler may also emit calls to memset/memcpy/memmove for struct copies, so those
// names must exist even in programs that never call them.
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

uint
strlen(const char *s)
{
  const char *p = s;
  while(*p)
    p++;
  return p - s;
}

char *
strcpy(char *dst, const char *src)
{
  char *d = dst;
  while((*d++ = *src++) != 0)
    ;
  return dst;
}

int
strncmp(const char *a, const char *b, uint n)
{
  for(; n > 0; n--, a++, b++){
    if(*a != *b || *a == 0)
      return (uchar)*a - (uchar)*b;
  }
  return 0;
}

int
strcmp(const char *a, const char *b)
{
  return strncmp(a, b, (uint)-1);
}

char *
strchr(const char *s, char c)
{
  for(; *s; s++)
    if(*s == c)
      return (char *)s;
  return 0;
}

void *
memset(void *dst, int c, uint n)
{
  uchar *d = dst;
  for(uint i = 0; i < n; i++)
    d[i] = c;
  return dst;
}

// Copies n bytes; the regions may overlap (copy backwards when dst is above src).
void *
memmove(void *dst, const void *src, int n)
{
  uchar *d = dst;
  const uchar *s = src;
  if(n <= 0)
    return dst;
  if(d > s && d < s + n){
    while(n-- > 0)
      d[n] = s[n];
  } else {
    for(int i = 0; i < n; i++)
      d[i] = s[i];
  }
  return dst;
}

void *
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *x = a, *y = b;
  for(uint i = 0; i < n; i++)
    if(x[i] != y[i])
      return x[i] - y[i];
  return 0;
}

// Reads one line (with its '\n', if any) from fd 0 into buf, at most max-1 bytes, and
// NUL-terminates it. An empty string means end of file.
char *
gets(char *buf, int max)
{
  int n = 0;
  while(n + 1 < max){
    char c;
    if(read(0, &c, 1) != 1)
      break;
    buf[n++] = c;
    if(c == '\n' || c == '\r')
      break;
  }
  buf[n] = 0;
  return buf;
}

int
stat(const char *path, struct stat *st)
{
  int fd = open(path, O_RDONLY);
  if(fd < 0)
    return -1;
  int r = fstat(fd, st);
  close(fd);
  return r;
}

// Decimal, with an optional leading '-'; stops at the first non-digit.
int
atoi(const char *s)
{
  int sign = 1, v = 0;
  if(*s == '-'){
    sign = -1;
    s++;
  }
  while(*s >= '0' && *s <= '9')
    v = v * 10 + (*s++ - '0');
  return sign * v;
}

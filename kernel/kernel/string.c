// The few C library string and memory functions the kernel uses. GCC may also emit
// calls to memset/memcpy/memmove by itself, so these must exist under those names.
#include "types.h"
#include "defs.h"

void *memset(void *dst, int c, uint n) {
  uchar *d = dst;
  // Whole 8-byte words when the destination is aligned: pages are cleared often.
  if (((uint64)d & 7) == 0) {
    uint64 word = (uchar)c;
    word |= word << 8;
    word |= word << 16;
    word |= word << 32;
    for (; n >= 8; n -= 8, d += 8)
      *(uint64 *)d = word;
  }
  while (n-- > 0)
    *d++ = (uchar)c;
  return dst;
}

int memcmp(const void *a, const void *b, uint n) {
  const uchar *x = a, *y = b;
  for (uint i = 0; i < n; i++)
    if (x[i] != y[i])
      return x[i] - y[i];
  return 0;
}

// Copies correctly when the ranges overlap, in either direction.
void *memmove(void *dst, const void *src, uint n) {
  uchar *d = dst;
  const uchar *s = src;
  if (d == s || n == 0)
    return dst;
  if (d < s || d >= s + n) {
    if ((((uint64)d | (uint64)s) & 7) == 0) {
      for (; n >= 8; n -= 8, d += 8, s += 8)
        *(uint64 *)d = *(const uint64 *)s;
    }
    while (n-- > 0)
      *d++ = *s++;
  } else {
    while (n-- > 0)
      d[n] = s[n];
  }
  return dst;
}

void *memcpy(void *dst, const void *src, uint n) {
  return memmove(dst, src, n);
}

int strlen(const char *s) {
  int n = 0;
  while (s[n])
    n++;
  return n;
}

int strncmp(const char *a, const char *b, uint n) {
  for (; n > 0; n--, a++, b++) {
    if (*a != *b)
      return (uchar)*a - (uchar)*b;
    if (*a == 0)
      return 0;
  }
  return 0;
}

// Like the C library's: pads with NULs, and does not terminate a truncated copy.
char *strncpy(char *dst, const char *src, int n) {
  int i = 0;
  for (; i < n && src[i]; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = 0;
  return dst;
}

// Copies at most n - 1 characters and always terminates (n > 0).
char *safestrcpy(char *dst, const char *src, int n) {
  if (n <= 0)
    return dst;
  int i = 0;
  for (; i < n - 1 && src[i]; i++)
    dst[i] = src[i];
  dst[i] = 0;
  return dst;
}

// Formatted output for user programs. Output is assembled in a small buffer and handed
// to write() in pieces, so a line usually reaches the console in one system call and
// lines of concurrent processes interleave less.
#include <stdarg.h>
#include "kernel/types.h"
#include "kernel/abi.h"
#include "user/user.h"

struct outbuf {
  int fd;
  int len;
  char data[128];
};

static void
flush(struct outbuf *o)
{
  if(o->len > 0)
    write(o->fd, o->data, o->len);
  o->len = 0;
}

static void
put(struct outbuf *o, char c)
{
  if(o->len == sizeof(o->data))
    flush(o);
  o->data[o->len++] = c;
}

static void
putstr(struct outbuf *o, const char *s)
{
  if(s == 0)
    s = "(null)";
  while(*s)
    put(o, *s++);
}

// Writes v in the given base; neg says whether to print a minus sign first.
static void
putnum(struct outbuf *o, uint64 v, int base, int neg)
{
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while(v != 0);
  if(neg)
    put(o, '-');
  while(n > 0)
    put(o, digits[--n]);
}

static void
format(int fd, const char *fmt, va_list ap)
{
  struct outbuf o;
  o.fd = fd;
  o.len = 0;
  for(; *fmt; fmt++){
    if(*fmt != '%'){
      put(&o, *fmt);
      continue;
    }
    fmt++;
    int islong = 0;
    if(*fmt == 'l'){
      islong = 1;
      fmt++;
    }
    switch(*fmt){
    case 'd': {
      int64 v = islong ? va_arg(ap, int64) : va_arg(ap, int);
      putnum(&o, v < 0 ? -(uint64)v : (uint64)v, 10, v < 0);
      break;
    }
    case 'u':
      putnum(&o, islong ? va_arg(ap, uint64) : va_arg(ap, uint), 10, 0);
      break;
    case 'x':
      putnum(&o, islong ? va_arg(ap, uint64) : va_arg(ap, uint), 16, 0);
      break;
    case 'p':
      putstr(&o, "0x");
      putnum(&o, va_arg(ap, uint64), 16, 0);
      break;
    case 's':
      putstr(&o, va_arg(ap, const char *));
      break;
    case 'c':
      put(&o, (char)va_arg(ap, int));
      break;
    case '%':
      put(&o, '%');
      break;
    case 0:
      fmt--;   // a lone '%' at the end: print it and stop
      put(&o, '%');
      break;
    default:   // unknown conversion: show it as written
      put(&o, '%');
      put(&o, *fmt);
      break;
    }
  }
  flush(&o);
}

void
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  format(fd, fmt, ap);
  va_end(ap);
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  format(1, fmt, ap);
  va_end(ap);
}

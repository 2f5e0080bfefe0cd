// Kernel printf (to the console, a whole call at a time under one lock so lines from
// different harts do not interleave) and panic().
#include <stdarg.h>
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "riscv.h"
#include "defs.h"

// Set by panic(); other harts see it in their next timer interrupt or console output
// and stop, so the panic message is the last thing printed.
volatile int panicked = 0;

static struct {
  struct spinlock lock;
  int enabled;  // 0 during panic: print without taking the lock
} pr;

static const char digits[] = "0123456789abcdef";

void printfinit(void) {
  initlock(&pr.lock, "pr");
  pr.enabled = 1;
}

static void printnum(uint64 x, int base, int is_signed) {
  char buf[24];
  int i = 0;
  int neg = is_signed && (int64)x < 0;
  if (neg)
    x = -(int64)x;
  do {
    buf[i++] = digits[x % base];
    x /= base;
  } while (x != 0);
  if (neg)
    buf[i++] = '-';
  while (--i >= 0)
    consputc(buf[i]);
}

static void printstr(const char *s) {
  if (s == 0)
    s = "(null)";
  for (; *s; s++)
    consputc(*s);
}

// Formats: %d %u %x (int), %ld %lu %lx (64-bit), %p, %s, %c, %%.
void printf(char *fmt, ...) {
  va_list ap;
  int locking = pr.enabled;
  if (locking)
    acquire(&pr.lock);
  va_start(ap, fmt);
  for (int i = 0; fmt[i]; i++) {
    char c = fmt[i];
    if (c != '%') {
      consputc(c);
      continue;
    }
    c = fmt[++i];
    int is_long = 0;
    while (c == 'l') {
      is_long = 1;
      c = fmt[++i];
    }
    switch (c) {
    case 'd':
      printnum(is_long ? va_arg(ap, int64) : va_arg(ap, int), 10, 1);
      break;
    case 'u':
      printnum(is_long ? va_arg(ap, uint64) : va_arg(ap, uint), 10, 0);
      break;
    case 'x':
      printnum(is_long ? va_arg(ap, uint64) : va_arg(ap, uint), 16, 0);
      break;
    case 'p':
      printstr("0x");
      printnum(va_arg(ap, uint64), 16, 0);
      break;
    case 's':
      printstr(va_arg(ap, char *));
      break;
    case 'c':
      consputc(va_arg(ap, int));
      break;
    case '%':
      consputc('%');
      break;
    case 0:
      i--;  // a lone % at the end: stop at the terminator
      break;
    default:
      consputc('%');
      consputc(c);
      break;
    }
  }
  va_end(ap);
  if (locking)
    release(&pr.lock);
}

// Report a broken kernel invariant and stop. The other harts freeze on their next
// timer tick (trap.c) or console output (uart.c).
void panic(char *msg) {
  pr.enabled = 0;
  printf("panic: %s\n", msg);
  panicked = 1;
  intr_off();
  for (;;)
    ;
}

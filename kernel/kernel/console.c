// The console: the UART seen as a line-buffered terminal, and the CONSOLE device in
// devsw[]. Input is edited in place until a newline (or ^D) commits the line to
// readers: backspace erases a character, ^U the whole line, ^P lists the processes.
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "file.h"
#include "memlayout.h"
#include "riscv.h"
#include "proc.h"
#include "defs.h"

#define CTRL(x) ((x) - '@')
#define BACKSPACE 0x100  // consputc(BACKSPACE) erases the last character on screen
#define INPUT_SIZE 128

// Input ring buffer. Indices only grow (they are used modulo INPUT_SIZE):
// [rd, committed) is ready for consoleread(), [committed, edit) is the line being typed.
static struct {
  struct spinlock lock;
  char buf[INPUT_SIZE];
  uint rd;
  uint committed;
  uint edit;
} cons;

// Kernel output (printf, echo of typed characters).
void consputc(int c) {
  if (c == BACKSPACE) {
    uartputc_sync('\b');
    uartputc_sync(' ');
    uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
}

// devsw[CONSOLE].write: n bytes from a user or kernel buffer to the screen.
static int consolewrite(int user_src, uint64 src, int n) {
  int i;
  for (i = 0; i < n; i++) {
    char c;
    if (either_copyin(&c, user_src, src + i, 1) < 0)
      break;
    uartputc(c);
  }
  return i == 0 && n > 0 ? -1 : i;
}

// devsw[CONSOLE].read: up to n bytes of committed input, stopping after a newline.
// Blocks until a line is committed; returns 0 at end of file (^D on an empty line).
static int consoleread(int user_dst, uint64 dst, int n) {
  int want = n;
  int fault = 0;
  acquire(&cons.lock);
  while (n > 0) {
    while (cons.rd == cons.committed) {
      if (killed(myproc())) {
        release(&cons.lock);
        return -1;
      }
      sleep(&cons.rd, &cons.lock);
    }
    char c = cons.buf[cons.rd % INPUT_SIZE];
    if (c == CTRL('D')) {
      // End of file. If bytes were already returned, leave ^D for the next read so
      // that one returns 0.
      if (n == want)
        cons.rd++;
      break;
    }
    cons.rd++;
    if (either_copyout(user_dst, dst, &c, 1) < 0) {
      fault = (n == want);  // nothing copied at all: report -1
      break;
    }
    dst++;
    n--;
    if (c == '\n')
      break;
  }
  release(&cons.lock);
  return fault ? -1 : want - n;
}

// One received character (from uartintr).
void consoleintr(int c) {
  acquire(&cons.lock);
  switch (c) {
  case CTRL('P'):
    procdump();
    break;
  case CTRL('U'):
    while (cons.edit != cons.committed &&
           cons.buf[(cons.edit - 1) % INPUT_SIZE] != '\n') {
      cons.edit--;
      consputc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case 0x7f:
    if (cons.edit != cons.committed) {
      cons.edit--;
      consputc(BACKSPACE);
    }
    break;
  default:
    if (c == 0 || cons.edit - cons.rd >= INPUT_SIZE)
      break;
    if (c == '\r')
      c = '\n';
    if (c != CTRL('D'))
      consputc(c);
    cons.buf[cons.edit++ % INPUT_SIZE] = c;
    if (c == '\n' || c == CTRL('D') || cons.edit - cons.rd == INPUT_SIZE) {
      cons.committed = cons.edit;
      wakeup(&cons.rd);
    }
    break;
  }
  release(&cons.lock);
}

void consoleinit(void) {
  initlock(&cons.lock, "cons");
  uartinit();
  devsw[CONSOLE].read = consoleread;
  devsw[CONSOLE].write = consolewrite;
}

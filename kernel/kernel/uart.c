// Driver for the 16550-compatible UART at UART0 (QEMU virt's serial port). Output is
// polled: each byte waits for the transmit holding register to empty. Input arrives
// by interrupt (IRQ UART0_IRQ) and goes to consoleintr().
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "defs.h"

// 16550 registers (byte offsets from UART0).
#define RBR 0  // receive buffer (read)
#define THR 0  // transmit holding (write)
#define DLL 0  // divisor latch low (when LCR.DLAB)
#define IER 1  // interrupt enable
#define DLM 1  // divisor latch high (when LCR.DLAB)
#define FCR 2  // FIFO control (write)
#define LCR 3  // line control
#define LSR 5  // line status

#define IER_RX 0x01          // interrupt when a byte has arrived
#define FCR_ENABLE 0x01
#define FCR_CLEAR 0x06       // clear both FIFOs
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static inline uchar uart_read(int reg) {
  return *(volatile uchar *)(UART0 + reg);
}
static inline void uart_write(int reg, uchar v) {
  *(volatile uchar *)(UART0 + reg) = v;
}

static struct spinlock uart_lock;

void uartinit(void) {
  uart_write(IER, 0);
  uart_write(LCR, LCR_DLAB);
  uart_write(DLL, 3);  // 38400 baud from the 1.8432 MHz clock (QEMU ignores it)
  uart_write(DLM, 0);
  uart_write(LCR, LCR_8N1);
  uart_write(FCR, FCR_ENABLE | FCR_CLEAR);
  uart_write(IER, IER_RX);
  initlock(&uart_lock, "uart");
}

// Send one byte, waiting for the transmitter. Usable from interrupt handlers and
// with locks held.
void uartputc_sync(int c) {
  push_off();
  if (panicked) {
    for (;;)
      ;
  }
  while ((uart_read(LSR) & LSR_THR_EMPTY) == 0)
    ;
  uart_write(THR, (uchar)c);
  pop_off();
}

// Output from processes (console writes): one byte at a time under the UART lock.
void uartputc(int c) {
  acquire(&uart_lock);
  uartputc_sync(c);
  release(&uart_lock);
}

// The next received byte, or -1 if none is waiting.
int uartgetc(void) {
  if (uart_read(LSR) & LSR_DATA_READY)
    return uart_read(RBR);
  return -1;
}

// Receive interrupt: hand every waiting byte to the console.
void uartintr(void) {
  int c;
  while ((c = uartgetc()) >= 0)
    consoleintr(c);
}

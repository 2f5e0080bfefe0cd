/**
 * NS16550A UART: transmit, receive through the FIFO, the interrupt identification order,
 * the THR-empty interrupt as QEMU's serial.c raises and clears it, LSR bits, DLAB.
 */
import assert from 'node:assert/strict';
import { Uart } from '../../emulator/devices/uart';
import { Plic } from '../../emulator/devices/plic';
import { Irq } from '../../emulator/types';

const RBR = 0,
  THR = 0,
  IER = 1,
  IIR = 2,
  FCR = 2,
  LCR = 3,
  MCR = 4,
  LSR = 5,
  MSR = 6,
  SCR = 7;

function make(): { uart: Uart; out: number[]; irq: { level: boolean; calls: number } } {
  const out: number[] = [];
  const irq = { level: false, calls: 0 };
  const uart = new Uart(
    (b) => out.push(b),
    (level) => {
      irq.level = level;
      irq.calls++;
    },
  );
  return { uart, out, irq };
}

describe('UART 16550A', () => {
  it('sends THR writes to the console and reports THR empty', () => {
    const { uart, out } = make();
    assert.equal(uart.read(LSR, 1) & 0x60, 0x60);
    for (const c of 'hi\n') uart.write(THR, 1, c.charCodeAt(0));
    assert.equal(Buffer.from(out).toString(), 'hi\n');
    assert.equal(uart.read(LSR, 1) & 0x60, 0x60, 'THRE and TEMT set again after the byte left');
    assert.equal(uart.read(IIR, 1), 0x01, 'no interrupt while IER is 0');
  });

  it('receives into the FIFO, raises data-available, and drains in order', () => {
    const { uart, irq } = make();
    uart.write(FCR, 1, 0x07); // FIFO on, both cleared, trigger level 1
    assert.equal(uart.rxSpace(), 16);
    uart.write(IER, 1, 0x01);
    assert.equal(irq.level, false);
    uart.receive(0x41);
    uart.receive(0x42);
    assert.equal(irq.level, true);
    assert.equal(uart.read(IIR, 1), 0xc4, 'FIFO enabled bits + received data available');
    assert.equal(uart.read(LSR, 1) & 1, 1);
    assert.equal(uart.read(RBR, 1), 0x41);
    assert.equal(irq.level, true);
    assert.equal(uart.read(RBR, 1), 0x42);
    assert.equal(uart.read(LSR, 1) & 1, 0, 'DR clears when the FIFO is empty');
    assert.equal(irq.level, false);
    assert.equal(uart.rxSpace(), 16);
  });

  it('holds one byte without the FIFO; overrun sets OE, cleared by reading LSR', () => {
    const { uart } = make();
    assert.equal(uart.rxSpace(), 1);
    uart.receive(1);
    assert.equal(uart.rxSpace(), 0);
    uart.receive(2);
    const lsr = uart.read(LSR, 1);
    assert.equal(lsr & 0x03, 0x03, 'DR and OE');
    assert.equal(uart.read(LSR, 1) & 0x02, 0, 'OE is cleared by the read');
    assert.equal(uart.read(RBR, 1), 1);
  });

  it('fires the character timeout below the trigger level after a quiet boundary', () => {
    const { uart, irq } = make();
    uart.write(FCR, 1, 0x01 | 0xc0); // trigger level 14
    uart.write(IER, 1, 0x01);
    uart.receive(0x30);
    assert.equal(irq.level, false);
    uart.tick();
    assert.equal(irq.level, true);
    assert.equal(uart.read(IIR, 1) & 0x0f, 0x0c);
    assert.equal(uart.read(RBR, 1), 0x30);
    assert.equal(irq.level, false);
  });

  it('THRE interrupt: raised on enabling ETBEI with THR empty, cleared by reading IIR', () => {
    const { uart, irq } = make();
    uart.write(IER, 1, 0x02);
    assert.equal(irq.level, true);
    assert.equal(uart.read(IIR, 1), 0x02);
    assert.equal(irq.level, false, 'reading IIR reporting THRE clears it');
    assert.equal(uart.read(IIR, 1), 0x01);
    // Writing the same IER value again changes nothing; toggling re-arms it.
    uart.write(IER, 1, 0x02);
    assert.equal(irq.level, false);
    uart.write(IER, 1, 0x00);
    uart.write(IER, 1, 0x02);
    assert.equal(irq.level, true);
  });

  it('THRE interrupt: a THR write clears it and the emptied THR owes it again', () => {
    const { uart, irq, out } = make();
    uart.write(IER, 1, 0x02);
    uart.read(IIR, 1);
    assert.equal(irq.level, false);
    uart.write(THR, 1, 0x21);
    assert.deepEqual(out, [0x21]);
    assert.equal(irq.level, true, 'transmission done: THRE interrupt pending');
    assert.equal(uart.read(IIR, 1), 0x02);
    assert.equal(irq.level, false);
  });

  it('reports received data before THR empty, and THRE after the data is read', () => {
    const { uart } = make();
    uart.write(IER, 1, 0x03);
    uart.receive(0x61);
    assert.equal(uart.read(IIR, 1) & 0x0f, 0x04);
    uart.read(RBR, 1);
    assert.equal(uart.read(IIR, 1) & 0x0f, 0x02);
  });

  it('reaches the divisor latch through DLAB without touching THR or IER', () => {
    const { uart, out } = make();
    uart.write(IER, 1, 0x00);
    uart.write(LCR, 1, 0x80);
    uart.write(0, 1, 0x03);
    uart.write(1, 1, 0x00);
    assert.equal(uart.read(0, 1), 0x03);
    assert.equal(uart.read(1, 1), 0x00);
    assert.deepEqual(out, [], 'DLL writes transmit nothing');
    uart.write(LCR, 1, 0x03);
    assert.equal(uart.read(LCR, 1), 0x03);
    assert.equal(uart.read(IER, 1), 0x00);
  });

  it('keeps scratch, MCR and MSR; loopback echoes THR into RBR', () => {
    const { uart, out } = make();
    uart.write(SCR, 1, 0x5a);
    assert.equal(uart.read(SCR, 1), 0x5a);
    assert.equal(uart.read(MSR, 1) & 0xb0, 0xb0, 'DCD, DSR, CTS asserted');
    uart.write(MCR, 1, 0x10);
    uart.write(THR, 1, 0x55);
    assert.deepEqual(out, []);
    assert.equal(uart.read(RBR, 1), 0x55);
  });

  it('snapshot and restore keep FIFO contents and interrupt state', () => {
    const { uart } = make();
    uart.write(FCR, 1, 0x01);
    uart.write(IER, 1, 0x01);
    uart.receive(7);
    uart.receive(8);
    const b = make();
    b.uart.restore(structuredClone(uart.snapshot()));
    assert.equal(b.uart.read(RBR, 1), 7);
    assert.equal(b.uart.read(RBR, 1), 8);
    assert.equal(b.uart.read(IER, 1), 1);
  });
});

describe('UART through the PLIC (QEMU gateway semantics)', () => {
  const CLAIM = 0x201004;
  function wired(): { uart: Uart; plic: Plic; seip: () => boolean; out: number[] } {
    let seip = false;
    const plic = new Plic({ hartCount: 1, setLine: (_h, irq, level) => irq === Irq.SExt && (seip = level) });
    const out: number[] = [];
    const uart = new Uart(
      (b) => out.push(b),
      (level) => plic.setSource(10, level),
    );
    plic.write(4 * 10, 4, 1);
    plic.write(0x2080, 4, 1 << 10);
    return { uart, plic, seip: () => seip, out };
  }

  it('a classic xv6 driver (never reads IIR) gets no interrupt storm from THR empty', () => {
    const { uart, plic, seip } = wired();
    uart.write(FCR, 1, 0x07);
    uart.write(IER, 1, 0x03); // RX and TX interrupts, as xv6's uartinit
    uart.write(THR, 1, 0x24); // uartstart sends the last buffered byte
    let interrupts = 0;
    for (let k = 0; k < 10 && seip(); k++) {
      const src = plic.read(CLAIM, 4);
      assert.equal(src, 10);
      interrupts++;
      // uartintr: drain RX (nothing there), nothing left to send; no IIR read.
      while (uart.read(LSR, 1) & 1) uart.read(RBR, 1);
      plic.write(CLAIM, 4, src);
    }
    assert.equal(interrupts, 1, 'one THR-empty interrupt, then quiet');
    assert.equal(seip(), false);
    uart.receive(0x61); // a key press still interrupts
    assert.equal(seip(), true);
  });

  it('a driver that reads IIR acknowledges THR empty', () => {
    const { uart, plic, seip } = wired();
    uart.write(IER, 1, 0x02);
    assert.equal(seip(), true);
    const src = plic.read(CLAIM, 4);
    assert.equal(uart.read(IIR, 1) & 0x0f, 0x02);
    plic.write(CLAIM, 4, src);
    assert.equal(seip(), false);
    assert.equal(uart.irqLevel, false);
  });
});

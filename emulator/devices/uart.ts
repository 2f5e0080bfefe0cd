/**
 * NS16550A UART, as QEMU's `virt` board has it at 0x10000000 on PLIC source 10. Registers
 * are bytes (National Semiconductor PC16550D data sheet, table 2):
 *   0 RBR (read) / THR (write)      DLL when LCR.DLAB = 1
 *   1 IER                           DLM when LCR.DLAB = 1
 *   2 IIR (read) / FCR (write)
 *   3 LCR  4 MCR  5 LSR  6 MSR  7 SCR
 * Transmission is instant: a THR write hands the byte to the console at once, so THR and
 * the shift register are always empty again by the time the guest looks.
 *
 * The THR-empty interrupt follows QEMU's hw/char/serial.c, which xv6-style drivers are
 * tuned against: a flag `thrIpending` stands for "THRE interrupt owed". It is set when a
 * transmission empties THR, and when IER.ETBEI is turned on while THR is empty; it is
 * cleared by a THR write, by turning ETBEI off, and by reading IIR when THRE is the
 * interrupt IIR reports. So a driver that enables TX interrupts with nothing to send gets
 * one interrupt, reads IIR, and is left alone: no livelock.
 *
 * Interrupt priority (data sheet table 4): receiver line status, then received data (or
 * the FIFO character timeout), then THR empty, then modem status. Receive: bytes come from
 * the host into the RX FIFO (16 bytes with FCR.FIFOE, else a single holding register).
 * The data-available interrupt fires at the FIFO trigger level; below it, the character
 * timeout fires once a quantum boundary passes with no RBR read (`tick()`), which keeps
 * the timing deterministic.
 */
import type { Device } from '../types';

const FIFO_SIZE = 16;

// IER bits
const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IER_RLSI = 0x04;
const IER_MSI = 0x08;
// IIR values
const IIR_NO_INT = 0x01;
const IIR_MSI = 0x00;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_CTI = 0x0c;
const IIR_ID = 0x0e;
const IIR_FIFO_ENABLED = 0xc0;
// FCR bits
const FCR_FE = 0x01;
const FCR_RFR = 0x02;
// LCR
const LCR_DLAB = 0x80;
// MCR
const MCR_LOOP = 0x10;
// LSR bits
export const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_BI = 0x10;
export const LSR_THRE = 0x20;
export const LSR_TEMT = 0x40;
const LSR_INT_ANY = 0x1e; // OE | PE | FE | BI
// MSR
const MSR_DCD = 0x80;
const MSR_DSR = 0x20;
const MSR_CTS = 0x10;
const MSR_ANY_DELTA = 0x0f;

const TRIGGER_LEVELS = [1, 4, 8, 14];

interface UartState {
  rx: number[];
  ier: number;
  iir: number;
  fcr: number;
  lcr: number;
  mcr: number;
  lsr: number;
  msr: number;
  scr: number;
  dll: number;
  dlm: number;
  thrIpending: boolean;
  timeoutIpending: boolean;
  readSinceTick: boolean;
  irq: boolean;
}

export class Uart implements Device {
  readonly name = 'uart';
  /** RX FIFO contents, oldest first (at most FIFO_SIZE, or 1 without FCR.FIFOE). */
  private rx: number[] = [];
  private ier = 0;
  private iir = IIR_NO_INT;
  private fcr = 0;
  private lcr = 0;
  private mcr = 0x08; // OUT2, as QEMU resets it
  private lsr = LSR_THRE | LSR_TEMT;
  private msr = MSR_DCD | MSR_DSR | MSR_CTS;
  private scr = 0;
  private dll = 0;
  private dlm = 0;
  private thrIpending = false;
  private timeoutIpending = false;
  private readSinceTick = false;
  private irq = false;

  /**
   * @param output receives every transmitted byte
   * @param setIrq drives the UART's PLIC source
   */
  constructor(
    private readonly output: (byte: number) => void,
    private readonly setIrq: (level: boolean) => void,
  ) {}

  /** How many more bytes the receiver takes now. */
  rxSpace(): number {
    return (this.fcr & FCR_FE ? FIFO_SIZE : 1) - this.rx.length;
  }

  /** A byte arrives on the line (call only while rxSpace() > 0). */
  receive(byte: number): void {
    if (this.rxSpace() <= 0) {
      this.lsr |= LSR_OE;
    } else {
      this.rx.push(byte & 0xff);
      this.lsr |= LSR_DR;
    }
    this.updateIrq();
  }

  /** A quantum boundary: data below the trigger level left unread raises the timeout interrupt. */
  tick(): void {
    if (this.fcr & FCR_FE && this.rx.length > 0 && !this.readSinceTick && !this.timeoutIpending) {
      this.timeoutIpending = true;
      this.updateIrq();
    }
    this.readSinceTick = false;
  }

  private triggerLevel(): number {
    return TRIGGER_LEVELS[(this.fcr >> 6) & 3]!;
  }

  private updateIrq(): void {
    let id = IIR_NO_INT;
    if (this.ier & IER_RLSI && this.lsr & LSR_INT_ANY) id = IIR_RLSI;
    else if (this.ier & IER_RDI && this.timeoutIpending) id = IIR_CTI;
    else if (
      this.ier & IER_RDI &&
      this.lsr & LSR_DR &&
      (!(this.fcr & FCR_FE) || this.rx.length >= this.triggerLevel())
    )
      id = IIR_RDI;
    else if (this.ier & IER_THRI && this.thrIpending) id = IIR_THRI;
    else if (this.ier & IER_MSI && this.msr & MSR_ANY_DELTA) id = IIR_MSI;
    this.iir = id | (this.iir & 0xf0);
    // Like serial.c, drive the line on every re-evaluation, not only on a change: the
    // PLIC (plic.ts) takes each high call as a fresh request.
    this.irq = id !== IIR_NO_INT;
    this.setIrq(this.irq);
  }

  private transmit(byte: number): void {
    this.thrIpending = false;
    if (this.mcr & MCR_LOOP) {
      if (this.rxSpace() > 0) this.rx.push(byte);
      else this.lsr |= LSR_OE;
      this.lsr |= LSR_DR;
    } else {
      this.output(byte);
    }
    // The byte left at once: THR and the shift register are empty again, and the THRE
    // interrupt is owed (serial.c sets thr_ipending when THR empties).
    this.lsr |= LSR_THRE | LSR_TEMT;
    this.thrIpending = true;
    this.updateIrq();
  }

  private readReg(reg: number): number {
    switch (reg) {
      case 0: {
        if (this.lcr & LCR_DLAB) return this.dll;
        const b = this.rx.length > 0 ? this.rx.shift()! : 0;
        if (this.rx.length === 0) this.lsr &= ~(LSR_DR | LSR_BI);
        this.timeoutIpending = false;
        this.readSinceTick = true;
        this.updateIrq();
        return b;
      }
      case 1:
        return this.lcr & LCR_DLAB ? this.dlm : this.ier;
      case 2: {
        const v = this.iir;
        if ((v & IIR_ID) === IIR_THRI) {
          this.thrIpending = false;
          this.updateIrq();
        }
        return v;
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5: {
        const v = this.lsr;
        if (this.lsr & (LSR_BI | LSR_OE)) {
          this.lsr &= ~(LSR_BI | LSR_OE);
          this.updateIrq();
        }
        return v;
      }
      case 6: {
        if (this.mcr & MCR_LOOP) {
          // Loopback (data sheet, MCR bit 4): RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
          const m = this.mcr;
          return ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
        }
        const v = this.msr;
        if (this.msr & MSR_ANY_DELTA) {
          this.msr &= 0xf0;
          this.updateIrq();
        }
        return v;
      }
      default:
        return this.scr;
    }
  }

  private writeReg(reg: number, v: number): void {
    switch (reg) {
      case 0:
        if (this.lcr & LCR_DLAB) this.dll = v;
        else {
          this.lsr &= ~(LSR_THRE | LSR_TEMT);
          this.transmit(v);
        }
        break;
      case 1: {
        if (this.lcr & LCR_DLAB) {
          this.dlm = v;
          break;
        }
        const changed = (this.ier ^ v) & 0x0f;
        this.ier = v & 0x0f;
        // serial.c: turning ETBEI on while THR is empty owes a THRE interrupt even if an
        // IIR read had cleared it; turning it off forgets it.
        if (changed & IER_THRI) this.thrIpending = (this.ier & IER_THRI) !== 0 && (this.lsr & LSR_THRE) !== 0;
        if (changed) this.updateIrq();
        break;
      }
      case 2: {
        const enabling = (v & FCR_FE) !== (this.fcr & FCR_FE);
        if (v & FCR_RFR || enabling) {
          // Reset the RX FIFO (also done by toggling FIFOE, data sheet FCR bit 0).
          this.rx = [];
          this.lsr &= ~(LSR_DR | LSR_BI);
          this.timeoutIpending = false;
        }
        this.fcr = v & 0xc9; // FIFOE, DMA mode and trigger level are kept
        this.iir = (this.iir & 0x0f) | (this.fcr & FCR_FE ? IIR_FIFO_ENABLED : 0);
        this.updateIrq();
        break;
      }
      case 3:
        this.lcr = v;
        break;
      case 4:
        this.mcr = v & 0x1f;
        break;
      case 5:
        break; // LSR is read-only here (QEMU ignores writes too)
      case 6:
        break;
      default:
        this.scr = v;
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    // QEMU's serial-mm implements byte registers only; a wider access is a run of byte accesses.
    let v = 0;
    for (let k = 0; k < size; k++) {
      const off = offset + k;
      v |= (off < 8 ? this.readReg(off) : 0) << (8 * k);
    }
    return v >>> 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    for (let k = 0; k < size; k++) {
      const off = offset + k;
      if (off < 8) this.writeReg(off, (value >>> (8 * k)) & 0xff);
    }
  }

  /** Current IRQ output level (for tests and the debugger). */
  get irqLevel(): boolean {
    return this.irq;
  }

  snapshot(): UartState {
    return {
      rx: this.rx.slice(),
      ier: this.ier,
      iir: this.iir,
      fcr: this.fcr,
      lcr: this.lcr,
      mcr: this.mcr,
      lsr: this.lsr,
      msr: this.msr,
      scr: this.scr,
      dll: this.dll,
      dlm: this.dlm,
      thrIpending: this.thrIpending,
      timeoutIpending: this.timeoutIpending,
      readSinceTick: this.readSinceTick,
      irq: this.irq,
    };
  }

  restore(state: unknown): void {
    const s = state as UartState;
    this.rx = s.rx.slice();
    this.ier = s.ier;
    this.iir = s.iir;
    this.fcr = s.fcr;
    this.lcr = s.lcr;
    this.mcr = s.mcr;
    this.lsr = s.lsr;
    this.msr = s.msr;
    this.scr = s.scr;
    this.dll = s.dll;
    this.dlm = s.dlm;
    this.thrIpending = s.thrIpending;
    this.timeoutIpending = s.timeoutIpending;
    this.readSinceTick = s.readSinceTick;
    this.irq = s.irq;
  }
}

/**
 * The SiFive test finisher ("sifive,test0", at 0x100000 on QEMU virt): a 32-bit write
 * whose low 16 bits are a command ends the simulation. 0x5555 is a pass (code 0),
 * 0x3333 a failure with the code in the upper 16 bits, 0x7777 a reboot request; any
 * other value is ignored, and reads return 0. The device only records the request; the
 * machine checks it at the next quantum boundary and stops the run.
 */
import type { Device } from '../types';

export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

export type FinisherRequest = { kind: 'poweroff'; code: number } | { kind: 'reboot' };

export class TestFinisher implements Device {
  readonly name = 'test-finisher';
  /** The request written by the guest, until the machine takes it. */
  request: FinisherRequest | undefined;

  read(): number {
    return 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset !== 0 || size !== 4) return;
    const cmd = value & 0xffff;
    if (cmd === FINISHER_PASS) this.request = { kind: 'poweroff', code: 0 };
    else if (cmd === FINISHER_FAIL) this.request = { kind: 'poweroff', code: value >>> 16 };
    else if (cmd === FINISHER_RESET) this.request = { kind: 'reboot' };
  }

  /** Take (and forget) the pending request. */
  take(): FinisherRequest | undefined {
    const r = this.request;
    this.request = undefined;
    return r;
  }

  snapshot(): FinisherRequest | null {
    return this.request ?? null;
  }

  restore(state: unknown): void {
    this.request = (state as FinisherRequest | null) ?? undefined;
  }
}

/** The bus: device dispatch by address, nothing mapped -> undefined/false, RAM fallback. */
import assert from 'node:assert/strict';
import { Bus } from '../../emulator/bus';
import { Ram } from '../../emulator/ram';
import type { Device } from '../../emulator/types';

class Probe implements Device {
  readonly name = 'probe';
  log: string[] = [];
  read(offset: number, size: 1 | 2 | 4): number {
    this.log.push(`r${offset}/${size}`);
    return 0xabcd;
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.log.push(`w${offset}/${size}=${value}`);
  }
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

describe('bus', () => {
  it('dispatches by half-open region with device-relative offsets', () => {
    const bus = new Bus(new Ram(1));
    const p = new Probe();
    bus.attach({ base: 0x1000, size: 0x100 }, p);
    assert.equal(bus.mmioRead(0x1004, 4), 0xabcd);
    assert.equal(bus.mmioWrite(0x10ff, 1, 7), true);
    assert.equal(bus.mmioRead(0x1100, 4), undefined, 'end is exclusive');
    assert.equal(bus.mmioWrite(0xfff, 4, 1), false);
    assert.deepEqual(p.log, ['r4/4', 'w255/1=7']);
    assert.throws(() => bus.attach({ base: 0x10f0, size: 0x20 }, new Probe()), /overlaps/);
  });

  it('serves RAM accesses that reach it, reporting writes', () => {
    const bus = new Bus(new Ram(1));
    const seen: [number, number][] = [];
    bus.onRamWritten = (a, n) => seen.push([a, n]);
    assert.equal(bus.mmioWrite(0x8000_0010, 4, 0x11223344), true);
    assert.equal(bus.mmioRead(0x8000_0010, 2), 0x3344);
    assert.equal(bus.mmioRead(0x8000_0013, 1), 0x11);
    assert.deepEqual(seen, [[0x8000_0010, 4]]);
    assert.equal(bus.mmioRead(0x8010_0000, 1), undefined, 'past the end of RAM');
  });

  it('dmaWritten and writePhys notify; readPhys copies', () => {
    const bus = new Bus(new Ram(1));
    const seen: [number, number][] = [];
    bus.onRamWritten = (a, n) => seen.push([a, n]);
    bus.dmaWritten(0x8000_0000, 0);
    bus.dmaWritten(0x8000_0100, 16);
    assert.equal(bus.writePhys(0x8000_0200, Uint8Array.from([9])), true);
    assert.deepEqual(seen, [
      [0x8000_0100, 16],
      [0x8000_0200, 1],
    ]);
    const c = bus.readPhys(0x8000_0200, 1)!;
    c[0] = 1;
    assert.equal(bus.ram.u8[0x200], 9);
  });
});

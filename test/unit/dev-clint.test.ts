/**
 * CLINT: msip drives MSIP, mtime >= mtimecmp drives MTIP, 64-bit registers are reached
 * as two 32-bit halves (low first), and mtime is the machine's.
 */
import assert from 'node:assert/strict';
import { Clint } from '../../emulator/devices/clint';
import { Irq } from '../../emulator/types';

function make(harts = 2): { clint: Clint; lines: Map<string, boolean>; time: { t: number } } {
  const lines = new Map<string, boolean>();
  const time = { t: 0 };
  const clint = new Clint({
    hartCount: harts,
    getTime: () => time.t,
    setTime: (t) => (time.t = t),
    setLine: (h, irq, level) => lines.set(`${h}:${irq}`, level),
  });
  return { clint, lines, time };
}

describe('CLINT', () => {
  it('drives MSIP from bit 0 of msip[hart]', () => {
    const { clint, lines } = make();
    clint.write(4, 4, 0xffffffff);
    assert.equal(lines.get(`1:${Irq.MSoft}`), true);
    assert.equal(lines.get(`0:${Irq.MSoft}`), undefined);
    assert.equal(clint.read(4, 4), 1);
    clint.write(4, 4, 0);
    assert.equal(lines.get(`1:${Irq.MSoft}`), false);
  });

  it('raises MTIP when mtime reaches mtimecmp, not before; pending at reset like QEMU', () => {
    const { clint, lines, time } = make();
    clint.update();
    assert.equal(lines.get(`0:${Irq.MTimer}`), true, 'mtimecmp resets to 0');
    clint.write(0x4000, 4, 1000); // mtimecmp[0] low
    clint.write(0x4004, 4, 0); // high
    assert.equal(lines.get(`0:${Irq.MTimer}`), false);
    assert.equal(clint.mtimecmp(0), 1000);
    time.t = 999;
    clint.update();
    assert.equal(lines.get(`0:${Irq.MTimer}`), false);
    time.t = 1000;
    clint.update();
    assert.equal(lines.get(`0:${Irq.MTimer}`), true);
    assert.equal(lines.get(`1:${Irq.MTimer}`), true, 'hart 1 still at its reset value 0');
    clint.write(0x4000, 4, 5000); // writing mtimecmp clears MTIP at once
    assert.equal(lines.get(`0:${Irq.MTimer}`), false);
    assert.equal(clint.nextDeadline(1000), 5000);
  });

  it('reads mtime as two halves and takes a 64-bit mtimecmp written low half first', () => {
    const { clint, time } = make();
    time.t = 0x1_2345_6789;
    assert.equal(clint.read(0xbff8, 4), 0x2345_6789);
    assert.equal(clint.read(0xbffc, 4), 1);
    clint.write(0x4008, 4, 0x10); // hart 1 low
    clint.write(0x400c, 4, 0x2); // hart 1 high
    assert.equal(clint.mtimecmp(1), 0x2_0000_0010);
    assert.equal(clint.read(0x400c, 4), 2);
    assert.equal(clint.read(0x4009, 1), 0, 'byte reads see the word');
  });

  it('lets the guest write mtime', () => {
    const { clint, time } = make();
    time.t = 5;
    clint.write(0xbff8, 4, 77);
    assert.equal(time.t, 77);
    clint.write(0xbffc, 4, 1);
    assert.equal(time.t, 0x1_0000_004d);
  });

  it('snapshots and restores compare values and msip, re-driving the lines', () => {
    const { clint, time } = make();
    clint.write(0x4000, 4, 10);
    clint.write(0x4004, 4, 0);
    clint.write(0x4008, 4, 100);
    clint.write(0, 4, 1);
    const snap = structuredClone(clint.snapshot());
    const b = make();
    b.time.t = time.t = 20;
    b.clint.restore(snap);
    assert.equal(b.lines.get(`0:${Irq.MTimer}`), true);
    assert.equal(b.lines.get(`0:${Irq.MSoft}`), true);
    assert.equal(b.lines.get(`1:${Irq.MTimer}`), false);
  });
});

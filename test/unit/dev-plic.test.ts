/**
 * PLIC: claim/complete as a kernel drives it through the register layout of QEMU virt:
 * priorities, thresholds, ties, per-context enables, the gateway's in-service rule, and
 * the MEIP/SEIP lines it drives.
 */
import assert from 'node:assert/strict';
import { Plic } from '../../emulator/devices/plic';
import { Irq } from '../../emulator/types';

const PRIO = (src: number): number => 4 * src;
const ENABLE = (ctx: number): number => 0x2000 + 0x80 * ctx;
const THRESHOLD = (ctx: number): number => 0x200000 + 0x1000 * ctx;
const CLAIM = (ctx: number): number => 0x200004 + 0x1000 * ctx;

function make(harts = 1): { plic: Plic; lines: Map<string, boolean> } {
  const lines = new Map<string, boolean>();
  const plic = new Plic({ hartCount: harts, setLine: (h, irq, level) => lines.set(`${h}:${irq}`, level) });
  return { plic, lines };
}

describe('PLIC', () => {
  it('claims the highest priority pending enabled source, lowest id on ties', () => {
    const { plic } = make();
    for (const [src, p] of [
      [1, 2],
      [10, 5],
      [11, 5],
      [33, 7],
    ] as const)
      plic.write(PRIO(src), 4, p);
    plic.write(ENABLE(1), 4, (1 << 1) | (1 << 10) | (1 << 11));
    plic.write(ENABLE(1) + 4, 4, 1 << 1); // source 33
    for (const s of [1, 10, 11, 33]) plic.setSource(s, true);
    assert.equal(plic.read(CLAIM(1), 4), 33);
    assert.equal(plic.read(CLAIM(1), 4), 10);
    assert.equal(plic.read(CLAIM(1), 4), 11);
    assert.equal(plic.read(CLAIM(1), 4), 1);
    assert.equal(plic.read(CLAIM(1), 4), 0);
  });

  it('clears the pending bit on claim and reads pending bits at +0x1000', () => {
    const { plic } = make();
    plic.write(PRIO(10), 4, 1);
    plic.write(ENABLE(1), 4, 1 << 10);
    plic.setSource(10, true);
    assert.equal(plic.read(0x1000, 4), 1 << 10);
    assert.equal(plic.read(CLAIM(1), 4), 10);
    assert.equal(plic.read(0x1000, 4), 0);
  });

  it('honours the threshold: only priorities strictly above it are delivered', () => {
    const { plic, lines } = make();
    plic.write(PRIO(1), 4, 3);
    plic.write(ENABLE(1), 4, 1 << 1);
    plic.write(THRESHOLD(1), 4, 3);
    plic.setSource(1, true);
    assert.equal(lines.get(`0:${Irq.SExt}`) ?? false, false);
    assert.equal(plic.read(CLAIM(1), 4), 0);
    plic.write(THRESHOLD(1), 4, 2);
    assert.equal(lines.get(`0:${Irq.SExt}`) ?? false, true);
    assert.equal(plic.read(THRESHOLD(1), 4), 2);
    assert.equal(plic.read(CLAIM(1), 4), 1);
    assert.equal(lines.get(`0:${Irq.SExt}`) ?? false, false);
  });

  it('priority 0 never interrupts', () => {
    const { plic } = make();
    plic.write(ENABLE(0), 4, 1 << 5);
    plic.setSource(5, true);
    assert.equal(plic.read(CLAIM(0), 4), 0);
  });

  it('keeps enables per context: M and S of each hart drive MEIP and SEIP', () => {
    const { plic, lines } = make(2);
    plic.write(PRIO(10), 4, 1);
    plic.write(ENABLE(3), 4, 1 << 10); // hart 1, S mode
    plic.setSource(10, true);
    assert.equal(lines.get(`1:${Irq.SExt}`) ?? false, true);
    assert.equal(lines.get(`0:${Irq.SExt}`) ?? false, false);
    assert.equal(lines.get(`0:${Irq.MExt}`) ?? false, false);
    assert.equal(lines.get(`1:${Irq.MExt}`) ?? false, false);
    assert.equal(plic.read(CLAIM(0), 4), 0, 'a context without the enable cannot claim it');
    assert.equal(plic.read(CLAIM(2), 4), 0);
    assert.equal(plic.read(CLAIM(3), 4), 10);
    plic.write(ENABLE(0), 4, 1 << 10);
    assert.equal(plic.read(ENABLE(0), 4), 1 << 10);
  });

  it('gateway: a claimed source is not pending again until completed, then delivers a request made meanwhile', () => {
    const { plic, lines } = make();
    plic.write(PRIO(1), 4, 1);
    plic.write(ENABLE(1), 4, 1 << 1);
    plic.setSource(1, true);
    assert.equal(plic.read(CLAIM(1), 4), 1);
    plic.setSource(1, true); // the device asks again while the request is in service
    assert.equal(plic.isPending(1), true);
    assert.equal(lines.get(`0:${Irq.SExt}`) ?? false, false, 'in service: not delivered');
    assert.equal(plic.read(CLAIM(1), 4), 0);
    plic.write(CLAIM(1), 4, 1); // complete
    assert.equal(lines.get(`0:${Irq.SExt}`) ?? false, true);
    assert.equal(plic.read(CLAIM(1), 4), 1);
    plic.write(CLAIM(1), 4, 1);
    assert.equal(plic.read(CLAIM(1), 4), 0, 'a line merely left high does not re-pend (QEMU)');
  });

  it('a level dropped before the claim does not withdraw the request (QEMU 7.2)', () => {
    const { plic } = make();
    plic.write(PRIO(1), 4, 1);
    plic.write(ENABLE(1), 4, 1 << 1);
    plic.setSource(1, true);
    plic.setSource(1, false);
    assert.equal(plic.read(CLAIM(1), 4), 1);
    assert.equal(plic.read(CLAIM(1), 4), 0);
  });

  it('ignores writes to pending bits and source 0, masks priorities to 3 bits', () => {
    const { plic } = make();
    plic.write(0x1000, 4, 0xffffffff);
    assert.equal(plic.read(0x1000, 4), 0);
    plic.write(PRIO(0), 4, 7);
    assert.equal(plic.read(PRIO(0), 4), 0);
    plic.write(PRIO(2), 4, 0xff);
    assert.equal(plic.read(PRIO(2), 4), 7);
    plic.write(ENABLE(1), 4, 0xffffffff);
    assert.equal(plic.read(ENABLE(1), 4), 0xfffffffe);
  });

  it('restores a snapshot, including claims in service', () => {
    const { plic } = make();
    plic.write(PRIO(1), 4, 1);
    plic.write(ENABLE(1), 4, 1 << 1);
    plic.setSource(1, true);
    assert.equal(plic.read(CLAIM(1), 4), 1);
    const snap = plic.snapshot();
    const other = make().plic;
    other.restore(structuredClone(snap));
    assert.equal(other.isClaimed(1), true);
    other.write(CLAIM(1), 4, 1);
    other.setSource(1, true);
    assert.equal(other.read(CLAIM(1), 4), 1);
  });
});

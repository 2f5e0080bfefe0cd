/**
 * The device side of a split virtqueue (virtio 1.1 section 2.6). The driver owns the
 * descriptor table and the available ring; the device reads them and returns buffers
 * through the used ring:
 *   descriptor (2.6.5): le64 addr, le32 len, le16 flags (NEXT 1, WRITE 2, INDIRECT 4), le16 next
 *   available ring (2.6.6): le16 flags, le16 idx, le16 ring[num], le16 used_event
 *   used ring (2.6.8): le16 flags, le16 idx, {le32 id, le32 len} ring[num], le16 avail_event
 * Where the three parts live is the transport's business (virtio-mmio.ts: three
 * addresses in the modern interface, one page frame in the legacy one, 2.6.2).
 *
 * Nothing the guest puts in the rings can throw: a ring outside RAM, an index past the
 * queue size, a chain longer than the queue (a loop) or an indirect descriptor (a
 * feature we do not offer) comes back as a `QueueError` for the device to report.
 */
import type { Ram } from '../ram';

export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;

/** One buffer of a descriptor chain, in chain order. */
export interface Segment {
  addr: number;
  len: number;
  /** Device-writable (VIRTQ_DESC_F_WRITE). */
  write: boolean;
}

/** A structural problem with the rings: the device must stop using the queue. */
export class QueueError {
  constructor(readonly why: string) {}
}

export interface QueueState {
  num: number;
  ready: boolean;
  desc: number;
  avail: number;
  used: number;
  lastAvail: number;
}

export class SplitQueue implements QueueState {
  num = 0;
  ready = false;
  desc = 0;
  avail = 0;
  used = 0;
  /** The next available-ring entry the device will take (free-running 16-bit index). */
  lastAvail = 0;

  constructor(private readonly ram: Ram) {}

  reset(): void {
    this.num = 0;
    this.ready = false;
    this.desc = this.avail = this.used = 0;
    this.lastAvail = 0;
  }

  /** Where [paddr, paddr + len) is in RAM, or the error to report. */
  private off(paddr: number, len: number, what: string): number | QueueError {
    const o = this.ram.offsetOf(paddr, len);
    return o >= 0 ? o : new QueueError(`${what} at 0x${paddr.toString(16)} is outside RAM`);
  }

  /** The head of the next available chain; -1 when the driver has offered nothing new. */
  pop(): number | QueueError {
    const dv = this.ram.dv;
    const a = this.off(this.avail, 6 + 2 * this.num, 'available ring');
    if (a instanceof QueueError) return a;
    const idx = dv.getUint16(a + 2, true);
    const outstanding = (idx - this.lastAvail) & 0xffff;
    if (outstanding === 0) return -1;
    if (outstanding > this.num)
      return new QueueError(`available index ${idx} runs ${outstanding} entries ahead`);
    const head = dv.getUint16(a + 4 + 2 * (this.lastAvail % this.num), true);
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    if (head >= this.num) return new QueueError(`chain head ${head} is not below the queue size ${this.num}`);
    return head;
  }

  /** The buffers of the chain starting at `head`. */
  chain(head: number): Segment[] | QueueError {
    const dv = this.ram.dv;
    const segs: Segment[] = [];
    let i = head;
    for (;;) {
      // 2.6.5.3.1: a chain never holds more descriptors than the queue; more means a loop.
      if (segs.length >= this.num) return new QueueError(`descriptor chain from ${head} loops`);
      const d = this.off(this.desc + 16 * i, 16, 'descriptor');
      if (d instanceof QueueError) return d;
      const addr = dv.getUint32(d + 4, true) * 0x1_0000_0000 + dv.getUint32(d, true);
      const len = dv.getUint32(d + 8, true);
      const flags = dv.getUint16(d + 12, true);
      if (flags & VIRTQ_DESC_F_INDIRECT) return new QueueError('indirect descriptors were not negotiated');
      segs.push({ addr, len, write: (flags & VIRTQ_DESC_F_WRITE) !== 0 });
      if (!(flags & VIRTQ_DESC_F_NEXT)) return segs;
      i = dv.getUint16(d + 14, true);
      if (i >= this.num) return new QueueError(`descriptor ${i} is not below the queue size ${this.num}`);
    }
  }

  /**
   * Return chain `head` to the driver with `len` bytes written (2.6.8). Returns the RAM
   * range written, for the machine's DMA notification, or a QueueError.
   */
  push(head: number, len: number): { paddr: number; len: number } | QueueError {
    const dv = this.ram.dv;
    const u = this.off(this.used, 6 + 8 * this.num, 'used ring');
    if (u instanceof QueueError) return u;
    const idx = dv.getUint16(u + 2, true);
    const slot = u + 4 + 8 * (idx % this.num);
    dv.setUint32(slot, head, true);
    dv.setUint32(slot + 4, len, true);
    // 2.6.8.2: the ring entry must be visible before the index that publishes it.
    dv.setUint16(u + 2, (idx + 1) & 0xffff, true);
    return { paddr: this.used, len: 6 + 8 * this.num };
  }

  snapshot(): QueueState {
    return {
      num: this.num,
      ready: this.ready,
      desc: this.desc,
      avail: this.avail,
      used: this.used,
      lastAvail: this.lastAvail,
    };
  }

  restore(s: QueueState): void {
    Object.assign(this, s);
  }
}

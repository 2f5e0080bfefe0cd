/**
 * virtio-mmio block device, driven from the test as a kernel's driver would: negotiate,
 * place a split virtqueue in RAM, post descriptor chains, notify, read the used ring.
 * Every case runs on both the legacy (Version 1) and the modern (Version 2) interface.
 */
import assert from 'node:assert/strict';
import { Ram } from '../../emulator/ram';
import { Disk } from '../../emulator/disk';
import { R, VirtioMmio, STATUS_NEEDS_RESET } from '../../emulator/devices/virtio-mmio';
import { VirtioBlk } from '../../emulator/devices/virtio-blk';

const BASE = 0x8000_0000;
const QUEUE = BASE + 0x1_0000; // page-aligned home of the queue
const BUF = BASE + 0x2_0000; // request buffers
const NUM = 8;

interface Seg {
  addr: number;
  len: number;
  write?: boolean;
}

class Driver {
  readonly ram = new Ram(1);
  readonly irq = { level: false };
  readonly dma: [number, number][] = [];
  readonly disk: Disk;
  readonly dev: VirtioMmio;
  private availIdx = 0;
  used = 0;
  desc = QUEUE;
  avail = QUEUE + 16 * NUM;
  usedRing: number;

  constructor(
    readonly mode: 'legacy' | 'modern',
    image: Uint8Array,
  ) {
    this.disk = new Disk(image);
    const blk = new VirtioBlk(this.ram, this.disk, (p, n) => this.dma.push([p, n]));
    this.dev = new VirtioMmio(this.ram, mode, blk, (l) => (this.irq.level = l));
    this.usedRing = mode === 'legacy' ? QUEUE + 4096 : QUEUE + 0x800;
  }

  r(off: number): number {
    return this.dev.read(off, 4);
  }
  w(off: number, v: number): void {
    this.dev.write(off, 4, v);
  }

  /** Virtio 1.1 section 3.1.1, the driver's initialization sequence. */
  init(): void {
    this.ram.u8.fill(0, QUEUE - BASE, QUEUE - BASE + 0x2000);
    this.availIdx = 0;
    this.w(R.Status, 0);
    this.w(R.Status, 1);
    this.w(R.Status, 1 | 2);
    this.w(R.DeviceFeaturesSel, 1);
    const hi = this.r(R.DeviceFeatures);
    this.w(R.DriverFeaturesSel, 1);
    this.w(R.DriverFeatures, hi);
    this.w(R.DriverFeaturesSel, 0);
    this.w(R.DriverFeatures, 0);
    this.w(R.Status, 1 | 2 | 8);
    assert.equal(this.r(R.Status) & 8, 8, 'FEATURES_OK accepted');
    this.w(R.QueueSel, 0);
    assert.ok(this.r(R.QueueNumMax) >= NUM);
    this.w(R.QueueNum, NUM);
    if (this.mode === 'legacy') {
      this.w(R.GuestPageSize, 4096);
      this.w(R.QueuePFN, QUEUE / 4096);
    } else {
      assert.equal(this.r(R.QueueReady), 0);
      this.w(R.QueueDescLow, this.desc);
      this.w(R.QueueDescHigh, 0);
      this.w(R.QueueDriverLow, this.avail);
      this.w(R.QueueDriverHigh, 0);
      this.w(R.QueueDeviceLow, this.usedRing);
      this.w(R.QueueDeviceHigh, 0);
      this.w(R.QueueReady, 1);
    }
    this.w(R.Status, 1 | 2 | 8 | 4);
  }

  /** Write descriptor `i`; `next` chains it on (undefined: last of its chain). */
  setDesc(i: number, s: Seg, next?: number): void {
    const dv = this.ram.dv;
    const d = this.desc - BASE + 16 * i;
    dv.setUint32(d, s.addr % 0x1_0000_0000, true);
    dv.setUint32(d + 4, Math.floor(s.addr / 0x1_0000_0000), true);
    dv.setUint32(d + 8, s.len, true);
    dv.setUint16(d + 12, (next === undefined ? 0 : 1) | (s.write ? 2 : 0), true);
    dv.setUint16(d + 14, next ?? 0, true);
  }

  /** Offer the chain starting at `head` in the available ring and notify. */
  post(head: number): void {
    const dv = this.ram.dv;
    const a = this.avail - BASE;
    dv.setUint16(a + 4 + 2 * (this.availIdx % NUM), head, true);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    dv.setUint16(a + 2, this.availIdx, true);
    this.w(R.QueueNotify, 0);
  }

  /** Post a chain in descriptors 0..n-1 (or the given indices) and notify. */
  submit(segs: Seg[], indices?: number[]): void {
    const idx = indices ?? segs.map((_, k) => k);
    segs.forEach((s, k) => this.setDesc(idx[k]!, s, k === segs.length - 1 ? undefined : idx[k + 1]));
    this.post(idx[0]!);
  }

  usedIdx(): number {
    return this.ram.dv.getUint16(this.usedRing - BASE + 2, true);
  }
  usedElem(i: number): { id: number; len: number } {
    const o = this.usedRing - BASE + 4 + 8 * (i % NUM);
    return { id: this.ram.dv.getUint32(o, true), len: this.ram.dv.getUint32(o + 4, true) };
  }

  header(at: number, type: number, sector: number): Seg {
    const dv = this.ram.dv;
    dv.setUint32(at - BASE, type, true);
    dv.setUint32(at - BASE + 4, 0, true);
    dv.setUint32(at - BASE + 8, sector, true);
    dv.setUint32(at - BASE + 12, 0, true);
    return { addr: at, len: 16 };
  }

  bytes(addr: number, len: number): Uint8Array {
    return this.ram.u8.subarray(addr - BASE, addr - BASE + len);
  }
}

/** 16 sectors; byte k of sector s is (s * 7 + k) & 0xff. */
function image(): Uint8Array {
  const img = new Uint8Array(16 * 512);
  for (let s = 0; s < 16; s++) for (let k = 0; k < 512; k++) img[s * 512 + k] = (s * 7 + k) & 0xff;
  return img;
}

const HDR = BUF;
const DATA = BUF + 0x1000;
const STATUS = BUF + 0x3000;

for (const mode of ['legacy', 'modern'] as const) {
  describe(`virtio-blk over virtio-mmio (${mode})`, () => {
    it('identifies itself like QEMU and reports the capacity', () => {
      const d = new Driver(mode, image());
      assert.equal(d.r(R.MagicValue), 0x74726976);
      assert.equal(d.r(R.Version), mode === 'legacy' ? 1 : 2);
      assert.equal(d.r(R.DeviceID), 2);
      assert.equal(d.r(R.VendorID), 0x554d4551);
      assert.equal(d.r(R.Config), 16);
      assert.equal(d.r(R.Config + 4), 0);
      assert.equal(d.dev.read(R.Config, 1), 16);
      d.w(R.DeviceFeaturesSel, 1);
      assert.equal(d.r(R.DeviceFeatures) & 1, mode === 'modern' ? 1 : 0, 'VIRTIO_F_VERSION_1');
    });

    it('accepts FEATURES_OK from a driver that writes only the low feature word (xv6)', () => {
      const d = new Driver(mode, image());
      d.w(R.Status, 1 | 2);
      d.w(R.DriverFeatures, d.r(R.DeviceFeatures));
      d.w(R.Status, 1 | 2 | 8);
      assert.equal(d.r(R.Status), 1 | 2 | 8);
    });

    it('refuses FEATURES_OK for a feature it did not offer', () => {
      const d = new Driver(mode, image());
      d.w(R.Status, 1 | 2);
      d.w(R.DriverFeatures, 1 << 28); // VIRTIO_RING_F_INDIRECT_DESC
      d.w(R.Status, 1 | 2 | 8);
      assert.equal(d.r(R.Status) & 8, 0);
    });

    it('reads a sector into a three-descriptor chain and interrupts', () => {
      const d = new Driver(mode, image());
      d.init();
      d.ram.u8[STATUS - BASE] = 0xff;
      d.submit([
        d.header(HDR, 0, 3),
        { addr: DATA, len: 512, write: true },
        { addr: STATUS, len: 1, write: true },
      ]);
      assert.equal(d.bytes(STATUS, 1)[0], 0);
      assert.deepEqual(d.bytes(DATA, 512), image().subarray(3 * 512, 4 * 512));
      assert.equal(d.usedIdx(), 1);
      assert.deepEqual(d.usedElem(0), { id: 0, len: 513 });
      assert.equal(d.r(R.InterruptStatus), 1);
      assert.equal(d.irq.level, true);
      assert.ok(
        d.dma.some(([p, n]) => p === DATA && n === 512),
        'DMA reported to the machine',
      );
      d.w(R.InterruptACK, 1);
      assert.equal(d.r(R.InterruptStatus), 0);
      assert.equal(d.irq.level, false);
    });

    it('writes a sector to the overlay, leaving the image untouched', () => {
      const img = image();
      const d = new Driver(mode, img);
      d.init();
      d.bytes(DATA, 512).fill(0xab);
      d.submit(
        [d.header(HDR, 1, 5), { addr: DATA, len: 512 }, { addr: STATUS, len: 1, write: true }],
        [4, 2, 6],
      );
      assert.equal(d.bytes(STATUS, 1)[0], 0);
      assert.deepEqual(d.usedElem(0), { id: 4, len: 1 });
      assert.equal(img[5 * 512], (5 * 7) & 0xff, 'the original image is unchanged');
      assert.equal(d.disk.contents()[5 * 512 + 17], 0xab);
      // Read it back through the device.
      d.submit([
        d.header(HDR, 0, 5),
        { addr: DATA + 512, len: 512, write: true },
        { addr: STATUS, len: 1, write: true },
      ]);
      assert.equal(d.bytes(DATA + 512, 512)[100], 0xab);
      assert.equal(d.usedIdx(), 2);
    });

    it('accepts any framing: split header, many data descriptors, status inside the last one', () => {
      const d = new Driver(mode, image());
      d.init();
      const h = d.header(HDR, 0, 6);
      d.submit([
        { addr: h.addr, len: 8 },
        { addr: h.addr + 8, len: 8 },
        { addr: DATA, len: 100, write: true },
        { addr: DATA + 0x400, len: 412, write: true },
        { addr: DATA + 0x800, len: 513, write: true }, // 512 data bytes + status
      ]);
      const want = image().subarray(6 * 512, 8 * 512);
      assert.deepEqual(d.bytes(DATA, 100), want.subarray(0, 100));
      assert.deepEqual(d.bytes(DATA + 0x400, 412), want.subarray(100, 512));
      assert.deepEqual(d.bytes(DATA + 0x800, 512), want.subarray(512));
      assert.equal(d.bytes(DATA + 0x800 + 512, 1)[0], 0, 'status OK');
      assert.deepEqual(d.usedElem(0), { id: 0, len: 1025 });
    });

    it('answers IOERR for a sector past the end or a buffer outside RAM, without throwing', () => {
      const d = new Driver(mode, image());
      d.init();
      d.submit([
        d.header(HDR, 0, 16),
        { addr: DATA, len: 512, write: true },
        { addr: STATUS, len: 1, write: true },
      ]);
      assert.equal(d.bytes(STATUS, 1)[0], 1);
      assert.deepEqual(d.usedElem(0), { id: 0, len: 513 }, 'every writable byte, as QEMU reports');
      d.submit([
        d.header(HDR, 0, 0),
        { addr: 0x1000, len: 512, write: true },
        { addr: STATUS, len: 1, write: true },
      ]);
      assert.equal(d.bytes(STATUS, 1)[0], 1);
      d.submit([d.header(HDR, 1, 0), { addr: DATA, len: 100 }, { addr: STATUS, len: 1, write: true }]);
      assert.equal(d.bytes(STATUS, 1)[0], 1, 'not a whole sector');
      assert.equal(d.usedIdx(), 3);
      assert.equal(d.r(R.Status) & STATUS_NEEDS_RESET, 0);
    });

    it('answers GET_ID with the ID string and UNSUPP for other types', () => {
      const d = new Driver(mode, image());
      d.init();
      d.submit([
        d.header(HDR, 8, 0),
        { addr: DATA, len: 20, write: true },
        { addr: STATUS, len: 1, write: true },
      ]);
      assert.equal(d.bytes(STATUS, 1)[0], 0);
      assert.match(Buffer.from(d.bytes(DATA, 20)).toString('latin1'), /^xv6emu/);
      assert.deepEqual(d.usedElem(0), { id: 0, len: 21 });
      d.submit([d.header(HDR, 4, 0), { addr: STATUS, len: 1, write: true }]);
      assert.equal(d.bytes(STATUS, 1)[0], 2);
    });

    it('marks the device as needing reset on a descriptor loop, and recovers after a reset', () => {
      const d = new Driver(mode, image());
      d.init();
      d.header(HDR, 0, 0);
      // Descriptors 0 -> 1 -> 0 -> ...: a chain that never ends.
      d.setDesc(0, { addr: HDR, len: 16 }, 1);
      d.setDesc(1, { addr: DATA, len: 512, write: true }, 0);
      assert.doesNotThrow(() => d.post(0));
      assert.equal(d.r(R.Status) & STATUS_NEEDS_RESET, STATUS_NEEDS_RESET);
      assert.equal(d.r(R.InterruptStatus) & 2, 2, 'configuration change notified');
      assert.ok(d.dev.lastError);
      d.init();
      assert.equal(d.r(R.Status) & STATUS_NEEDS_RESET, 0);
      d.submit([
        d.header(HDR, 0, 1),
        { addr: DATA, len: 512, write: true },
        { addr: STATUS, len: 1, write: true },
      ]);
      assert.equal(d.bytes(STATUS, 1)[0], 0);
    });

    it('marks the device as needing reset for a head index past the queue or a ring outside RAM', () => {
      const d = new Driver(mode, image());
      d.init();
      const dv = d.ram.dv;
      dv.setUint16(d.avail - BASE + 4, 200, true);
      dv.setUint16(d.avail - BASE + 2, 1, true);
      assert.doesNotThrow(() => d.w(R.QueueNotify, 0));
      assert.equal(d.r(R.Status) & STATUS_NEEDS_RESET, STATUS_NEEDS_RESET);

      const e = new Driver(mode, image());
      e.init();
      if (mode === 'legacy')
        e.w(R.QueuePFN, 0x10); // 0x10000: not RAM
      else {
        e.w(R.QueueReady, 0);
        e.w(R.QueueDriverLow, 0x10);
        e.w(R.QueueReady, 1);
      }
      assert.doesNotThrow(() => e.w(R.QueueNotify, 0));
      assert.equal(e.r(R.Status) & STATUS_NEEDS_RESET, STATUS_NEEDS_RESET);
    });

    it('snapshots the queue position and the disk overlay', () => {
      const d = new Driver(mode, image());
      d.init();
      d.bytes(DATA, 512).fill(0x11);
      d.submit([d.header(HDR, 1, 2), { addr: DATA, len: 512 }, { addr: STATUS, len: 1, write: true }]);
      const snap = structuredClone(d.dev.snapshot());
      d.bytes(DATA, 512).fill(0x22);
      d.submit([d.header(HDR, 1, 2), { addr: DATA, len: 512 }, { addr: STATUS, len: 1, write: true }]);
      assert.equal(d.disk.contents()[2 * 512], 0x22);
      d.dev.restore(snap);
      assert.equal(d.disk.contents()[2 * 512], 0x11);
      assert.equal(d.dev.queue.lastAvail, 1);
    });
  });
}

describe('virtio-mmio without a disk', () => {
  it('reads as an empty slot (DeviceID 0) and ignores notifications', () => {
    const ram = new Ram(1);
    const dev = new VirtioMmio(ram, 'legacy', undefined, () => {});
    assert.equal(dev.read(R.MagicValue, 4), 0x74726976);
    assert.equal(dev.read(R.DeviceID, 4), 0);
    assert.doesNotThrow(() => dev.write(R.QueueNotify, 4, 0));
  });
});

/**
 * The virtio-mmio transport (virtio 1.1 section 4.2), in both of its interfaces:
 * - modern (Version 2, 4.2.2): 64-bit feature negotiation through DeviceFeatures/
 *   DriverFeatures with selectors, VIRTIO_F_VERSION_1 offered, queue parts placed
 *   separately (QueueDesc/Driver/Device) and enabled with QueueReady;
 * - legacy (Version 1, 4.2.4): HostFeatures/GuestFeatures, GuestPageSize, and one page
 *   frame (QueuePFN) holding the whole queue in the layout of 2.6.2 (descriptors, then
 *   the available ring, then the used ring at the next QueueAlign boundary).
 * QEMU's virt board offers the legacy one unless `-global virtio-mmio.force-legacy=false`.
 *
 * The device behind the transport (virtio-blk.ts) only sees queues and config space.
 * Interrupts: InterruptStatus bit 0 (used buffer) and bit 1 (configuration change) keep
 * the PLIC source requested until InterruptACK clears them (4.2.2). A structural error
 * in a ring sets DEVICE_NEEDS_RESET and notifies a configuration change (2.1.2); the
 * queue is then ignored until the driver resets the device by writing 0 to Status.
 * With no device behind it the transport reads DeviceID 0, as QEMU's empty slots do.
 */
import type { Device } from '../types';
import type { Ram } from '../ram';
import { QueueError, SplitQueue, type QueueState } from './virtqueue';

export const VIRTIO_MAGIC = 0x74726976; // "virt"
export const QEMU_VENDOR_ID = 0x554d4551; // "QEMU"

// Register offsets (4.2.2 and 4.2.4).
export const R = {
  MagicValue: 0x000,
  Version: 0x004,
  DeviceID: 0x008,
  VendorID: 0x00c,
  DeviceFeatures: 0x010,
  DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020,
  DriverFeaturesSel: 0x024,
  GuestPageSize: 0x028, // legacy
  QueueSel: 0x030,
  QueueNumMax: 0x034,
  QueueNum: 0x038,
  QueueAlign: 0x03c, // legacy
  QueuePFN: 0x040, // legacy
  QueueReady: 0x044, // modern
  QueueNotify: 0x050,
  InterruptStatus: 0x060,
  InterruptACK: 0x064,
  Status: 0x070,
  QueueDescLow: 0x080,
  QueueDescHigh: 0x084,
  QueueDriverLow: 0x090,
  QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0,
  QueueDeviceHigh: 0x0a4,
  ConfigGeneration: 0x0fc,
  Config: 0x100,
} as const;

// Device status bits (2.1).
export const STATUS_ACKNOWLEDGE = 1;
export const STATUS_DRIVER = 2;
export const STATUS_DRIVER_OK = 4;
export const STATUS_FEATURES_OK = 8;
export const STATUS_NEEDS_RESET = 0x40;
export const STATUS_FAILED = 0x80;

/** VIRTIO_F_VERSION_1 is feature bit 32 (section 6): bit 0 of the second feature word. */
const F_VERSION_1_HI = 1;

export const INT_USED = 1;
export const INT_CONFIG = 2;

/** What a virtio device (virtio-blk.ts) provides to its transport. */
export interface VirtioBackend {
  readonly deviceId: number;
  /** Device-specific feature bits offered, as two 32-bit words (bits 0-31, 32-63). */
  readonly features: readonly [number, number];
  readonly queueNumMax: number;
  /** Device configuration space (4.2.2 "Config"), little-endian. */
  readonly config: Uint8Array;
  /** The driver notified queue 0: consume what it offered. */
  process(q: SplitQueue): { used: boolean; error?: QueueError };
  snapshot(): unknown;
  restore(state: unknown): void;
}

interface TransportState {
  status: number;
  interruptStatus: number;
  deviceFeaturesSel: number;
  driverFeaturesSel: number;
  driverFeatures: [number, number];
  guestPageSize: number;
  queueSel: number;
  queueAlign: number;
  queuePfn: number;
  queue: QueueState;
  backend: unknown;
}

export class VirtioMmio implements Device {
  readonly name = 'virtio-mmio';
  private status = 0;
  private interruptStatus = 0;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private driverFeatures: [number, number] = [0, 0];
  private guestPageSize = 4096;
  private queueSel = 0;
  private queueAlign = 4096;
  private queuePfn = 0;
  readonly queue: SplitQueue;
  /** Why the device last asked for a reset (for the debugger), if it did. */
  lastError: string | undefined;

  constructor(
    ram: Ram,
    private readonly mode: 'legacy' | 'modern',
    private readonly backend: VirtioBackend | undefined,
    private readonly setIrq: (level: boolean) => void,
  ) {
    this.queue = new SplitQueue(ram);
  }

  private get legacy(): boolean {
    return this.mode === 'legacy';
  }

  /** The feature word `sel` the device offers. */
  private offered(sel: number): number {
    if (!this.backend || sel > 1) return 0;
    const f = this.backend.features[sel]!;
    return sel === 1 && !this.legacy ? (f | F_VERSION_1_HI) >>> 0 : f >>> 0;
  }

  private reset(): void {
    this.status = 0;
    this.interruptStatus = 0;
    this.deviceFeaturesSel = this.driverFeaturesSel = 0;
    this.driverFeatures = [0, 0];
    this.queueSel = 0;
    this.queueAlign = 4096;
    this.queuePfn = 0;
    this.queue.reset();
    this.lastError = undefined;
    this.setIrq(false);
  }

  private raise(bits: number): void {
    this.interruptStatus |= bits;
    this.setIrq(true);
  }

  private fail(e: QueueError): void {
    this.lastError = e.why;
    this.status |= STATUS_NEEDS_RESET;
    if (this.status & STATUS_DRIVER_OK) this.raise(INT_CONFIG);
  }

  /** Legacy: the queue's three parts follow from one page frame number (2.6.2). */
  private placeLegacyQueue(): void {
    const q = this.queue;
    const base = this.queuePfn * this.guestPageSize;
    const align = this.queueAlign > 0 ? this.queueAlign : 4096;
    q.desc = base;
    q.avail = base + 16 * q.num;
    q.used = Math.ceil((q.avail + 6 + 2 * q.num) / align) * align;
    q.ready = this.queuePfn !== 0 && q.num > 0;
  }

  private notify(): void {
    const q = this.queue;
    if (!this.backend || !q.ready || q.num === 0 || this.status & STATUS_NEEDS_RESET) return;
    const r = this.backend.process(q);
    if (r.error) this.fail(r.error);
    // Always interrupt after returning buffers: we do not offer VIRTIO_F_EVENT_IDX, and
    // ignoring VIRTQ_AVAIL_F_NO_INTERRUPT is allowed (2.6.7.2 says "should").
    if (r.used) this.raise(INT_USED);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset >= R.Config) {
      const cfg = this.backend?.config;
      const o = offset - R.Config;
      if (!cfg || o + size > cfg.length) return 0;
      let v = 0;
      for (let k = size - 1; k >= 0; k--) v = (v << 8) | cfg[o + k]!;
      return v >>> 0;
    }
    if (size !== 4) return 0; // 4.2.2.2: the control registers take 32-bit accesses only
    const legacy = this.legacy;
    const q = this.queue;
    switch (offset) {
      case R.MagicValue:
        return VIRTIO_MAGIC;
      case R.Version:
        return legacy ? 1 : 2;
      case R.DeviceID:
        return this.backend ? this.backend.deviceId : 0;
      case R.VendorID:
        return QEMU_VENDOR_ID;
      case R.DeviceFeatures:
        return this.offered(this.deviceFeaturesSel);
      case R.QueueNumMax:
        return this.backend && this.queueSel === 0 ? this.backend.queueNumMax : 0;
      case R.QueueNum:
        return this.queueSel === 0 ? q.num : 0;
      case R.QueuePFN:
        return legacy && this.queueSel === 0 ? this.queuePfn : 0;
      case R.QueueReady:
        return !legacy && this.queueSel === 0 && q.ready ? 1 : 0;
      case R.InterruptStatus:
        return this.interruptStatus;
      case R.Status:
        return this.status;
      case R.ConfigGeneration:
        return 0; // the block device's configuration never changes
      case R.QueueDescLow:
        return legacy ? 0 : q.desc >>> 0;
      case R.QueueDriverLow:
        return legacy ? 0 : q.avail >>> 0;
      case R.QueueDeviceLow:
        return legacy ? 0 : q.used >>> 0;
      case R.QueueDescHigh:
        return legacy ? 0 : Math.floor(q.desc / 0x1_0000_0000);
      case R.QueueDriverHigh:
        return legacy ? 0 : Math.floor(q.avail / 0x1_0000_0000);
      case R.QueueDeviceHigh:
        return legacy ? 0 : Math.floor(q.used / 0x1_0000_0000);
      default:
        return 0;
    }
  }

  /** Replace the low or high 32 bits of a queue address. */
  private static half(old: number, value: number, high: boolean): number {
    const lo = high ? old % 0x1_0000_0000 : value >>> 0;
    const hi = high ? value >>> 0 : Math.floor(old / 0x1_0000_0000);
    return hi * 0x1_0000_0000 + lo;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset >= R.Config || size !== 4) return; // the block config space is read-only
    const v = value >>> 0;
    const legacy = this.legacy;
    const q = this.queue;
    // 4.2.2: queue registers apply to the queue selected; the block device has queue 0 only.
    const queueWritable = this.queueSel === 0 && !(q.ready && !legacy);
    switch (offset) {
      case R.DeviceFeaturesSel:
        this.deviceFeaturesSel = v;
        break;
      case R.DriverFeatures:
        if (this.driverFeaturesSel < 2) this.driverFeatures[this.driverFeaturesSel] = v;
        break;
      case R.DriverFeaturesSel:
        this.driverFeaturesSel = v;
        break;
      case R.GuestPageSize:
        if (legacy) {
          this.guestPageSize = v;
          if (this.queuePfn) this.placeLegacyQueue();
        }
        break;
      case R.QueueSel:
        this.queueSel = v;
        break;
      case R.QueueNum:
        if (queueWritable && this.backend && v <= this.backend.queueNumMax) {
          q.num = v;
          if (legacy && this.queuePfn) this.placeLegacyQueue();
        }
        break;
      case R.QueueAlign:
        if (legacy) {
          this.queueAlign = v;
          if (this.queuePfn) this.placeLegacyQueue();
        }
        break;
      case R.QueuePFN:
        if (legacy && this.queueSel === 0) {
          this.queuePfn = v;
          q.lastAvail = 0;
          this.placeLegacyQueue();
        }
        break;
      case R.QueueReady:
        if (!legacy && this.queueSel === 0) {
          q.ready = (v & 1) === 1 && q.num > 0;
          if (!q.ready) q.lastAvail = 0;
        }
        break;
      case R.QueueNotify:
        if (v === 0) this.notify();
        break;
      case R.InterruptACK:
        this.interruptStatus &= ~v;
        this.setIrq(this.interruptStatus !== 0);
        break;
      case R.Status:
        if (v === 0) this.reset();
        else this.setStatus(v);
        break;
      case R.QueueDescLow:
      case R.QueueDescHigh:
        if (!legacy && queueWritable) q.desc = VirtioMmio.half(q.desc, v, offset === R.QueueDescHigh);
        break;
      case R.QueueDriverLow:
      case R.QueueDriverHigh:
        if (!legacy && queueWritable) q.avail = VirtioMmio.half(q.avail, v, offset === R.QueueDriverHigh);
        break;
      case R.QueueDeviceLow:
      case R.QueueDeviceHigh:
        if (!legacy && queueWritable) q.used = VirtioMmio.half(q.used, v, offset === R.QueueDeviceHigh);
        break;
      default:
        break;
    }
  }

  private setStatus(v: number): void {
    // NEEDS_RESET is the device's to set; the driver cannot clear it except by a reset.
    let s = (v & ~STATUS_NEEDS_RESET) | (this.status & STATUS_NEEDS_RESET);
    if (s & STATUS_FEATURES_OK && !(this.status & STATUS_FEATURES_OK)) {
      // 3.1.1 step 6: refuse FEATURES_OK for features we never offered. A modern driver
      // that leaves VIRTIO_F_VERSION_1 out is still accepted, as QEMU does: xv6's driver
      // never writes the upper feature word.
      const extra = (this.driverFeatures[0] & ~this.offered(0)) | (this.driverFeatures[1] & ~this.offered(1));
      if (extra !== 0) s &= ~STATUS_FEATURES_OK;
    }
    this.status = s;
  }

  snapshot(): TransportState {
    return {
      status: this.status,
      interruptStatus: this.interruptStatus,
      deviceFeaturesSel: this.deviceFeaturesSel,
      driverFeaturesSel: this.driverFeaturesSel,
      driverFeatures: [this.driverFeatures[0], this.driverFeatures[1]],
      guestPageSize: this.guestPageSize,
      queueSel: this.queueSel,
      queueAlign: this.queueAlign,
      queuePfn: this.queuePfn,
      queue: this.queue.snapshot(),
      backend: this.backend?.snapshot(),
    };
  }

  restore(state: unknown): void {
    const s = state as TransportState;
    this.status = s.status;
    this.interruptStatus = s.interruptStatus;
    this.deviceFeaturesSel = s.deviceFeaturesSel;
    this.driverFeaturesSel = s.driverFeaturesSel;
    this.driverFeatures = [s.driverFeatures[0], s.driverFeatures[1]];
    this.guestPageSize = s.guestPageSize;
    this.queueSel = s.queueSel;
    this.queueAlign = s.queueAlign;
    this.queuePfn = s.queuePfn;
    this.queue.restore(s.queue);
    if (this.backend && s.backend !== undefined) this.backend.restore(s.backend);
  }
}

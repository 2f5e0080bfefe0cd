/**
 * The virtio block device (virtio 1.1 section 5.2) behind the virtio-mmio transport. One
 * request queue; a request is one descriptor chain (5.2.6):
 *   le32 type, le32 reserved, le64 sector     device-readable header, 16 bytes
 *   u8 data[]                                 readable for T_OUT, writable for T_IN/T_GET_ID
 *   u8 status                                 the chain's last writable byte
 * The header, data and status may be cut into descriptors any way the driver likes (5.2.6.4
 * forbids assuming a framing), so we treat the readable and writable buffers as two byte
 * streams. Requests complete synchronously at QueueNotify, which keeps runs deterministic.
 *
 * Errors: a buffer outside RAM, a transfer not a whole number of sectors or past the end
 * of the disk gives VIRTIO_BLK_S_IOERR; an unknown type VIRTIO_BLK_S_UNSUPP. A chain
 * without a status byte we can write cannot be answered: that is a QueueError and the
 * transport marks the device as needing a reset.
 */
import type { Ram } from '../ram';
import { Disk, SECTOR_SIZE } from '../disk';
import { QueueError, type Segment, type SplitQueue } from './virtqueue';
import type { VirtioBackend } from './virtio-mmio';

export const VIRTIO_ID_BLOCK = 2;
export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_GET_ID = 8;
export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;
/** 5.2.6: the device ID string is at most 20 bytes, NUL-padded. */
const ID_BYTES = 20;
const ID = 'xv6emu-virtio-blk';
const HEADER = 16;

export class VirtioBlk implements VirtioBackend {
  readonly deviceId = VIRTIO_ID_BLOCK;
  /** No optional feature: the driver's whole view is the capacity. */
  readonly features: readonly [number, number] = [0, 0];
  readonly queueNumMax = 256;
  /** 5.2.4: le64 capacity (512-byte sectors) first; the rest is unused without features. */
  readonly config = new Uint8Array(0x3c);
  /** Requests served, by outcome (for tests and statistics). */
  readonly counts = { ok: 0, ioerr: 0, unsupp: 0 };

  constructor(
    private readonly ram: Ram,
    readonly disk: Disk,
    /** RAM written by the device (data and status bytes, used ring). */
    private readonly dma: (paddr: number, len: number) => void,
  ) {
    const dv = new DataView(this.config.buffer);
    dv.setUint32(0, disk.sectors % 0x1_0000_0000, true);
    dv.setUint32(4, Math.floor(disk.sectors / 0x1_0000_0000), true);
  }

  process(q: SplitQueue): { used: boolean; error?: QueueError } {
    let used = false;
    for (;;) {
      const head = q.pop();
      if (head instanceof QueueError) return { used, error: head };
      if (head < 0) return { used };
      const segs = q.chain(head);
      if (segs instanceof QueueError) return { used, error: segs };
      const written = this.serve(segs);
      if (written instanceof QueueError) return { used, error: written };
      const r = q.push(head, written);
      if (r instanceof QueueError) return { used, error: r };
      this.dma(r.paddr, r.len);
      used = true;
    }
  }

  /** Serve one request; the number of bytes written into the chain. */
  private serve(segs: Segment[]): number | QueueError {
    const readable = segs.filter((s) => !s.write);
    const writable = segs.filter((s) => s.write && s.len > 0);
    const last = writable[writable.length - 1];
    if (!last) return new QueueError('request without a writable status byte');
    const statusAddr = last.addr + last.len - 1;
    if (this.ram.offsetOf(statusAddr, 1) < 0) return new QueueError('status byte outside RAM');
    // The data-in stream: every writable byte but the status byte.
    const dataIn: Segment[] = writable.slice(0, -1);
    if (last.len > 1) dataIn.push({ addr: last.addr, len: last.len - 1, write: true });

    const header = this.gather(readable, 0, HEADER);
    let status = VIRTIO_BLK_S_IOERR;
    if (header) {
      const hv = new DataView(header.buffer);
      const type = hv.getUint32(0, true);
      const sector = hv.getUint32(12, true) * 0x1_0000_0000 + hv.getUint32(8, true);
      status = this.execute(type, sector, readable, dataIn);
    }
    if (status === VIRTIO_BLK_S_OK) this.counts.ok++;
    else if (status === VIRTIO_BLK_S_UNSUPP) this.counts.unsupp++;
    else this.counts.ioerr++;
    this.ram.u8[this.ram.offsetOf(statusAddr, 1)] = status;
    this.dma(statusAddr, 1);
    // The used length is every device-writable byte of the chain, whatever the outcome,
    // as QEMU reports it (checked on 7.2: a failed 512-byte read answers 513).
    return streamLength(writable);
  }

  private execute(type: number, sector: number, readable: Segment[], dataIn: Segment[]): number {
    switch (type) {
      case VIRTIO_BLK_T_IN: {
        const len = streamLength(dataIn);
        if (len % SECTOR_SIZE !== 0 || !this.inRam(dataIn)) return VIRTIO_BLK_S_IOERR;
        const buf = new Uint8Array(len);
        if (!this.disk.read(sector, len / SECTOR_SIZE, buf, 0)) return VIRTIO_BLK_S_IOERR;
        this.scatter(dataIn, buf);
        return VIRTIO_BLK_S_OK;
      }
      case VIRTIO_BLK_T_OUT: {
        const len = streamLength(readable) - HEADER;
        if (len % SECTOR_SIZE !== 0) return VIRTIO_BLK_S_IOERR;
        const buf = this.gather(readable, HEADER, len);
        if (!buf || !this.disk.write(sector, len / SECTOR_SIZE, buf, 0)) return VIRTIO_BLK_S_IOERR;
        return VIRTIO_BLK_S_OK;
      }
      case VIRTIO_BLK_T_GET_ID: {
        if (!this.inRam(dataIn)) return VIRTIO_BLK_S_IOERR;
        const id = new Uint8Array(Math.min(ID_BYTES, streamLength(dataIn)));
        for (let k = 0; k < id.length && k < ID.length; k++) id[k] = ID.charCodeAt(k);
        this.scatter(dataIn, id);
        return VIRTIO_BLK_S_OK;
      }
      default:
        return VIRTIO_BLK_S_UNSUPP;
    }
  }

  private inRam(segs: Segment[]): boolean {
    return segs.every((s) => this.ram.offsetOf(s.addr, s.len) >= 0);
  }

  /** `len` bytes of the stream `segs` from byte `start`; undefined if short or outside RAM. */
  private gather(segs: Segment[], start: number, len: number): Uint8Array | undefined {
    const out = new Uint8Array(len);
    let pos = 0; // stream offset of the current segment
    let done = 0;
    for (const s of segs) {
      if (done === len) break;
      const from = Math.max(start + done - pos, 0);
      if (from < s.len) {
        const n = Math.min(s.len - from, len - done);
        const off = this.ram.offsetOf(s.addr + from, n);
        if (off < 0) return undefined;
        out.set(this.ram.u8.subarray(off, off + n), done);
        done += n;
      }
      pos += s.len;
    }
    return done === len ? out : undefined;
  }

  /** Copy `data` into the stream `segs` from its start (the segments are known to be in RAM). */
  private scatter(segs: Segment[], data: Uint8Array): void {
    let done = 0;
    for (const s of segs) {
      if (done === data.length) break;
      const n = Math.min(s.len, data.length - done);
      this.ram.u8.set(data.subarray(done, done + n), this.ram.offsetOf(s.addr, n));
      this.dma(s.addr, n);
      done += n;
    }
  }

  snapshot(): { overlay: [number, Uint8Array][]; counts: { ok: number; ioerr: number; unsupp: number } } {
    return { overlay: this.disk.snapshot(), counts: { ...this.counts } };
  }

  restore(state: unknown): void {
    const s = state as ReturnType<VirtioBlk['snapshot']>;
    this.disk.restore(s.overlay);
    Object.assign(this.counts, s.counts);
  }
}

function streamLength(segs: Segment[]): number {
  let n = 0;
  for (const s of segs) n += s.len;
  return n;
}

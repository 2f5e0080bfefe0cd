/**
 * The Machine's own logic, driven with fake harts (scripted instruction counters) so it is
 * tested apart from the CPU: round-robin scheduling and its determinism across budgets
 * and breakpoints, virtual time and the all-wfi time jump, idle, console input, the test
 * finisher, HTIF, pause, loading, options, debugger memory access and snapshots.
 */
import assert from 'node:assert/strict';
import { Machine, MachineConfigError, type MachineOptions } from '../../emulator/machine';
import {
  Priv,
  type Access,
  type CpuSharedApi,
  type HartApi,
  type HartStop,
  type Irq,
  type TrapInfo,
  type Translation,
} from '../../emulator/types';

const BASE = 0x8000_0000;

class FakeShared implements CpuSharedApi {
  mtime = 0;
  readonly breakpoints = new Set<number>();
  onTrap: ((t: TrapInfo) => boolean) | undefined;
  readonly written: [number, number][] = [];
  /** A fingerprint of every instruction executed: hart, its count, and the time it saw. */
  hash = 0;
  ramWritten(paddr: number, len: number): void {
    this.written.push([paddr, len]);
  }
}

interface Script {
  /** After this many of its instructions the hart executes wfi. */
  wfiAt?: number[];
  /** Called before the hart's instruction number `k` (0-based). */
  actions?: Map<number, (h: FakeHart) => void>;
  /** Interrupt lines that wake it from wfi (a bit mask of Irq numbers). */
  wakeMask?: number;
}

class FakeHart implements HartApi {
  priv = Priv.M;
  instret = 0;
  waiting = false;
  stopReason: HartStop = null;
  lastTrap: TrapInfo | undefined;
  pc = 0;
  regs = new Array<bigint>(32).fill(0n);
  lines = 0;
  stimecmp = Infinity;
  private skip = false;

  constructor(
    readonly id: number,
    readonly bus: import('../../emulator/types').BusApi,
    readonly shared: FakeShared,
    readonly script: Script,
  ) {}

  run(n: number): number {
    this.stopReason = null;
    if (this.waiting) {
      this.stopReason = 'wfi';
      return 0;
    }
    let done = 0;
    while (done < n) {
      if (this.shared.breakpoints.has(this.pc) && !this.skip) {
        this.stopReason = 'breakpoint';
        return done;
      }
      this.skip = false;
      this.script.actions?.get(this.instret)?.(this);
      this.shared.hash =
        (Math.imul(this.shared.hash, 31) + this.id * 7 + this.instret + this.shared.mtime * 13) | 0;
      this.instret++;
      this.pc += 4;
      done++;
      if (this.script.wfiAt?.includes(this.instret)) {
        this.waiting = true;
        this.stopReason = 'wfi';
        return done;
      }
    }
    return done;
  }
  skipBreakpointOnce(): void {
    this.skip = true;
  }
  setInterruptLine(irq: Irq, level: boolean): void {
    this.lines = level ? this.lines | (1 << irq) : this.lines & ~(1 << irq);
    if (this.waiting && this.lines & (this.script.wakeMask ?? 0)) this.waiting = false;
  }
  timeChanged(): void {
    if (this.waiting && this.shared.mtime >= this.stimecmp) this.waiting = false;
  }
  nextTimerDeadline(): number {
    return this.stimecmp;
  }
  getPc(): bigint {
    return BigInt(this.pc);
  }
  setPc(pc: bigint): void {
    this.pc = Number(pc);
  }
  getReg(i: number): bigint {
    return this.regs[i]!;
  }
  setReg(i: number, v: bigint): void {
    this.regs[i] = v;
  }
  readCsr(): bigint | undefined {
    return undefined;
  }
  writeCsr(): boolean {
    return false;
  }
  translate(va: bigint, _a: Access): Translation {
    return { ok: true, paddr: Number(va) };
  }
  snapshot(): unknown {
    return {
      pc: this.pc,
      instret: this.instret,
      waiting: this.waiting,
      lines: this.lines,
      stimecmp: this.stimecmp,
    };
  }
  restore(state: unknown): void {
    Object.assign(this, state);
  }
}

function machine(
  scripts: Script[],
  extra: MachineOptions = {},
): { m: Machine; shared: FakeShared; harts: FakeHart[] } {
  const shared = new FakeShared();
  const harts: FakeHart[] = [];
  const m = new Machine({
    memoryMiB: 1,
    harts: scripts.length,
    quantum: 100,
    createShared: () => shared,
    createHart: (id, bus) => {
      const h = new FakeHart(id, bus, shared, scripts[id]!);
      harts.push(h);
      return h;
    },
    ...extra,
  });
  return { m, shared, harts };
}

const MTIP_WAKE = 1 << 7;
const SEIP_WAKE = 1 << 9;

describe('Machine (fake harts)', () => {
  it('validates its options with MachineConfigError', () => {
    assert.throws(() => new Machine({ harts: 0 }), MachineConfigError);
    assert.throws(() => new Machine({ harts: 9 }), /harts must be a whole number from 1 to 8/);
    assert.throws(() => new Machine({ memoryMiB: 0.5 }), /memory must be/);
    assert.throws(() => new Machine({ virtio: 'pci' as 'legacy' }), /virtio must be/);
    assert.throws(
      () => machine([{}], { disk: new Uint8Array(100) }),
      /not a whole number of 512-byte sectors/,
    );
    assert.throws(() => machine([{}], { htif: { tohost: 0x1000 } }), /outside RAM/);
  });

  it('runs harts round robin in quanta and counts instructions', () => {
    const { m, harts } = machine([{}, {}, {}]);
    assert.deepEqual(m.run(250), { kind: 'budget' });
    assert.deepEqual(
      harts.map((h) => h.instret),
      [100, 100, 50],
    );
    assert.equal(m.instret, 250);
    m.run(100);
    assert.deepEqual(
      harts.map((h) => h.instret),
      [150, 100, 100],
      'the rest of the quantum first',
    );
  });

  it('gives the same execution whatever the budget slicing', () => {
    const scripts = (): Script[] => [{ wfiAt: [130, 700], wakeMask: MTIP_WAKE }, {}];
    const a = machine(scripts());
    a.m.run(5000);
    const b = machine(scripts());
    let total = 0;
    for (const step of [1, 37, 99, 100, 3, 1000]) {
      b.m.run(step);
      total += step;
    }
    b.m.run(5000 - total);
    assert.equal(b.m.instret, a.m.instret);
    assert.equal(b.shared.hash, a.shared.hash);
    assert.equal(b.m.mtime, a.m.mtime);
  });

  it('advances mtime by quantum / INSNS_PER_TICK per round, not per hart', () => {
    const one = machine([{}]);
    one.m.run(10_000);
    assert.equal(one.m.mtime, 1000);
    const two = machine([{}, {}]);
    two.m.run(20_000);
    assert.equal(two.m.mtime, 1000);
  });

  it('stops at a breakpoint and resumes without changing the execution', () => {
    const plain = machine([{}, {}]);
    plain.m.run(1000);
    const { m, shared, harts } = machine([{}, {}]);
    shared.breakpoints.add(4 * 150);
    const stop = m.run(1000);
    assert.deepEqual(stop, { kind: 'breakpoint', hart: 0, pc: 600n });
    assert.equal(harts[0]!.instret, 150);
    assert.deepEqual(
      m.run(1000 - m.instret),
      { kind: 'breakpoint', hart: 0, pc: 600n },
      'still there until skipped',
    );
    harts[0]!.skipBreakpointOnce();
    let stops = 1;
    for (;;) {
      const s = m.run(1000 - m.instret);
      if (s.kind !== 'breakpoint') break;
      stops++;
      harts[s.hart]!.skipBreakpointOnce();
    }
    assert.equal(stops, 2, 'hart 0 stopped once, then hart 1 at the same pc');
    assert.equal(m.instret, 1000);
    assert.equal(shared.hash, plain.shared.hash);
  });

  it('jumps mtime to the next CLINT deadline when every hart waits in wfi', () => {
    let woke = -1;
    const actions = new Map([[10, (h: FakeHart) => void (woke = h.shared.mtime)]]);
    const { m, harts } = machine([{ wfiAt: [10], wakeMask: MTIP_WAKE, actions }]);
    m.bus.mmioWrite(0x0200_4000, 4, 50_003);
    m.bus.mmioWrite(0x0200_4004, 4, 0);
    assert.deepEqual(m.run(1000), { kind: 'budget' });
    assert.equal(woke, 50_003, 'rounds advance 10 ticks: only a jump lands there');
    assert.equal(m.skippedTicks, 50_003 - 10, 'one round (10 ticks) passed before the jump');
    assert.equal(harts[0]!.waiting, false);
    assert.equal(m.instret, 1000);
  });

  it('jumps to a hart timer deadline (Sstc) too', () => {
    let woke = -1;
    const actions = new Map([[10, (h: FakeHart) => void (woke = h.shared.mtime)]]);
    const { m, harts } = machine([{ wfiAt: [10], actions }]);
    harts[0]!.stimecmp = 12_345;
    m.run(500);
    assert.equal(woke, 12_345);
    assert.equal(m.instret, 500);
  });

  it('reports idle when nothing can wake a hart, and wakes on console input', () => {
    const { m, harts } = machine([{ wfiAt: [10], wakeMask: SEIP_WAKE }]);
    // The kernel's side: UART RX interrupt to hart 0's S context through the PLIC.
    m.bus.mmioWrite(0x0c00_0000 + 4 * 10, 4, 1);
    m.bus.mmioWrite(0x0c00_2080, 4, 1 << 10);
    m.bus.mmioWrite(0x0c20_1000, 4, 0);
    m.bus.mmioWrite(0x1000_0001, 1, 0x01);
    assert.deepEqual(m.run(10_000), { kind: 'idle' });
    assert.equal(m.instret, 10);
    const t = m.mtime;
    assert.deepEqual(m.run(10_000), { kind: 'idle' }, 'idle again without input');
    m.consoleInput(Uint8Array.from([0x61]));
    assert.equal(m.consolePending, 1);
    assert.deepEqual(m.run(1000), { kind: 'budget' });
    assert.equal(harts[0]!.waiting, false);
    assert.equal(m.consolePending, 0);
    assert.equal(m.bus.mmioRead(0x1000_0000, 1), 0x61);
    assert.ok(m.mtime > t);
  });

  it('feeds a long paste as the guest drains the FIFO', () => {
    const got: number[] = [];
    const drain = (h: FakeHart): void => {
      while ((h.bus.mmioRead(0x1000_0005, 1)! & 1) !== 0) got.push(h.bus.mmioRead(0x1000_0000, 1)!);
    };
    const actions = new Map<number, (h: FakeHart) => void>();
    for (let k = 0; k < 100; k++) actions.set(k * 50, drain);
    const { m } = machine([{ actions }]);
    m.bus.mmioWrite(0x1000_0002, 1, 0x07);
    const text = Buffer.from('echo this is a long line typed at once into the console\n');
    m.consoleInput(text);
    m.run(5000);
    assert.equal(Buffer.from(got).toString(), text.toString());
  });

  it('wires the block device: DMA reaches the harts, IRQ 1 reaches SEIP through the PLIC', () => {
    const img = new Uint8Array(4 * 512).fill(0x5a);
    const { m, shared, harts } = machine([{}], { disk: img, virtio: 'modern' });
    const V = 0x1000_1000;
    const w = (off: number, v: number): boolean => m.bus.mmioWrite(V + off, 4, v);
    assert.equal(m.bus.mmioRead(V + 8, 4), 2, 'a block device at VIRTIO0');
    m.bus.mmioWrite(0x0c00_0000 + 4 * 1, 4, 1); // priority of source 1
    m.bus.mmioWrite(0x0c00_2080, 4, 1 << 1); // enabled for hart 0, S mode
    // A queue of 4 at BASE+0x1000: descriptors, available ring at +0x100, used at +0x200.
    const q = BASE + 0x1000;
    w(0x70, 1 | 2 | 8);
    w(0x38, 4);
    w(0x80, q);
    w(0x90, q + 0x100);
    w(0xa0, q + 0x200);
    w(0x44, 1);
    w(0x70, 1 | 2 | 8 | 4);
    const dv = new DataView(m.ram.u8.buffer);
    const desc = (i: number, addr: number, len: number, flags: number, next: number): void => {
      const o = q - BASE + 16 * i;
      dv.setUint32(o, addr, true);
      dv.setUint32(o + 4, 0, true);
      dv.setUint32(o + 8, len, true);
      dv.setUint16(o + 12, flags, true);
      dv.setUint16(o + 14, next, true);
    };
    desc(0, BASE + 0x3000, 16, 1, 1); // header: type 0 (IN), sector 0 (RAM is zero)
    desc(1, BASE + 0x4000, 512, 1 | 2, 2);
    desc(2, BASE + 0x5000, 1, 2, 0);
    dv.setUint16(q - BASE + 0x100 + 4, 0, true);
    dv.setUint16(q - BASE + 0x100 + 2, 1, true);
    assert.equal((harts[0]!.lines >> 9) & 1, 0);
    w(0x50, 0);
    assert.equal(m.readPhys(BASE + 0x5000, 1)![0], 0, 'status OK');
    assert.equal(m.readPhys(BASE + 0x4000 + 511, 1)![0], 0x5a);
    assert.ok(
      shared.written.some(([p, n]) => p === BASE + 0x4000 && n === 512),
      'DMA reported',
    );
    assert.equal((harts[0]!.lines >> 9) & 1, 1, 'SEIP raised');
    assert.equal(m.bus.mmioRead(0x0c20_1004, 4), 1, 'claim returns the virtio source');
    assert.equal((harts[0]!.lines >> 9) & 1, 0);
  });

  it('sends UART output to the console callback', () => {
    const out: number[] = [];
    const actions = new Map([[3, (h: FakeHart) => void h.bus.mmioWrite(0x1000_0000, 1, 0x4f)]]);
    const { m } = machine([{ actions }], { console: (b) => out.push(b) });
    m.run(10);
    assert.deepEqual(out, [0x4f]);
  });

  it('stops on the test finisher at the end of the quantum', () => {
    const actions = new Map([[42, (h: FakeHart) => void h.bus.mmioWrite(0x10_0000, 4, (3 << 16) | 0x3333)]]);
    const { m } = machine([{ actions }]);
    assert.deepEqual(m.run(10_000), { kind: 'poweroff', code: 3 });
    assert.equal(m.instret, 100);
    const r = machine([
      { actions: new Map([[0, (h: FakeHart) => void h.bus.mmioWrite(0x10_0000, 4, 0x7777)]]) },
    ]);
    assert.deepEqual(r.m.run(10_000), { kind: 'reboot' });
    const p = machine([
      { actions: new Map([[0, (h: FakeHart) => void h.bus.mmioWrite(0x10_0000, 4, 0x5555)]]) },
    ]);
    assert.deepEqual(p.m.run(10_000), { kind: 'poweroff', code: 0 });
  });

  it('stops on an HTIF exit and prints HTIF console bytes', () => {
    const tohost = BASE + 0x1000;
    const out: number[] = [];
    const put = (v: bigint) => (h: FakeHart) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, v, true);
      h.bus.ram.u8.set(b, tohost - BASE);
    };
    const actions = new Map([
      [5, put((1n << 56n) | (1n << 48n) | 0x41n)],
      [150, put((21n << 1n) | 1n)],
    ]);
    const { m } = machine([{ actions }], { htif: { tohost }, console: (b) => out.push(b) });
    assert.deepEqual(m.run(10_000), { kind: 'htif', code: 21 });
    assert.deepEqual(out, [0x41]);
  });

  it('pauses at the next quantum boundary when asked', () => {
    const { m } = machine([{}]);
    m.requestPause();
    assert.deepEqual(m.run(10_000), { kind: 'pause' });
    assert.equal(m.instret, 100);
    assert.deepEqual(m.run(150), { kind: 'budget' });
  });

  it('returns within the deadline', () => {
    const { m } = machine([{}]);
    assert.deepEqual(m.run(Infinity, { deadlineMs: 5 }), { kind: 'budget' });
    assert.ok(m.instret > 0);
  });

  it('loads segments, zero-fills to memsz and resets the harts', () => {
    const { m, harts, shared } = machine([{}, {}]);
    m.writePhys(BASE + 0x100, new Uint8Array(32).fill(0xee));
    m.loadSegments([{ paddr: BASE + 0xf0, data: Uint8Array.from([1, 2, 3]), memsz: 0x20 }], BASE + 0xf0);
    assert.deepEqual(Array.from(m.readPhys(BASE + 0xf0, 4)!), [1, 2, 3, 0]);
    assert.equal(m.readPhys(BASE + 0x10f, 1)![0], 0, 'zero-filled to memsz');
    assert.equal(m.readPhys(BASE + 0x110, 1)![0], 0xee, 'not beyond');
    assert.deepEqual(
      harts.map((h) => [h.getPc(), h.getReg(10), h.priv]),
      [
        [BigInt(BASE + 0xf0), 0n, Priv.M],
        [BigInt(BASE + 0xf0), 1n, Priv.M],
      ],
    );
    assert.ok(shared.written.some(([p, n]) => p === BASE + 0xf0 && n === 0x20));
    assert.throws(
      () => m.loadSegments([{ paddr: BASE + 0x10_0000 - 4, data: new Uint8Array(8), memsz: 8 }], BASE),
      (e: unknown) => e instanceof MachineConfigError && /0x800ffffc/.test(e.message),
    );
  });

  it('gives the debugger RAM only, and reports its writes', () => {
    const { m, shared } = machine([{}]);
    assert.equal(m.readPhys(0x1000_0000, 1), undefined);
    assert.equal(m.writePhys(0x1000_0000, Uint8Array.from([0x41])), false);
    assert.equal(m.readPhys(BASE + 0x10_0000 - 2, 4), undefined, 'straddling the end');
    assert.equal(m.writePhys(BASE + 8, Uint8Array.from([1, 2])), true);
    assert.deepEqual(shared.written.at(-1), [BASE + 8, 2]);
    assert.deepEqual(Array.from(m.readPhys(BASE + 8, 2)!), [1, 2]);
  });

  it('restores a snapshot and replays identically', () => {
    const scripts = (): Script[] => [
      {
        wfiAt: [300],
        wakeMask: MTIP_WAKE,
        actions: new Map([[20, (h: FakeHart) => void h.bus.mmioWrite(0x0200_4000, 4, 2000)]]),
      },
      { actions: new Map([[10, (h: FakeHart) => void h.bus.mmioWrite(0x0200_4004, 4, 0)]]) },
    ];
    const { m, shared } = machine(scripts());
    m.consoleInput(Buffer.from('abc'));
    m.run(555);
    const snap = structuredClone(m.snapshot());
    const h0 = shared.hash;
    m.run(3000);
    const after = { hash: shared.hash, mtime: m.mtime, instret: m.instret, ram: m.readPhys(BASE, 64) };
    m.restore(snap);
    shared.hash = h0;
    m.run(3000);
    assert.deepEqual(
      { hash: shared.hash, mtime: m.mtime, instret: m.instret, ram: m.readPhys(BASE, 64) },
      after,
    );
  });
});

describe('Machine realtime clock (fake harts)', () => {
  it('moves mtime with the host clock rather than with instructions', () => {
    const { m } = machine([{}], { realtime: true, quantum: 1000 });
    m.run(Infinity, { deadlineMs: 20 });
    const ticksPerInsn = m.mtime / m.instret;
    assert.ok(m.mtime > 0);
    // Deterministic time would give exactly 1/10 tick per instruction.
    assert.notEqual(ticksPerInsn, 0.1);
  });
});

/**
 * The Machine: QEMU's `virt` board with 1 to 8 RV64 harts, RAM at 0x80000000, a CLINT,
 * a PLIC, an NS16550A UART, one virtio-mmio block device and the SiFive test finisher
 * (memmap.ts). It builds the parts, wires interrupt lines to harts, and runs the harts.
 *
 * Scheduling is deterministic: harts take turns in fixed quanta (round robin in id
 * order), and everything outside the CPU (time, console input, the finisher, HTIF) is
 * looked at only at quantum boundaries. The scheduler position (whose turn, how much of
 * the quantum is left) survives across run() calls, so the same inputs give the same
 * execution instruction for instruction, however the caller slices the budget or however
 * often breakpoints stop it.
 *
 * Time: by default mtime is virtual. One round (every hart gets its quantum) lasts
 * quantum / INSNS_PER_TICK ticks, whether a hart used its turn or slept in wfi; mtime
 * thus reflects each hart's progress, not the sum. When every hart waits in wfi the
 * machine jumps mtime to the next timer deadline instead of spinning, or reports `idle`
 * when nothing (no timer, no console input) could ever wake one. With `realtime`, mtime
 * follows the host clock at 10 MHz (TIMEBASE_HZ) instead.
 */
import { Priv, type BusApi, type CpuSharedApi, type HartApi, type Irq, type StopReason } from './types';
import {
  CLINT,
  DRAM_BASE,
  INSNS_PER_TICK,
  PLIC,
  TEST_FINISHER,
  TIMEBASE_HZ,
  UART0,
  UART0_IRQ,
  VIRTIO0,
  VIRTIO0_IRQ,
} from './memmap';
import { Ram } from './ram';
import { Bus } from './bus';
import { Disk } from './disk';
import { Clint } from './devices/clint';
import { Plic } from './devices/plic';
import { Uart } from './devices/uart';
import { VirtioMmio } from './devices/virtio-mmio';
import { VirtioBlk } from './devices/virtio-blk';
import { TestFinisher } from './devices/test-finisher';
import {
  checkOptions,
  MachineConfigError,
  type CheckedOptions,
  type MachineOptions,
} from './machine-options';
import { Htif } from './machine-htif';
import { Hart } from './cpu/hart';
import { CpuShared } from './cpu/shared';

export { MachineConfigError, type MachineOptions } from './machine-options';

export interface LoadSegment {
  paddr: number;
  data: Uint8Array;
  memsz: number;
}

/** Everything needed to put the machine back exactly as it was (plain data). */
export interface MachineSnapshot {
  harts: unknown[];
  ram: Uint8Array;
  devices: { clint: unknown; plic: unknown; uart: unknown; virtio: unknown; finisher: unknown };
  mtime: number;
  /** Instructions of the current round not yet turned into ticks (deterministic time). */
  tickRemainder: number;
  current: number;
  quantumLeft: number;
  executed: number;
  consoleQueue: number[];
}

/** Boundaries between two looks at the host clock (Date.now() is not free). */
const CLOCK_EVERY = 16;
const TICKS_PER_MS = TIMEBASE_HZ / 1000;

export class Machine {
  readonly harts: HartApi[];
  readonly shared: CpuSharedApi;
  readonly ram: Ram;
  readonly bus: Bus;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Uart;
  readonly virtio: VirtioMmio;
  readonly finisher: TestFinisher;
  /** The disk behind the block device (its overlay holds what the guest wrote). */
  readonly disk: Disk | undefined;
  private readonly cfg: CheckedOptions;
  private readonly htif: Htif | undefined;

  // Scheduler position.
  private current = 0;
  private quantumLeft: number;
  private executed = 0;
  private tickRemainder = 0;
  // Console input not yet taken by the UART (delivered at quantum boundaries).
  private consoleQueue: number[] = [];
  private consoleHead = 0;
  private pauseRequested = false;
  /** Realtime mode: the last boundary slept waiting for the host clock. */
  private slept = false;
  /** Ticks skipped by all-wfi time jumps (a host may sleep this long to idle cheaply). */
  private skipped = 0;
  /** Realtime mode: host milliseconds at which mtime was 0. */
  private clockOrigin = 0;

  constructor(opts: MachineOptions = {}) {
    this.cfg = checkOptions(opts);
    this.quantumLeft = this.cfg.quantum;
    this.disk = opts.disk ? new Disk(opts.disk) : undefined;
    this.ram = new Ram(this.cfg.memoryMiB);
    this.bus = new Bus(this.ram);
    this.shared = (opts.createShared ?? (() => new CpuShared()))();
    if (opts.jit !== undefined && this.shared instanceof CpuShared) this.shared.jit = opts.jit;
    this.bus.onRamWritten = (paddr, len) => this.shared.ramWritten(paddr, len);
    const createHart =
      opts.createHart ??
      ((id: number, bus: BusApi, shared: CpuSharedApi) => new Hart(id, bus, shared as CpuShared));
    this.harts = [];
    for (let id = 0; id < this.cfg.harts; id++) this.harts.push(createHart(id, this.bus, this.shared));

    const setLine = (hart: number, irq: Irq, level: boolean): void =>
      this.harts[hart]?.setInterruptLine(irq, level);
    const hartCount = this.cfg.harts;
    this.clint = new Clint({
      hartCount,
      getTime: () => this.shared.mtime,
      setTime: (t) => this.setTime(t, true),
      setLine,
    });
    this.plic = new Plic({ hartCount, setLine });
    const consoleOut = opts.console ?? (() => {});
    this.uart = new Uart(consoleOut, (level) => this.plic.setSource(UART0_IRQ, level));
    const blk = this.disk
      ? new VirtioBlk(this.ram, this.disk, (p, n) => this.bus.dmaWritten(p, n))
      : undefined;
    this.virtio = new VirtioMmio(this.ram, this.cfg.virtio, blk, (level) =>
      this.plic.setSource(VIRTIO0_IRQ, level),
    );
    this.finisher = new TestFinisher();
    this.bus.attach(TEST_FINISHER, this.finisher);
    this.bus.attach(CLINT, this.clint);
    this.bus.attach(PLIC, this.plic);
    this.bus.attach(UART0, this.uart);
    this.bus.attach(VIRTIO0, this.virtio);
    this.htif = opts.htif
      ? new Htif(this.ram, opts.htif.tohost, consoleOut, (p, n) => this.bus.dmaWritten(p, n))
      : undefined;
    if (this.htif && !this.htif.valid) {
      throw new MachineConfigError(`htif tohost address 0x${opts.htif!.tohost.toString(16)} is outside RAM`);
    }
    this.clockOrigin = performance.now();
    this.clint.update(true); // MTIP is pending from reset (devices/clint.ts)
  }

  /** Instructions retired by all harts since the machine was built. */
  get instret(): number {
    return this.executed;
  }

  get mtime(): number {
    return this.shared.mtime;
  }

  /**
   * Ticks of mtime skipped so far because every hart slept in wfi (deterministic mode). An
   * interactive host that sees this grow by N across a run() can wait N / 10,000 ms before
   * the next one, so an idle guest costs no host CPU; the execution is unchanged.
   */
  get skippedTicks(): number {
    return this.skipped;
  }

  /**
   * Copy an ELF's loadable segments into RAM (zero-filling each to `memsz`) and reset every
   * hart to M mode at `entry` with a0 = its hart id, as QEMU's reset vector leaves them.
   */
  loadSegments(segs: LoadSegment[], entry: number): void {
    for (const s of segs) {
      const off = this.ram.offsetOf(s.paddr, Math.max(s.memsz, s.data.length));
      if (off < 0) {
        throw new MachineConfigError(
          `segment at 0x${s.paddr.toString(16)} (${s.memsz} bytes) is outside RAM ` +
            `[0x${DRAM_BASE.toString(16)}, 0x${(DRAM_BASE + this.ram.size).toString(16)})`,
        );
      }
    }
    for (const s of segs) {
      const off = this.ram.offsetOf(s.paddr, Math.max(s.memsz, s.data.length));
      this.ram.u8.set(s.data, off);
      this.ram.u8.fill(0, off + s.data.length, off + s.memsz);
      this.shared.ramWritten(s.paddr, Math.max(s.memsz, s.data.length));
    }
    for (const h of this.harts) {
      h.priv = Priv.M;
      h.setPc(BigInt(entry));
      h.setReg(10, BigInt(h.id));
    }
  }

  readPhys(paddr: number, len: number): Uint8Array | undefined {
    return this.bus.readPhys(paddr, len);
  }

  writePhys(paddr: number, bytes: Uint8Array): boolean {
    return this.bus.writePhys(paddr, bytes);
  }

  /** Queue host bytes for the UART; the guest receives them as its RX FIFO drains. */
  consoleInput(bytes: Uint8Array): void {
    for (const b of bytes) this.consoleQueue.push(b);
  }

  /** Bytes typed but not yet taken by the UART. */
  get consolePending(): number {
    return this.consoleQueue.length - this.consoleHead;
  }

  /**
   * Stop a hart right after any store instruction of it that writes physical
   * [paddr, paddr + len) (run() returns `{kind: 'watchpoint'}`). Returns the watchpoint's id,
   * or a one-line reason it cannot be set. Device and debugger writes never stop.
   */
  addWatchpoint(paddr: number, len: number): number | string {
    return this.shared.addWatch?.(paddr, len) ?? 'this CPU has no data watchpoints';
  }

  removeWatchpoint(id: number): void {
    this.shared.removeWatch?.(id);
  }

  /** Ask run() to return `{kind: 'pause'}` at the next quantum boundary (safe from callbacks). */
  requestPause(): void {
    this.pauseRequested = true;
  }

  /**
   * Run up to `budget` instructions in total. Returns early for breakpoints, trap-hook
   * stops, the test finisher, HTIF exit, a pause request, the deadline (`budget`) or idle.
   */
  run(budget: number, opts?: { deadlineMs?: number }): StopReason {
    const deadline = opts?.deadlineMs !== undefined ? Date.now() + opts.deadlineMs : Infinity;
    if (this.shared instanceof CpuShared) this.shared.compileDeadline = deadline;
    let left = budget;
    let boundaries = 0;
    for (;;) {
      if (left <= 0) return { kind: 'budget' };
      const id = this.current;
      const hart = this.harts[id]!;
      const n = Math.min(this.quantumLeft, left);
      const ran = hart.run(n);
      this.executed += ran;
      left -= ran;
      this.quantumLeft -= ran;
      const why = hart.stopReason;
      if (why === 'breakpoint') return { kind: 'breakpoint', hart: id, pc: hart.getPc() };
      if (why === 'trap-hook' && hart.lastTrap) return { kind: 'trap', hart: id, trap: hart.lastTrap };
      if (why === 'watch') {
        const hit = this.shared.takeWatchHit?.();
        if (hit) return { kind: 'watchpoint', hart: id, hit };
      }
      // A hart in wfi (or one that could not make progress) sleeps through its turn.
      if (why === 'wfi' || ran === 0) this.quantumLeft = 0;
      if (this.quantumLeft > 0) continue;

      const stop = this.boundary();
      if (stop) return stop;
      if (this.pauseRequested) {
        this.pauseRequested = false;
        return { kind: 'pause' };
      }
      if ((++boundaries % CLOCK_EVERY === 0 || this.slept) && Date.now() >= deadline)
        return { kind: 'budget' };
      this.slept = false;
    }
  }

  /** The end of a hart's quantum: the next hart's turn, and everything outside the CPU. */
  private boundary(): StopReason | undefined {
    this.quantumLeft = this.cfg.quantum;
    this.current++;
    const roundEnd = this.current === this.harts.length;
    if (roundEnd) this.current = 0;
    if (this.cfg.realtime) this.sampleClock();
    else if (roundEnd) this.advanceRound();

    this.feedConsole();
    this.uart.tick();
    const f = this.finisher.take();
    if (f) return f;
    if (this.htif) {
      const code = this.htif.poll();
      if (code !== undefined) return { kind: 'htif', code };
    }
    if (roundEnd && this.harts.every((h) => h.waiting)) return this.allWaiting();
    return undefined;
  }

  /** Deterministic time: one round is `quantum` instructions of every hart. */
  private advanceRound(): void {
    this.tickRemainder += this.cfg.quantum;
    const ticks = Math.floor(this.tickRemainder / INSNS_PER_TICK);
    this.tickRemainder -= ticks * INSNS_PER_TICK;
    if (ticks > 0) this.setTime(this.shared.mtime + ticks);
  }

  private sampleClock(): void {
    const t = Math.floor((performance.now() - this.clockOrigin) * TICKS_PER_MS);
    if (t > this.shared.mtime) this.setTime(t);
  }

  /** Set mtime and let the CLINT and every hart see it (`rebase`: the guest wrote mtime). */
  private setTime(t: number, rebase = false): void {
    this.shared.mtime = t;
    if (rebase && this.cfg.realtime) this.clockOrigin = performance.now() - t / TICKS_PER_MS;
    this.clint.update();
    for (const h of this.harts) h.timeChanged();
  }

  /** The earliest timer deadline after now (CLINT mtimecmp, Sstc stimecmp), or Infinity. */
  nextDeadline(): number {
    const now = this.shared.mtime;
    let d = this.clint.nextDeadline(now);
    for (const h of this.harts) {
      const t = h.nextTimerDeadline();
      if (t > now && t < d && t <= Number.MAX_SAFE_INTEGER) d = t;
    }
    return d;
  }

  /** Every hart sleeps in wfi: skip to the next timer deadline, or report idle. */
  private allWaiting(): StopReason | undefined {
    const d = this.nextDeadline();
    if (d === Infinity) {
      // Input the UART can still take may wake a hart at the next boundary.
      if (this.consolePending > 0 && this.uart.rxSpace() > 0) return undefined;
      return { kind: 'idle' };
    }
    if (this.cfg.realtime) {
      // Sleep (bounded) until the host clock reaches the deadline; the caller's
      // deadlineMs still bounds the whole run() through the boundary count.
      const ms = Math.min((d - this.shared.mtime) / TICKS_PER_MS, 5);
      if (ms > 0) {
        Atomics.wait(sleepCell, 0, 0, ms);
        this.slept = true;
      }
      return undefined;
    }
    this.tickRemainder = 0;
    this.skipped += d - this.shared.mtime;
    this.setTime(d);
    return undefined;
  }

  private feedConsole(): void {
    if (this.consoleHead === this.consoleQueue.length) return;
    let space = this.uart.rxSpace();
    while (space-- > 0 && this.consoleHead < this.consoleQueue.length) {
      this.uart.receive(this.consoleQueue[this.consoleHead++]!);
    }
    if (this.consoleHead === this.consoleQueue.length) {
      this.consoleQueue = [];
      this.consoleHead = 0;
    }
  }

  snapshot(): MachineSnapshot {
    return {
      harts: this.harts.map((h) => h.snapshot()),
      ram: this.ram.u8.slice(),
      devices: {
        clint: this.clint.snapshot(),
        plic: this.plic.snapshot(),
        uart: this.uart.snapshot(),
        virtio: this.virtio.snapshot(),
        finisher: this.finisher.snapshot(),
      },
      mtime: this.shared.mtime,
      tickRemainder: this.tickRemainder,
      current: this.current,
      quantumLeft: this.quantumLeft,
      executed: this.executed,
      consoleQueue: this.consoleQueue.slice(this.consoleHead),
    };
  }

  restore(s: MachineSnapshot): void {
    if (s.harts.length !== this.harts.length || s.ram.length !== this.ram.size) {
      throw new MachineConfigError('snapshot was taken on a machine of another shape (harts or memory)');
    }
    this.ram.u8.set(s.ram);
    // Decoded code and LR/SC reservations of the whole of RAM are stale now; the harts'
    // own state (including any reservation) comes back with their snapshots below.
    this.shared.ramWritten(DRAM_BASE, this.ram.size);
    this.shared.mtime = s.mtime;
    if (this.cfg.realtime) this.clockOrigin = performance.now() - s.mtime / TICKS_PER_MS;
    this.tickRemainder = s.tickRemainder;
    this.current = s.current;
    this.quantumLeft = s.quantumLeft;
    this.executed = s.executed;
    this.consoleQueue = s.consoleQueue.slice();
    this.consoleHead = 0;
    this.pauseRequested = false;
    this.harts.forEach((h, i) => h.restore(s.harts[i]));
    this.plic.restore(s.devices.plic);
    this.uart.restore(s.devices.uart);
    this.virtio.restore(s.devices.virtio);
    this.finisher.restore(s.devices.finisher);
    this.clint.restore(s.devices.clint);
    for (const h of this.harts) h.timeChanged();
  }
}

/** A cell to block on with Atomics.wait: a synchronous, CPU-free sleep. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * The Machine with the real CPU (cpu/hart.ts) on small hand-assembled programs: the
 * all-wfi time jump reaching a CLINT timer interrupt, the test finisher, determinism
 * across budget slicing, and snapshot/restore replaying instruction for instruction.
 */
import assert from 'node:assert/strict';
import { Machine } from '../../emulator/machine';
import { asm, program } from '../helpers/asm';

const BASE = 0x8000_0000;
// Encodings asm.ts does not have (unprivileged spec chapter 2).
const sb = (rs2: number, rs1: number, imm: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (0 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0;
const andi = (rd: number, rs1: number, imm: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (7 << 12) | (rd << 7) | 0x13) >>> 0;
const CSR_TIME = 0xc01;
const CSR_MTVEC = 0x305;
const CSR_MIE = 0x304;
const CSR_MSTATUS = 0x300;

/** Counts in memory, reads `time`, prints a digit per iteration; forever. */
const busyLoop = program([
  asm.auipc(6, 1), // x6 = BASE + 0x1000: data
  asm.lui(5, 0x10000), // x5 = UART
  asm.addi(7, 0, 0),
  // loop (12):
  asm.addi(7, 7, 1),
  asm.sd(7, 6, 0),
  asm.ld(8, 6, 0),
  asm.add(9, 9, 8),
  asm.csrrs(10, CSR_TIME, 0),
  asm.sd(10, 6, 8),
  andi(11, 7, 7),
  asm.addi(11, 11, 0x30),
  sb(11, 5, 0),
  asm.jal(0, -36), // back to loop
]);

/** Arms the CLINT timer for hart 0, sleeps in wfi; the handler powers off (pass). */
const timerThenPoweroff = program([
  asm.auipc(5, 0), // 0
  asm.addi(5, 5, 52), // 4: x5 = handler (at 52)
  asm.csrrw(0, CSR_MTVEC, 5), // 8
  asm.lui(6, 0x2004), // 12: x6 = 0x02004000, mtimecmp[0]
  asm.lui(7, 25), // 16: x7 = 102400
  asm.addi(7, 7, 1), // 20: x7 = 102401, not on a round boundary
  asm.sd(7, 6, 0), // 24: a 64-bit store, split in two by the CPU
  asm.addi(28, 0, 0x80), // 28: MTIE
  asm.csrrs(0, CSR_MIE, 28), // 32
  asm.addi(28, 0, 8), // 36: MIE
  asm.csrrs(0, CSR_MSTATUS, 28), // 40
  asm.wfi(), // 44
  asm.jal(0, -4), // 48: back to wfi
  // handler (52):
  asm.csrrs(10, CSR_TIME, 0),
  asm.lui(29, 0x100), // 0x100000: test finisher
  asm.lui(30, 5),
  asm.addi(30, 30, 0x555), // 0x5555
  asm.sw(30, 29, 0),
  asm.jal(0, 0),
]);

function boot(code: Uint8Array, opts: { harts?: number; out?: number[] } = {}): Machine {
  const m = new Machine({ memoryMiB: 4, harts: opts.harts ?? 1, console: (b) => opts.out?.push(b) });
  m.loadSegments([{ paddr: BASE, data: code, memsz: code.length }], BASE);
  return m;
}

interface State {
  regs: bigint[][];
  pcs: bigint[];
  mtime: number;
  instret: number;
  data: number[];
  out: number;
}

function state(m: Machine, out: number[]): State {
  return {
    regs: m.harts.map((h) => Array.from({ length: 32 }, (_, i) => h.getReg(i))),
    pcs: m.harts.map((h) => h.getPc()),
    mtime: m.mtime,
    instret: m.instret,
    data: Array.from(m.readPhys(BASE + 0x1000, 16)!),
    out: out.length,
  };
}

describe('Machine (real CPU)', () => {
  it('jumps time to the CLINT deadline while the hart sleeps, takes the timer interrupt', () => {
    const m = boot(timerThenPoweroff);
    const stop = m.run(1_000_000);
    assert.deepEqual(stop, { kind: 'poweroff', code: 0 });
    // ~20 instructions, then the finisher is seen at the end of that quantum (1000).
    assert.ok(m.instret <= 1100, `ran ${m.instret} instructions, not a spin to the deadline`);
    const seen = Number(m.harts[0]!.getReg(10));
    // Rounds of 1000 instructions advance time by 100 ticks: only a jump lands on 102401.
    assert.equal(seen, 102_401);
  });

  it('runs the same whatever the budget slicing, with two harts', () => {
    const outA: number[] = [];
    const a = boot(busyLoop, { harts: 2, out: outA });
    a.run(50_000);
    const outB: number[] = [];
    const b = boot(busyLoop, { harts: 2, out: outB });
    while (b.instret < 50_000) b.run(Math.min(777, 50_000 - b.instret));
    assert.deepEqual(state(b, outB), state(a, outA));
    assert.deepEqual(outB, outA);
    assert.ok(a.mtime > 0 && outA.length > 1000);
  });

  it('restores a snapshot: running N more gives the identical state again', () => {
    const out: number[] = [];
    const m = boot(busyLoop, { harts: 2, out });
    m.run(12_345);
    const snap = m.snapshot();
    const outAt = out.length;
    m.run(30_000);
    const first = state(m, out);
    const firstOut = out.slice(outAt);
    out.length = outAt;
    m.restore(snap);
    m.run(30_000);
    assert.deepEqual(state(m, out), first);
    assert.deepEqual(out.slice(outAt), firstOut);
  });
});

/**
 * CPU benchmark (not a test): a fixed integer workload (nested loops of loads, multiplies,
 * adds, xors, stores and branches over a 128-byte array) run by one hart in S-mode with
 * Sv39 on, on a RAM-only bus, printing the interpreter's speed in MIPS (by wall time and by
 * CPU time) and a checksum.
 *   npx tsx emulator/cpu/bench-cpu.ts [instructions, default 200e6]
 */
import { Priv, type BusApi } from '../types';
import { assemble } from './asm';
import { Hart } from './hart';
import { CpuShared } from './shared';

const RAM_BASE = 0x8000_0000;
const RAM_SIZE = 8 << 20;

function makeBus(): BusApi {
  const buf = new ArrayBuffer(RAM_SIZE);
  return {
    ram: {
      base: RAM_BASE,
      size: RAM_SIZE,
      u8: new Uint8Array(buf),
      u16: new Uint16Array(buf),
      i32: new Int32Array(buf),
      dv: new DataView(buf),
    },
    mmioRead: () => undefined,
    mmioWrite: () => false,
  };
}

// S-mode code at VA 0x1000 (PA RAM+0x1000), data at VA 0x10000 (PA RAM+0x10000).
const WORKLOAD = `
    li s0, 2000000
    li s1, 0
    lui s2, 0x10
outer:
    li t0, 0
    mv t1, s2
inner:
    ld t2, 0(t1)
    mul t3, t2, s0
    add s1, s1, t3
    xor t3, t3, s1
    sd t3, 0(t1)
    addi t1, t1, 8
    addi t0, t0, 1
    slti t4, t0, 16
    bne t4, zero, inner
    addi s0, s0, -1
    bne s0, zero, outer
    ecall
`;
// M-mode trap handler: stop in wfi (nothing enabled, so the run returns 'wfi').
const HANDLER = `
    wfi
    j 0
`;

function main(): void {
  const budget = Number(process.argv[2] ?? 200e6);
  const bus = makeBus();
  const shared = new CpuShared();
  const h = new Hart(0, bus, shared);
  const dv = bus.ram.dv;
  const put = (pa: number, words: Uint32Array): void =>
    words.forEach((w, k) => dv.setUint32(pa - RAM_BASE + 4 * k, w, true));
  put(RAM_BASE + 0x1000, assemble(WORKLOAD));
  put(RAM_BASE + 0x3000, assemble(HANDLER));
  // Sv39 tables: root at +0x100000, one level-1 and one level-0 table mapping VA 0..2 MiB.
  const root = RAM_BASE + 0x10_0000;
  const l1 = root + 0x1000;
  const l0 = root + 0x2000;
  const pte = (pa: number, flags: number): bigint => (BigInt(pa / 4096) << 10n) | BigInt(flags);
  dv.setBigUint64(root - RAM_BASE, pte(l1, 1), true);
  dv.setBigUint64(l1 - RAM_BASE, pte(l0, 1), true);
  for (let p = 0; p < 64; p++) dv.setBigUint64(l0 - RAM_BASE + 8 * p, pte(RAM_BASE + p * 4096, 0xcf), true);
  h.writeCsr(0x180, (8n << 60n) | BigInt(root / 4096));
  h.writeCsr(0x305, BigInt(RAM_BASE + 0x3000));
  h.priv = Priv.S;
  h.setPc(0x1000n);
  for (let k = 0; k < 16; k++) dv.setBigUint64(0x10000 + 8 * k, BigInt(k * 0x9e3779b9 + 1), true);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let retired = 0;
  while (retired < budget) {
    retired += h.run(Math.min(10_000_000, budget - retired));
    if (h.stopReason === 'wfi') break;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpuSecs = (c.user + c.system) / 1e6;
  // CPU time is the steadier figure on a loaded machine; wall time is what a user sees.
  console.log(
    `retired ${retired} instructions: ${(retired / secs / 1e6).toFixed(1)} MIPS wall (${secs.toFixed(2)} s), ` +
      `${(retired / cpuSecs / 1e6).toFixed(1)} MIPS per CPU second; checksum s1 = ${h.getReg(9).toString(16)}`,
  );
}

main();

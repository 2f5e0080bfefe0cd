/**
 * Data watchpoints (emulator/cpu/shared.ts `addWatch`): a store instruction of a hart that
 * overlaps a watched physical range stops the hart right after it retires (pc at the next
 * instruction, instret counting the store), with the range's old and new bytes. Every case
 * runs a hot loop twice, interpreter only and with the JIT (the store is then inside a
 * compiled block), and expects the same stop. Also: ranges' edges for 1/2/4/8-byte stores
 * (aligned and not), AMOs and SC, a store crossing a page, a stop on the budget's last
 * instruction, device/debugger writes that never stop, and the Machine's `watchpoint` stop.
 */
import assert from 'node:assert/strict';
import { Machine } from '../../emulator/machine';
import { RAM_BASE, rig, type Rig } from './fixtures/cpu-env';

const DATA = RAM_BASE + 0x1000;
const PROLOGUE = 3; // auipc, addi, li
/** Loop passes run before the watch is set (enough for the JIT to compile the loop). */
const PASSES = 50;

/**
 * A loop of `body` (a0 counts passes; s1 = DATA + `at`) that is run for PASSES passes, then
 * a watch on [DATA + rangeOff, + rangeLen) is set and the run goes on.
 */
function watchRun(
  store: string[],
  at: number,
  rangeOff: number,
  rangeLen: number,
  jit: boolean,
): { r: Rig; ran: number; id: number; bodyLen: number } {
  const body = ['addi a0,a0,1', ...store, 'addi a1,a1,-1', 'bne a1,zero,loop'];
  const src = ['auipc s0,1', `addi s1,s0,${at}`, 'li a1,1000', 'loop:', ...body, 'wfi', 'j 0'];
  const r = rig(1);
  r.shared.jit = jit;
  r.shared.jitThreshold = 2;
  r.bus.load(RAM_BASE, src);
  r.shared.ramWritten(RAM_BASE, 0x10000);
  r.hart.setPc(BigInt(RAM_BASE));
  r.hart.run(PROLOGUE + PASSES * body.length);
  assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 4 * PROLOGUE), 'at the loop head');
  const id = r.shared.addWatch(DATA + rangeOff, rangeLen);
  assert.equal(typeof id, 'number', `addWatch: ${String(id)}`);
  const ran = r.hart.run(10_000);
  return { r, ran, id: id as number, bodyLen: body.length };
}

/** Runs `store` both ways; returns the stop (or undefined) after checking both agree. */
function expectStop(store: string[], at: number, rangeOff: number, rangeLen: number, stops: boolean): Rig {
  const ref = watchRun(store, at, rangeOff, rangeLen, false);
  const jit = watchRun(store, at, rangeOff, rangeLen, true);
  assert.ok(jit.r.shared.jitRetired > 0, 'the JIT never ran');
  for (const { r, ran, bodyLen } of [ref, jit]) {
    const mode = r === ref.r ? 'interpreter' : 'JIT';
    if (!stops) {
      assert.equal(r.hart.stopReason, 'wfi', `${mode}: ${store.join('; ')} should not stop`);
      assert.equal(r.shared.takeWatchHit(), undefined);
      continue;
    }
    assert.equal(r.hart.stopReason, 'watch', `${mode}: ${store.join('; ')} should stop`);
    // Stopped after the store of pass PASSES + 1: the store is the body's last store.
    const after = 1 + store.length;
    assert.equal(ran, after, `${mode}: retired`);
    assert.equal(r.hart.instret, PROLOGUE + PASSES * bodyLen + after, `${mode}: instret`);
    assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 4 * (PROLOGUE + after)), `${mode}: pc`);
  }
  assert.equal(jit.r.hart.instret, ref.r.hart.instret);
  return jit.r;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('cpu data watchpoints', () => {
  // The watched range is [0x10, 0x18) of the data page.
  const cases: [string, number, boolean][] = [
    ['sb a0,0(s1)', 0x0f, false],
    ['sb a0,0(s1)', 0x10, true],
    ['sb a0,0(s1)', 0x17, true],
    ['sb a0,0(s1)', 0x18, false],
    ['sh a0,0(s1)', 0x0e, false],
    ['sh a0,0(s1)', 0x0f, true], // misaligned, one byte inside
    ['sh a0,0(s1)', 0x17, true],
    ['sh a0,0(s1)', 0x18, false],
    ['sw a0,0(s1)', 0x0c, false],
    ['sw a0,0(s1)', 0x0d, true],
    ['sw a0,0(s1)', 0x14, true],
    ['sw a0,0(s1)', 0x18, false],
    ['sd a0,0(s1)', 0x08, false],
    ['sd a0,0(s1)', 0x09, true],
    ['sd a0,0(s1)', 0x10, true],
    ['sd a0,0(s1)', 0x18, false],
    ['amoadd.d a3,a0,(s1)', 0x10, true],
    ['amoor.w a3,a0,(s1)', 0x14, true],
    ['amoswap.w a3,a0,(s1)', 0x18, false],
  ];
  for (const [insn, at, stops] of cases) {
    it(`${insn} at +0x${at.toString(16)} ${stops ? 'stops' : 'does not stop'} (interpreter and JIT alike)`, () => {
      expectStop([insn], at, 0x10, 8, stops);
    });
  }

  it('reports the store and the range’s bytes before and after it', () => {
    const r = expectStop(['sd a0,0(s1)'], 0x10, 0x10, 8, true);
    const hit = r.shared.takeWatchHit()!;
    assert.equal(hit.hart, 0);
    assert.equal(hit.paddr, DATA + 0x10);
    assert.equal(hit.len, 8);
    assert.equal(hit.ranges.length, 1);
    const [w] = hit.ranges;
    assert.equal(w!.paddr, DATA + 0x10);
    assert.equal(hex(w!.old), '3200000000000000'); // pass 50 stored 50
    assert.equal(hex(w!.now), '3300000000000000'); // pass 51 stores 51
    assert.equal(r.shared.takeWatchHit(), undefined, 'a hit is taken once');
  });

  it('an sc that succeeds stops; the lr before it does not', () => {
    expectStop(['lr.d t0,(s1)', 'sc.d t1,a0,(s1)'], 0x10, 0x10, 8, true);
  });

  it('a store crossing into the next page stops when it overlaps a range there', () => {
    // sd at DATA - 2 writes the last 2 bytes of the code page and 6 of the data page.
    expectStop(['sd a0,0(s1)'], -2, 0x4, 4, true);
    expectStop(['sd a0,0(s1)'], -2, 0x6, 4, false);
  });

  it('stops when the store is the last instruction of the budget', () => {
    for (const jit of [false, true]) {
      const { r } = watchRun(['sw a0,0(s1)'], 0x10, 0x10, 4, jit);
      r.shared.takeWatchHit();
      // The loop head is 2 instructions on: run the increment and the store only.
      r.hart.run(2);
      assert.equal(r.hart.stopReason, null);
      assert.equal(r.hart.run(2), 2);
      assert.equal(r.hart.stopReason, 'watch', `jit ${jit}`);
      assert.equal(r.hart.getPc(), BigInt(RAM_BASE + 4 * (PROLOGUE + 2)));
      assert.equal(hex(r.shared.takeWatchHit()!.ranges[0]!.now), '34000000'); // pass 52
    }
  });

  it('device and debugger writes do not stop but refresh the old bytes', () => {
    const { r, id } = watchRun(['sw a0,0(s1)'], 0x10, 0x10, 4, true);
    r.shared.takeWatchHit();
    r.bus.w32(DATA + 0x10, 0xdeadbeef);
    r.shared.ramWritten(DATA + 0x10, 4);
    assert.equal(r.shared.takeWatchHit(), undefined);
    r.hart.run(10_000);
    assert.equal(r.hart.stopReason, 'watch');
    assert.equal(hex(r.shared.takeWatchHit()!.ranges[0]!.old), 'efbeadde');
    r.shared.removeWatch(id);
    r.hart.run(10_000);
    assert.equal(r.hart.stopReason, 'wfi', 'removed: runs to the end');
  });

  it('rejects ranges outside RAM or of a bad length with a one-line reason', () => {
    const r = rig(1);
    assert.match(String(r.shared.addWatch(0x1000, 8)), /^physical address 0x1000 \(8 bytes\) is not in RAM$/);
    assert.match(String(r.shared.addWatch(DATA, 0)), /1 to 4096 bytes/);
    assert.match(String(r.shared.addWatch(RAM_BASE + r.bus.ram.size - 4, 8)), /not in RAM/);
  });

  it('Machine.run returns a watchpoint stop with the hit', () => {
    // Store to DATA + 8 forever; hart 1 too (the quantum moves between them).
    const code = new Uint32Array([
      0x00001417, // auipc s0,1
      0x00150513, // loop: addi a0,a0,1
      0x00a43423, // sd a0,8(s0)
      0xff9ff06f, // j loop
    ]);
    const m = new Machine({ memoryMiB: 4, harts: 2 });
    m.loadSegments([{ paddr: RAM_BASE, data: new Uint8Array(code.buffer), memsz: 16 }], RAM_BASE);
    m.run(5_000);
    const id = m.addWatchpoint(DATA + 8, 8);
    assert.equal(typeof id, 'number');
    const stop = m.run(100_000);
    assert.equal(stop.kind, 'watchpoint');
    if (stop.kind !== 'watchpoint') return;
    const h = m.harts[stop.hart]!;
    assert.equal(h.getPc(), BigInt(RAM_BASE + 12), 'pc after the sd');
    assert.equal(stop.hit.ranges[0]!.id, id);
    assert.equal(stop.hit.ranges[0]!.now[0], Number(h.getReg(10) & 0xffn));
    m.removeWatchpoint(id as number);
    assert.equal(m.run(10_000).kind, 'budget');
  });
});

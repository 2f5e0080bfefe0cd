/**
 * The JIT tier (emulator/cpu/jit*.ts) on small hand-written programs, each run twice, with
 * and without the JIT, expecting the same state instruction for instruction: code that
 * stores over its own compiled block (with and without fence.i), a page fault in the
 * middle of a hot block (epc, tval and instret exact), breakpoints inside a hot block,
 * exact instruction budgets, and blocks dropped by DMA writes and by another hart's store.
 */
import assert from 'node:assert/strict';
import { assemble } from '../../emulator/cpu/asm';
import { Priv, type TrapInfo } from '../../emulator/types';
import { A, D, PageTables, R, RAM_BASE, V, W, X, rig, type Rig } from './fixtures/cpu-env';

const HANDLER = RAM_BASE + 0x8000;

/** A rig with `src` at RAM_BASE, M-mode, traps to a wfi at HANDLER; `jit` on or off. */
function machine(src: string, jit: boolean, threshold = 2, harts = 1): Rig {
  const r = rig(harts);
  r.shared.jit = jit;
  r.shared.jitThreshold = threshold;
  r.bus.load(RAM_BASE, src);
  r.bus.load(HANDLER, ['wfi', 'j 0']);
  r.shared.ramWritten(RAM_BASE, 0x10000);
  for (const h of r.harts) {
    h.writeCsr(0x305, BigInt(HANDLER));
    h.setPc(BigInt(RAM_BASE));
  }
  return r;
}

function state(r: Rig): string {
  const h = r.hart;
  const regs = Array.from({ length: 31 }, (_, i) => h.getReg(i + 1).toString(16));
  const csrs = [0x300, 0x341, 0x342, 0x343].map((c) => h.readCsr(c)!.toString(16));
  return `pc=${h.getPc().toString(16)} priv=${h.priv} instret=${h.instret} stop=${h.stopReason} ${regs.join(',')} ${csrs.join(',')}`;
}

/** Run both rigs with the same budgets, comparing after each; returns the JIT rig. */
function lockstep(src: string, budgets: number[], setup?: (r: Rig) => void): { jit: Rig; ref: Rig } {
  const ref = machine(src, false);
  const jit = machine(src, true);
  setup?.(ref);
  setup?.(jit);
  for (const [i, n] of budgets.entries()) {
    const a = ref.hart.run(n);
    const b = jit.hart.run(n);
    assert.equal(b, a, `run #${i} (${n}) retired ${b} with the JIT, ${a} without`);
    assert.equal(state(jit), state(ref), `state after run #${i} (${n})`);
    assert.equal(Buffer.compare(jit.bus.ram.u8, ref.bus.ram.u8), 0, `RAM after run #${i}`);
  }
  return { jit, ref };
}

// Counts a0 up in a hot loop of 5 instructions; after 100 passes falls through.
const HOT_LOOP = `
    li a1, 100
loop:
    addi a0, a0, 1
    addi a2, a2, 3
    xor a3, a3, a2
    addi a1, a1, -1
    bne a1, zero, loop
    wfi
    j 0
`;

describe('cpu JIT tier', () => {
  it('runs a hot loop in compiled code with the interpreter’s results', () => {
    const { jit } = lockstep(HOT_LOOP, [10_000]);
    assert.equal(jit.hart.getReg(10), 100n);
    assert.ok(jit.shared.jitCompiled > 0, 'no block was compiled');
    assert.ok(jit.shared.jitRetired > 400, `only ${jit.shared.jitRetired} instructions in compiled code`);
  });

  it('never retires more than the budget, for every budget from 1 to 40', () => {
    const budgets: number[] = [];
    for (let n = 1; n <= 40; n++) budgets.push(n);
    const { jit } = lockstep(HOT_LOOP, budgets);
    assert.ok(jit.shared.jitRetired > 0, 'the JIT never ran');
  });

  it('sees a store over its own compiled block, with fence.i', () => {
    // After 50 passes, overwrite `addi a0,a0,1` with `addi a0,a0,100` (word in t1).
    const patch = assemble('addi a0,a0,100')[0]!;
    const src = `
        li a1, 100
        auipc t0, 0
    loop:
        addi a0, a0, 1
        addi a1, a1, -1
        li t2, 50
        bne a1, t2, skip
        sw t1, 4(t0)
        fence.i
    skip:
        bne a1, zero, loop
        wfi
    `;
    const { jit } = lockstep(src, [30, 200, 10_000], (r) => r.hart.setReg(6, BigInt(patch)));
    assert.equal(jit.hart.getReg(10), 50n + 50n * 100n);
  });

  it('sees a store over a later instruction of the same block, without fence.i', () => {
    // The store and its target are in one straight-line block: the block must stop after
    // the store (the interpreter re-decodes the changed slot at once).
    const patch = assemble('addi a0,a0,100')[0]!;
    const src = `
        addi a1, zero, 60
    loop:
        sw t1, 0(t3)
        addi a2, a2, 1
        addi a0, a0, 1
        addi a1, a1, -1
        bne a1, zero, loop
        wfi
    `;
    // For 30 passes the store writes data elsewhere; then it patches the addi at +12.
    const ref = machine(src, false);
    const jit = machine(src, true);
    for (const r of [ref, jit]) {
      r.hart.setReg(28, BigInt(RAM_BASE + 0x9000));
      r.hart.run(1 + 5 * 30);
      r.hart.setReg(28, BigInt(RAM_BASE + 12));
      r.hart.setReg(6, BigInt(patch));
      r.hart.run(10_000);
    }
    assert.equal(state(jit), state(ref));
    assert.equal(jit.hart.getReg(10), 30n + 30n * 100n);
    assert.ok(jit.shared.jitRetired > 100, 'the loop did not run compiled');
  });

  it('takes a page fault on the 3rd instruction of a hot block with exact epc, tval and instret', () => {
    const CODE_VA = 0x1000;
    const DATA_VA = 0x10000;
    const src = `
    loop:
        addi a0, a0, 1
        addi a1, a1, 1
        ld a2, 0(a3)
        addi a3, a3, 8
        j loop
    `;
    const traps: TrapInfo[][] = [[], []];
    const rigs = [false, true].map((on, i) => {
      const r = rig();
      r.shared.jit = on;
      r.shared.jitThreshold = 2;
      const pt = new PageTables(r.bus);
      r.bus.load(RAM_BASE + CODE_VA, src);
      r.bus.load(HANDLER, ['wfi', 'j 0']);
      pt.map(CODE_VA, RAM_BASE + CODE_VA, V | R | X | A | D);
      pt.map(DATA_VA, RAM_BASE + 0x20000, V | R | W | A | D); // one page: 512 doublewords
      r.hart.writeCsr(0x305, BigInt(HANDLER));
      r.hart.writeCsr(0x180, pt.satp);
      r.hart.priv = Priv.S;
      r.hart.setPc(BigInt(CODE_VA));
      r.hart.setReg(13, BigInt(DATA_VA));
      r.shared.onTrap = (t) => {
        traps[i]!.push(t);
        return false;
      };
      r.hart.run(100_000);
      return r;
    });
    const [ref, jit] = rigs as [Rig, Rig];
    assert.equal(state(jit), state(ref));
    assert.deepEqual(traps[1], traps[0]);
    const t = traps[1]![0]!;
    assert.equal(t.cause, 13, 'load page fault');
    assert.equal(t.epc, BigInt(CODE_VA + 8), 'epc is the ld');
    assert.equal(t.tval, BigInt(DATA_VA + 4096));
    assert.equal(t.instret, 512 * 5 + 2, 'the two instructions before the ld retired, the ld did not');
    assert.equal(jit.hart.getReg(10), 513n);
    assert.equal(jit.hart.getReg(11), 513n);
    assert.ok(jit.shared.jitRetired > 2000, 'the loop did not run compiled');
  });

  it('runs compiled past breakpoints on other pages, and still stops at one on its own', () => {
    const { jit, ref } = lockstep(HOT_LOOP, [300]);
    const compiledBefore = jit.shared.jitRetired;
    // Never executed: the page after the loop's, and one far away.
    for (const r of [jit, ref]) {
      r.shared.breakpoints.add(RAM_BASE + 0x1000);
      r.shared.breakpoints.add(RAM_BASE + 0x40_0000);
    }
    for (const r of [jit, ref]) r.hart.run(150);
    assert.equal(state(jit), state(ref));
    assert.ok(
      jit.shared.jitRetired > compiledBefore + 100,
      'the loop did not run compiled with breakpoints on other pages',
    );
    // The same page as the loop, on an instruction the loop runs: it stops there.
    const bp = RAM_BASE + 4 + 12; // `addi a1,a1,-1`
    for (const r of [jit, ref]) r.shared.breakpoints.add(bp);
    for (const r of [jit, ref]) r.hart.run(10_000);
    assert.equal(jit.hart.stopReason, 'breakpoint');
    assert.equal(jit.hart.getPc(), BigInt(bp));
    assert.equal(state(jit), state(ref));
    // Removed again (the page's count drops to none): it runs to the end.
    for (const r of [jit, ref]) {
      r.shared.breakpoints.delete(bp);
      r.hart.skipBreakpointOnce();
      r.hart.run(10_000);
    }
    assert.equal(state(jit), state(ref));
    assert.equal(jit.hart.getReg(10), 100n);
  });

  it('keeps a page count of breakpoints through add, delete and clear', () => {
    const bps = rig().shared.breakpoints;
    bps.add(RAM_BASE + 8);
    bps.add(RAM_BASE + 8);
    bps.add(RAM_BASE + 0xffc);
    assert.equal(bps.onPage(RAM_BASE), true);
    assert.equal(bps.onPage(RAM_BASE + 0x1000), false);
    assert.equal(bps.delete(RAM_BASE + 8), true);
    assert.equal(bps.onPage(RAM_BASE + 0x800), true, 'one breakpoint is left on the page');
    assert.equal(bps.delete(RAM_BASE + 8), false);
    bps.delete(RAM_BASE + 0xffc);
    assert.equal(bps.onPage(RAM_BASE), false);
    bps.add(0x3f_ffff_f000 + 4);
    assert.equal(bps.onPage(0x3f_ffff_f000), true, 'a user address above 2^32');
    bps.clear();
    assert.equal(bps.onPage(0x3f_ffff_f000), false);
    assert.equal(bps.size, 0);
  });

  it('compiles nothing once the run’s compile deadline has passed, with identical results', () => {
    const { jit, ref } = lockstep(HOT_LOOP, [40], (r) => {
      r.shared.compileDeadline = Date.now() - 1;
    });
    for (const r of [jit, ref]) r.hart.run(10_000);
    assert.equal(state(jit), state(ref));
    assert.equal(jit.shared.jitCompiled, 0);
    assert.equal(jit.hart.getReg(10), 100n);
    // With the deadline lifted, the loop compiles on its next runs.
    const { jit: later } = lockstep(HOT_LOOP, [10_000]);
    assert.ok(later.shared.jitCompiled > 0);
  });

  it('stops at a breakpoint inside a hot block, and steps over it once asked', () => {
    const bp = RAM_BASE + 4 + 8; // `xor a3,a3,a2`: the 3rd instruction of the loop block
    const { jit, ref } = lockstep(HOT_LOOP, [300]); // the loop block is compiled by now
    assert.ok(jit.shared.jitRetired > 0);
    for (const r of [jit, ref]) r.shared.breakpoints.add(bp);
    for (const r of [jit, ref]) r.hart.run(10_000);
    assert.equal(jit.hart.stopReason, 'breakpoint');
    assert.equal(jit.hart.getPc(), BigInt(bp));
    assert.equal(state(jit), state(ref));
    for (const r of [jit, ref]) {
      r.hart.skipBreakpointOnce();
      r.hart.run(10_000);
    }
    assert.equal(jit.hart.getPc(), BigInt(bp), 'one more pass, then the breakpoint again');
    assert.equal(state(jit), state(ref));
    const before = jit.hart.instret;
    for (const r of [jit, ref]) {
      r.shared.breakpoints.clear();
      r.hart.run(10_000);
    }
    assert.equal(state(jit), state(ref));
    assert.ok(jit.hart.instret > before + 50);
    assert.equal(jit.hart.getReg(10), 100n);
  });

  it('drops a compiled block that a DMA write (ramWritten) replaces', () => {
    const ref = machine(HOT_LOOP, false);
    const jit = machine(HOT_LOOP, true);
    const patch = assemble('addi a0,a0,7')[0]!;
    for (const r of [ref, jit]) {
      r.hart.run(200);
      r.bus.w32(RAM_BASE + 4, patch);
      r.shared.ramWritten(RAM_BASE + 4, 4);
      r.hart.run(10_000);
    }
    assert.equal(state(jit), state(ref));
    assert.ok(jit.shared.jitRetired > 100);
    assert.notEqual(jit.hart.getReg(10), 100n, 'the new code ran');
  });

  it('drops a compiled block that another hart stores over', () => {
    const patch = assemble('addi a0,a0,7')[0]!;
    // Hart 1 runs one store over hart 0's loop (the `addi a0,a0,1` at +4), between runs.
    const ref = machine(HOT_LOOP, false, 2, 2);
    const jit = machine(HOT_LOOP, true, 2, 2);
    for (const r of [ref, jit]) {
      const h1 = r.harts[1]!;
      r.bus.load(RAM_BASE + 0x4000, ['sw t1,4(t0)', 'wfi']);
      h1.setPc(BigInt(RAM_BASE + 0x4000));
      h1.setReg(5, BigInt(RAM_BASE));
      h1.setReg(6, BigInt(patch));
      r.hart.run(200);
      h1.run(1);
      r.hart.run(10_000);
    }
    assert.equal(state(jit), state(ref));
    assert.ok(jit.shared.jitRetired > 100);
    assert.notEqual(jit.hart.getReg(10), 100n, 'the new code ran');
  });
});

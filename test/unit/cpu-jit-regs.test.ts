/**
 * The JIT's register locals, per-access page caches, compiled atomics and block chaining
 * across pages (emulator/cpu/jit*.ts), each checked against the interpreter on the same
 * program: a trap or an interrupt in the middle of a register-cached loop leaves the exact
 * pc, instret, registers and memory; a page cache never outlives the TLB entry it copies;
 * atomics and cross-page chains give the interpreter's results, within every budget.
 */
import assert from 'node:assert/strict';
import { Irq, Priv, type TrapInfo } from '../../emulator/types';
import { A, D, MMIO_BASE, PageTables, R, RAM_BASE, V, W, X, rig, type Rig } from './fixtures/cpu-env';

const HANDLER = RAM_BASE + 0x8000;

function state(r: Rig): string {
  const h = r.hart;
  const regs = Array.from({ length: 31 }, (_, i) => h.getReg(i + 1).toString(16));
  const csrs = [0x300, 0x341, 0x342, 0x343, 0x141, 0x142, 0x143].map((c) => h.readCsr(c)!.toString(16));
  return `pc=${h.getPc().toString(16)} priv=${h.priv} instret=${h.instret} stop=${h.stopReason} ${regs.join(',')} ${csrs.join(',')}`;
}

/**
 * Two rigs (interpreter, JIT with threshold 2) prepared by `setup`, run with the same
 * budgets and compared after each run: state, RAM and the traps taken.
 */
function lockstep(setup: (r: Rig) => void, budgets: number[]): { ref: Rig; jit: Rig; traps: TrapInfo[] } {
  const traps: TrapInfo[][] = [[], []];
  const rigs = [false, true].map((on, i) => {
    const r = rig();
    r.shared.jit = on;
    r.shared.jitThreshold = 2;
    r.bus.load(HANDLER, ['wfi', 'j 0']);
    r.hart.writeCsr(0x305, BigInt(HANDLER));
    setup(r);
    r.shared.onTrap = (t) => {
      traps[i]!.push(t);
      return false;
    };
    return r;
  });
  const [ref, jit] = rigs as [Rig, Rig];
  for (const [i, n] of budgets.entries()) {
    const a = ref.hart.run(n);
    const b = jit.hart.run(n);
    assert.equal(b, a, `run #${i} (${n}) retired ${b} with the JIT, ${a} without`);
    assert.equal(state(jit), state(ref), `state after run #${i} (${n})`);
    assert.equal(Buffer.compare(jit.bus.ram.u8, ref.bus.ram.u8), 0, `RAM after run #${i}`);
    assert.deepEqual(traps[1], traps[0], `traps after run #${i}`);
  }
  return { ref, jit, traps: traps[1]! };
}

/** S-mode with Sv39: code at CODE_VA, `pages` data pages from DATA_VA (then unmapped). */
function sv39(r: Rig, src: string, pages: number): PageTables {
  const pt = new PageTables(r.bus);
  r.bus.load(RAM_BASE + CODE_VA, src);
  r.shared.ramWritten(RAM_BASE + CODE_VA, 0x2000);
  pt.map(CODE_VA, RAM_BASE + CODE_VA, V | R | X | A | D);
  pt.map(CODE_VA + 0x1000, RAM_BASE + CODE_VA + 0x1000, V | R | X | A | D);
  for (let p = 0; p < pages; p++) pt.map(DATA_VA + p * 0x1000, DATA_PA + p * 0x1000, V | R | W | A | D);
  r.hart.writeCsr(0x180, pt.satp);
  r.hart.priv = Priv.S;
  r.hart.setPc(BigInt(CODE_VA));
  return pt;
}

const CODE_VA = 0x1000;
const DATA_VA = 0x10000;
const DATA_PA = RAM_BASE + 0x20000;

// memset's word loop: one block that branches back to itself, kept in register locals.
const FILL = `
    li a3, 0x5a5a
loop:
    sd a3, 0(a4)
    addi a4, a4, 8
    bne a4, a5, loop
    li a0, 1
    wfi
`;

describe('cpu JIT register locals and page caches', () => {
  it('fills pages in a register-cached loop with the interpreter’s results, for budgets 1 to 40', () => {
    const budgets = Array.from({ length: 40 }, (_, i) => i + 1).concat([10_000]);
    const { jit } = lockstep((r) => {
      sv39(r, FILL, 2);
      r.hart.setReg(14, BigInt(DATA_VA));
      r.hart.setReg(15, BigInt(DATA_VA + 0x2000));
    }, budgets);
    assert.equal(jit.hart.getReg(10), 1n, 'the loop finished');
    assert.equal(jit.bus.r64(DATA_PA + 0x1ff8), 0x5a5an);
    assert.ok(jit.shared.jitRetired > 1000, 'the loop did not run compiled');
  });

  for (const [store, size] of [
    ['sb', 1],
    ['sh', 2],
    ['sw', 4],
    ['sd', 8],
  ] as const) {
    for (const addiFirst of [false, true]) {
      it(`fills memory with ${store} loops (${addiFirst ? 'addi first' : 'store first'}) exactly: alignments, ends, budgets`, () => {
        const body = addiFirst
          ? [`addi a4, a4, ${size}`, `${store} a3, -${size}(a4)`]
          : [`${store} a3, 0(a4)`, `addi a4, a4, ${size}`];
        const src = ['loop:', ...body, 'bne a4, a5, loop', 'wfi'].join('\n');
        // Start offsets: aligned, misaligned, near a page end; lengths: whole pages, not a
        // multiple of the step (runs until the pointer wraps past the end: the fault).
        for (const [start, len] of [
          [0, 0x2000],
          [1, 0x1800],
          [0xff8, 0x40 * size],
          [6, 0x1001],
        ] as const) {
          const budgets = [1, 2, 3, 5, 40, 97, 1000, 4000, 100_000];
          lockstep((r) => {
            sv39(r, src, 3);
            r.hart.setReg(13, 0x0123_4567_89ab_cdefn); // halves differ
            r.hart.setReg(14, BigInt(DATA_VA + start));
            r.hart.setReg(15, BigInt(DATA_VA + start + len));
          }, budgets);
        }
      });
    }
  }

  it('fills with an sd loop whose halves are equal (one typed-array fill), across pages', () => {
    const src = ['loop:', 'sd a3, 0(a4)', 'addi a4, a4, 8', 'bne a4, a5, loop', 'wfi'].join('\n');
    const { jit } = lockstep(
      (r) => {
        sv39(r, src, 3);
        r.hart.setReg(13, 0xfefe_fefe_fefe_fefen);
        r.hart.setReg(14, BigInt(DATA_VA + 8));
        r.hart.setReg(15, BigInt(DATA_VA + 0x2ff0));
      },
      [5, 1000, 333, 100_000],
    );
    assert.equal(jit.bus.r64(DATA_PA + 0x8), 0xfefe_fefe_fefe_fefen);
    assert.equal(jit.bus.r64(DATA_PA + 0x2fe8), 0xfefe_fefe_fefe_fefen);
    assert.equal(jit.bus.r64(DATA_PA + 0x2ff0), 0n, 'no store past the end');
  });

  it('takes a page fault in the middle of a register-cached loop with exact epc, tval, instret and registers', () => {
    const { jit, traps } = lockstep(
      (r) => {
        sv39(r, FILL, 2); // the third page is not mapped
        r.hart.setReg(14, BigInt(DATA_VA));
        r.hart.setReg(15, BigInt(DATA_VA + 0x4000));
      },
      [100_000],
    );
    assert.equal(traps.length, 1);
    const t = traps[0]!;
    assert.equal(t.cause, 15, 'store page fault');
    assert.equal(t.epc, BigInt(CODE_VA + 8), 'epc is the sd');
    assert.equal(t.tval, BigInt(DATA_VA + 0x2000));
    assert.equal(t.instret, 2 + 2 * 512 * 3, 'every pass over two pages retired, the faulting sd did not');
    assert.equal(jit.hart.getReg(14), BigInt(DATA_VA + 0x2000), 'a4 written back before the trap');
    assert.ok(jit.shared.jitRetired > 1000, 'the loop did not run compiled');
  });

  it('takes an interrupt raised by a device store in a register-cached loop at the exact instruction', () => {
    // Each pass writes a counter to the device; the device raises MEIP at the 300th write.
    const src = `
    loop:
        addi a0, a0, 1
        sw a0, 0(a1)
        addi a2, a2, 3
        j loop
    `;
    const { jit, traps } = lockstep(
      (r) => {
        r.bus.load(RAM_BASE, src);
        r.shared.ramWritten(RAM_BASE, 0x1000);
        r.hart.setPc(BigInt(RAM_BASE));
        r.hart.setReg(11, BigInt(MMIO_BASE));
        r.hart.writeCsr(0x304, 1n << 11n); // mie.MEIE
        r.hart.writeCsr(0x300, 1n << 3n); // mstatus.MIE
        const write = r.bus.mmioWrite.bind(r.bus);
        r.bus.mmioWrite = (pa, size, v) => {
          if (v === 300) r.hart.setInterruptLine(Irq.MExt, true);
          return write(pa, size, v);
        };
      },
      [50, 5000],
    );
    assert.equal(traps.length, 1);
    assert.equal(traps[0]!.interrupt, true);
    assert.equal(traps[0]!.cause, 11);
    assert.equal(traps[0]!.epc, BigInt(RAM_BASE + 8), 'taken after the sw that raised it');
    assert.equal(jit.hart.getReg(10), 300n);
    assert.equal(jit.hart.getReg(12), 3n * 299n, 'the addi after the sw did not run a 300th time');
    assert.ok(jit.shared.jitRetired > 500, 'the loop did not run compiled');
  });

  it('keeps a page cache only as long as the TLB entry it copies (PTE rewritten without sfence.vma)', () => {
    // Loop 1 rewrites DATA_VA's PTE every pass (alternating two frames) and evicts its TLB
    // entry through a page with the same TLB index, so each pass may see a new frame; loop
    // 2 rewrites it without evicting, so the stale TLB entry (and cache) must stay in use.
    const src = `
        li s1, 20
    loop1:
        ld a2, 0(a3)
        add s2, s2, a2
        ld a4, 0(a5)
        ld a6, 0(a3)
        add s2, s2, a6
        sd t0, 0(t1)
        xor t0, t0, t2
        addi s1, s1, -1
        bne s1, zero, loop1
        li s1, 20
    loop2:
        ld a2, 0(a3)
        add s3, s3, a2
        sd t0, 0(t1)
        xor t0, t0, t2
        addi s1, s1, -1
        bne s1, zero, loop2
        wfi
    `;
    const { jit } = lockstep(
      (r) => {
        const pt = sv39(r, src, 1);
        const other = DATA_PA + 0x1000;
        const collider = DATA_VA + 512 * 4096; // the same direct-mapped TLB slot as DATA_VA
        pt.map(collider, DATA_PA + 0x2000, V | R | W | A | D);
        // The page tables are reached at their physical addresses: an identity gigapage.
        pt.map(0x8000_0000, RAM_BASE, V | R | W | A | D, 2);
        r.bus.w64(DATA_PA, 5n);
        r.bus.w64(other, 1000n);
        const pte = (pa: number): bigint => (BigInt(pa / 4096) << 10n) | BigInt(V | R | W | A | D);
        r.hart.setReg(13, BigInt(DATA_VA));
        r.hart.setReg(15, BigInt(collider));
        r.hart.setReg(6, BigInt(pt.leaf(DATA_VA)));
        r.hart.setReg(5, pte(other));
        r.hart.setReg(7, pte(other) ^ pte(DATA_PA));
      },
      [7, 100, 100_000],
    );
    const s2 = jit.hart.getReg(18);
    assert.ok(s2 > 20n * 2n * 5n && s2 < 20n * 2n * 1000n, `loop 1 saw both frames (sum ${s2})`);
    const s3 = jit.hart.getReg(19);
    assert.ok(s3 === 20n * 5n || s3 === 20n * 1000n, `loop 2 saw one stale frame (sum ${s3})`);
    assert.ok(jit.shared.jitRetired > 100, 'the loops did not run compiled');
  });

  it('runs LR/SC and AMOs inside compiled blocks with the interpreter’s results', () => {
    const src = `
        li s1, 200
    loop:
        amoadd.w a2, s1, (a0)
        lr.d t0, (a1)
        addi t0, t0, 3
        sc.d t1, t0, (a1)
        add s2, s2, t1
        amoswap.d a3, s1, (a4)
        sd s1, 16(a1)
        addi s1, s1, -1
        bne s1, zero, loop
        wfi
    `;
    const { jit } = lockstep(
      (r) => {
        r.bus.load(RAM_BASE, src);
        r.shared.ramWritten(RAM_BASE, 0x1000);
        r.hart.setPc(BigInt(RAM_BASE));
        r.hart.setReg(10, BigInt(RAM_BASE + 0x9000));
        r.hart.setReg(11, BigInt(RAM_BASE + 0x9100));
        r.hart.setReg(14, BigInt(RAM_BASE + 0x9008));
      },
      [1, 2, 3, 5, 8, 13, 21, 10_000],
    );
    assert.equal(jit.bus.r64(RAM_BASE + 0x9100), 600n, 'every sc.d succeeded');
    assert.equal(jit.bus.r32(RAM_BASE + 0x9000), (200 * 201) / 2);
    assert.ok(jit.shared.jitRetired > 1000, 'the atomics did not run compiled');
  });

  it('chains blocks across a page boundary, honouring a breakpoint on the second page', () => {
    // A loop whose body jumps to the next page and back.
    const src = `
        li s1, 100
    loop:
        addi a0, a0, 1
        jal zero, 4088
    back:
        addi s1, s1, -1
        bne s1, zero, loop
        wfi
    `;
    const far = ['addi a1, a1, 2', 'jal zero, -4088'];
    const setup = (r: Rig): void => {
      sv39(r, src, 0);
      r.bus.load(RAM_BASE + CODE_VA + 4096, far);
      r.shared.ramWritten(RAM_BASE + CODE_VA + 4096, 16);
    };
    // 421 = 1 + 70 passes of 6: the next run starts at `loop`, so B is reached by chaining.
    const { jit, ref } = lockstep(setup, [3, 50, 368]);
    assert.ok(jit.shared.jitRetired > 200, 'the loop did not run compiled');
    const bp = CODE_VA + 4096 + 4; // the jal back, on the second page
    for (const r of [ref, jit]) r.shared.breakpoints.add(bp);
    for (const r of [ref, jit]) r.hart.run(10_000);
    assert.equal(jit.hart.stopReason, 'breakpoint');
    assert.equal(jit.hart.getPc(), BigInt(bp));
    assert.equal(state(jit), state(ref));
    for (const r of [ref, jit]) {
      r.shared.breakpoints.clear();
      r.hart.run(10_000);
    }
    assert.equal(state(jit), state(ref));
    assert.equal(jit.hart.getReg(11), 200n);
  });
});

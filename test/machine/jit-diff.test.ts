/**
 * Differential tests of the JIT tier (emulator/cpu/jit*.ts) against the interpreter: the
 * same program runs on two machines, one interpreter-only and one with the JIT, in
 * lockstep chunks of N instructions; after every chunk the stop reasons, the full
 * architectural state of every hart (pc, registers, privilege, instret, wfi, every CSR
 * through readCsr) and all of RAM must be identical. Programs: every ISA test ELF, the
 * benchmark workload, and the bundled kernel booting to the shell and running lazytests.
 *
 * "stress" runs compile a block at the first execution of an instruction (threshold 0),
 * so nearly everything runs through compiled code, including cold and trapping code.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { boot } from '../../emulator/boot';
import type { Machine } from '../../emulator/machine';
import type { CpuShared } from '../../emulator/cpu/shared';
import type { StopReason } from '../../emulator/types';

const root = join(__dirname, '..', '..');
const isaDir = join(root, 'test', 'isa', 'prebuilt');
const isaElfs = readdirSync(isaDir)
  .filter((f) => f.endsWith('.elf'))
  .sort();

function cpuShared(m: Machine): CpuShared {
  return m.shared as CpuShared;
}

/** Every CSR number the hart implements (found once; readCsr has no side effects). */
function csrList(m: Machine): number[] {
  const out: number[] = [];
  for (let c = 0; c < 4096; c++) if (m.harts[0]!.readCsr(c) !== undefined) out.push(c);
  return out;
}

function hartState(m: Machine, csrs: number[]): string {
  const parts: string[] = [];
  for (const h of m.harts) {
    parts.push(
      `hart ${h.id} pc=${h.getPc().toString(16)} priv=${h.priv} instret=${h.instret} wfi=${h.waiting}`,
    );
    for (let r = 1; r < 32; r++) parts.push(`x${r}=${h.getReg(r).toString(16)}`);
    for (const c of csrs) parts.push(`csr${c.toString(16)}=${h.readCsr(c)!.toString(16)}`);
  }
  return parts.join(' ');
}

function stopText(s: StopReason): string {
  return JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
}

/** The first differing line of two states, for a readable failure. */
function firstDiff(a: string, b: string): string {
  const x = a.split(' ');
  const y = b.split(' ');
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `interpreter ${x[i]} vs JIT ${y[i]}`;
  return 'lengths differ';
}

interface Lockstep {
  /** Instructions retired by the JIT machine inside compiled blocks. */
  jitRetired: number;
  instret: number;
  last: StopReason;
}

/**
 * Run `make()`'s machine twice in lockstep chunks of `chunk` instructions, comparing after
 * every `compareEvery`-th chunk, until a stop other than the budget or `limit` instructions.
 */
function lockstep(
  make: () => Machine,
  opts: {
    chunk: number;
    limit: number;
    compareEvery?: number;
    threshold?: number;
    /** Called before each chunk on each machine (console input). */
    input?: (m: Machine) => void;
    /** Stop (after a final comparison) once this holds for the reference machine. */
    until?: (m: Machine) => boolean;
  },
): Lockstep {
  const ref = make();
  const jit = make();
  cpuShared(ref).jit = false;
  cpuShared(jit).jit = true;
  if (opts.threshold !== undefined) cpuShared(jit).jitThreshold = opts.threshold;
  const csrs = csrList(ref);
  const every = opts.compareEvery ?? 1;
  let chunks = 0;
  let last: StopReason = { kind: 'budget' };
  while (ref.instret < opts.limit) {
    opts.input?.(ref);
    opts.input?.(jit);
    const a = ref.run(opts.chunk);
    const b = jit.run(opts.chunk);
    const where = `after ${ref.instret} instructions (chunk ${chunks}, size ${opts.chunk})`;
    assert.equal(stopText(b), stopText(a), `stop reasons differ ${where}`);
    last = a;
    const done = (a.kind !== 'budget' && a.kind !== 'breakpoint') || (opts.until?.(ref) ?? false);
    if (++chunks % every === 0 || done) {
      assert.equal(jit.instret, ref.instret, `instret differs ${where}`);
      const sa = hartState(ref, csrs);
      const sb = hartState(jit, csrs);
      if (sa !== sb) assert.fail(`state differs ${where}: ${firstDiff(sa, sb)}`);
      if (Buffer.compare(ref.ram.u8, jit.ram.u8) !== 0) {
        let i = 0;
        while (ref.ram.u8[i] === jit.ram.u8[i]) i++;
        assert.fail(`RAM differs ${where} at 0x${(0x8000_0000 + i).toString(16)}`);
      }
    }
    if (done) break;
  }
  return { jitRetired: cpuShared(jit).jitRetired, instret: ref.instret, last };
}

describe('JIT against the interpreter, in lockstep', function () {
  this.timeout(120_000);

  describe('ISA test programs', () => {
    it('finds them', () => assert.ok(isaElfs.length >= 10, `only ${isaElfs.length} in ${isaDir}`));
    for (const name of isaElfs) {
      for (const [chunk, threshold] of [
        [1, 0],
        [7, 0],
        [1000, 0],
        [1000, undefined],
      ] as const) {
        it(`${name}: chunks of ${chunk}${threshold === 0 ? ', compile on first execution' : ''}`, () => {
          const make = (): Machine => boot({ kernel: join(isaDir, name), htif: true, memoryMiB: 16 }).machine;
          const r = lockstep(make, { chunk, limit: 20_000_000, threshold });
          assert.equal(r.last.kind, 'htif', `${name} did not finish: ${stopText(r.last)}`);
          assert.deepEqual(r.last, { kind: 'htif', code: 0 }, `${name} failed under both tiers`);
          if (threshold === 0) assert.ok(r.jitRetired > 0, 'no instruction ran in compiled code');
        });
      }
    }
  });

  it('the benchmark workload (1000-instruction chunks)', () => {
    const make = (): Machine => boot({ kernel: join(root, 'bench', 'prebuilt', 'workload.elf') }).machine;
    const r = lockstep(make, { chunk: 1000, limit: 60_000_000, compareEvery: 5000 });
    assert.ok(
      r.jitRetired > r.instret / 2,
      `only ${r.jitRetired} of ${r.instret} instructions were compiled`,
    );
  });

  for (const harts of [1, 3]) {
    it(`the bundled kernel on ${harts} hart(s): boot to the shell, then lazytests (chunks of 7919)`, function () {
      this.timeout(240_000);
      const consoles = new Map<Machine, number[]>();
      const make = (): Machine => {
        const out: number[] = [];
        const m = boot({ harts, console: (b) => out.push(b) }).machine;
        consoles.set(m, out);
        return m;
      };
      const text = (m: Machine): string => Buffer.from(consoles.get(m)!).toString('latin1');
      const typed = new Set<Machine>();
      const r = lockstep(make, {
        chunk: 7919,
        limit: 1_500_000_000,
        compareEvery: 300,
        // Type at the first chunk boundary after the prompt: the same instruction on both
        // machines, since their outputs are identical so far.
        input: (m) => {
          if (!typed.has(m) && text(m).includes('$ ')) {
            typed.add(m);
            m.consoleInput(new TextEncoder().encode('lazytests\n'));
          }
        },
        until: (m) => /ALL TESTS PASSED|SOME TESTS FAILED/.test(text(m)),
      });
      const [a, b] = [...consoles.keys()].map(text);
      assert.equal(b, a, 'console output differs');
      assert.match(a!, /ALL TESTS PASSED/, `lazytests did not pass:\n${a!.slice(-2000)}`);
      assert.ok(
        r.jitRetired > r.instret / 2,
        `only ${r.jitRetired} of ${r.instret} instructions were compiled`,
      );
    });
  }
});

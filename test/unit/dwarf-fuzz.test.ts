// Robustness of the DWARF reader: random byte flips and truncations of the fixtures'
// debug sections must surface only as DwarfError from the public API (or as answers),
// never as another exception, and never hang.
import assert from 'node:assert/strict';
import type { ElfFile, ElfSection } from '../../emulator/elf';
import { formatValue } from '../../adapter/symbols/format';
import { DwarfError, Symbols } from '../../adapter/symbols/symbols';
import { typeName } from '../../adapter/symbols/types';
import { FIXTURES, loadElf } from './fixtures/dwarf/load';

/** Deterministic xorshift32 generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

/** The ELF with its debug sections replaced by mutated copies. */
function mutate(elf: ElfFile, rand: () => number): { elf: ElfFile; what: string } {
  const debug = elf.sections.filter((s) => s.name.startsWith('.debug_') || s.name === '.eh_frame');
  const target = debug[Math.floor(rand() * debug.length)]!;
  let data = new Uint8Array(target.data);
  let what: string;
  if (rand() < 0.3) {
    const len = Math.floor(rand() * data.length);
    data = data.subarray(0, len);
    what = `${target.name} truncated to ${len}`;
  } else {
    const flips = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < flips; i++) data[Math.floor(rand() * data.length)] = Math.floor(rand() * 256);
    what = `${target.name} with ${flips} random bytes`;
  }
  const sections: ElfSection[] = elf.sections.map((s) =>
    s === target ? { ...s, data, size: data.length } : s,
  );
  return { elf: { ...elf, sections, section: (n: string) => sections.find((s) => s.name === n) }, what };
}

/** Every public question, each allowed to fail only with DwarfError. */
function exercise(elf: ElfFile, pcs: number[]): number {
  let errors = 0;
  const attempt = (f: () => unknown): void => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      assert.ok(!e.message.includes('\n'), 'one line');
      errors++;
    }
  };
  let syms: Symbols | undefined;
  attempt(() => (syms = new Symbols(elf)));
  if (!syms) return errors;
  const s = syms;
  const regs = Array.from({ length: 32 }, (_, i) => 0x80001000n + BigInt(i) * 16n);
  const mem = (addr: number, len: number): Uint8Array => new Uint8Array(len).fill(addr & 0xff);
  for (const pc of pcs) {
    attempt(() => s.lineAt(pc));
    attempt(() => s.functionAt(pc, { inlined: true }));
    attempt(() => s.unwind(pc, regs, mem));
    attempt(() => {
      const scope = s.scopeAt(pc);
      for (const v of [...scope.params, ...scope.locals, ...scope.unitGlobals]) {
        attempt(() => {
          typeName(v.type);
          const r = s.readVariable(v, pc, { readReg: (n) => regs[n], readMemory: mem });
          if ('bytes' in r) formatValue(v.type, r.bytes, { readMemory: mem });
        });
      }
    });
  }
  for (const fn of ['main', 'walk', 'crunch']) attempt(() => s.functionByName(fn));
  attempt(() => s.resolveLine('util.c', 40));
  attempt(() => s.typeByName('struct node'));
  return errors;
}

describe('dwarf reader under corrupt input', () => {
  for (const name of FIXTURES) {
    it(`${name}: 150 mutations raise only DwarfError`, function () {
      this.timeout(60_000);
      const elf = loadElf(name);
      const text = elf.section('.text')!;
      const pcs = [0, 8, 0x40, 0x100, 0x180, 0x210].map((o) => text.addr + o);
      const rand = rng(0x5eed + name.length);
      let errors = 0;
      for (let i = 0; i < 150; i++) {
        const m = mutate(elf, rand);
        const started = Date.now();
        try {
          errors += exercise(m.elf, pcs);
        } catch (e) {
          assert.fail(`mutation ${i} (${m.what}): ${e instanceof Error ? e.stack : String(e)}`);
        }
        assert.ok(Date.now() - started < 5000, `mutation ${i} (${m.what}) took too long`);
      }
      assert.ok(errors > 0, 'some mutations are detected as errors');
    });
  }

  it('reports a truncated .debug_info as one DwarfError and keeps other units', () => {
    const elf = loadElf('o1-dwarf5.elf');
    const info = elf.section('.debug_info')!;
    // Cut the last unit in half: earlier units must still answer.
    const cut = info.data.subarray(0, info.data.length - 40);
    const sections = elf.sections.map((s) => (s === info ? { ...s, data: cut } : s));
    const syms = new Symbols({
      ...elf,
      sections,
      section: (n: string) => sections.find((s) => s.name === n),
    });
    assert.equal(syms.loadErrors.length, 1);
    assert.ok(syms.loadErrors[0] instanceof DwarfError);
    assert.match(syms.loadErrors[0].message, /truncated/);
    assert.equal(syms.functionByName('fact')?.name, 'fact');
    assert.equal(syms.lineAt(syms.functionByName('fact')!.low)?.file, 'src/main.c');
  });
});

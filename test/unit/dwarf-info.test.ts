// The DIE tree of the DWARF reader: every DIE readelf decodes is found at the same
// offset, depth and tag; the forms each producer uses are all understood; units are
// parsed lazily, only when a question needs them.
import assert from 'node:assert/strict';
import { TAG } from '../../adapter/symbols/constants';
import type { Die } from '../../adapter/symbols/info';
import { Symbols } from '../../adapter/symbols/symbols';
import { expected, FIXTURES, loadElf, loadSymbols } from './fixtures/dwarf/load';

const TAG_BY_NAME = new Map(Object.entries(TAG).map(([k, v]) => [`DW_TAG_${k}`, v]));

const depthOf = (d: Die): number => {
  let n = 0;
  for (let p = d.parent; p; p = p.parent) n++;
  return n;
};

for (const name of FIXTURES) {
  describe(`dwarf DIE tree: ${name}`, () => {
    it('has every DIE readelf shows, at the same offset, depth and tag', () => {
      const syms = loadSymbols(name);
      const exp = expected(name).dies;
      assert.ok(exp.length > 100);
      let mine = 0;
      for (const unit of syms.units) {
        const visit = (d: Die): void => {
          mine++;
          d.children.forEach(visit);
        };
        visit(syms.info.parseUnit(unit));
      }
      assert.equal(mine, exp.length);
      for (const [offset, depth, tag] of exp) {
        const die = syms.info.dieAt(offset);
        assert.ok(die, `DIE at 0x${offset.toString(16)}`);
        assert.equal(depthOf(die), depth);
        const want = TAG_BY_NAME.get(tag);
        if (want !== undefined) assert.equal(die.tag, want, `${tag} at 0x${offset.toString(16)}`);
      }
    });

    it('parses units only when asked', () => {
      const syms = loadSymbols(name);
      assert.ok(syms.units.length >= 2);
      assert.ok(
        syms.units.every((u) => !u.parsed),
        'nothing parsed at load',
      );
      const fact = syms.functionByName('fact');
      assert.ok(fact);
      const parsed = syms.units.filter((u) => u.parsed);
      assert.equal(parsed.length, 1, 'one unit parsed for one function');
      assert.equal(syms.info.string(parsed[0]!.root!, 0x03), 'src/main.c');
    });
  });
}

describe('dwarf forms by producer', () => {
  const forms = (name: string): Set<number> => {
    const syms = loadSymbols(name);
    const seen = new Set<number>();
    const visit = (d: Die): void => {
      for (const a of d.attrs) seen.add(a.form);
      d.children.forEach(visit);
    };
    for (const u of syms.units) visit(syms.info.parseUnit(u));
    return seen;
  };

  it('reads the versions the fixtures were built with', () => {
    const versions = (name: string): number[] =>
      [...new Set(loadSymbols(name).units.map((u) => u.version))].sort();
    assert.deepEqual(versions('o0-dwarf4.elf'), [4]);
    assert.deepEqual(versions('o1-dwarf5.elf'), [5]);
    assert.deepEqual(versions('o2-dwarf2.elf'), [2]);
    assert.deepEqual(versions('clang-o1-dwarf5.elf'), [5]);
  });

  it('covers clang DWARF 5 indexed forms: strx1, addrx, rnglistx, loclistx, implicit_const', () => {
    const f = forms('clang-o1-dwarf5.elf');
    for (const form of [0x25, 0x1b, 0x23, 0x22, 0x21]) assert.ok(f.has(form), `form 0x${form.toString(16)}`);
  });

  it('covers GCC DWARF 5 forms: line_strp, implicit_const, sec_offset, exprloc, flag_present', () => {
    const f = forms('o1-dwarf5.elf');
    for (const form of [0x1f, 0x21, 0x17, 0x18, 0x19]) assert.ok(f.has(form), `form 0x${form.toString(16)}`);
  });

  it('covers DWARF 2 forms: block1 locations, data4 location lists, strp', () => {
    const f = forms('o2-dwarf2.elf');
    for (const form of [0x0a, 0x06, 0x0e]) assert.ok(f.has(form), `form 0x${form.toString(16)}`);
  });
});

describe('dwarf reader without debug information', () => {
  it('answers from the ELF symbol table and the frame-pointer chain', () => {
    const elf = loadElf('o0-dwarf4.elf');
    const sections = elf.sections.filter((s) => !s.name.startsWith('.debug_'));
    const stripped = new Symbols({
      ...elf,
      sections,
      section: (n: string) => sections.find((s) => s.name === n),
    });
    assert.deepEqual(stripped.loadErrors, []);
    const fact = elf.symbol('fact')!;
    assert.equal(stripped.lineAt(fact.value), undefined);
    assert.deepEqual(stripped.functionAt(fact.value + 4), {
      name: 'fact',
      low: fact.value,
      high: fact.value + fact.size,
      inlined: false,
    });
    assert.equal(stripped.functionByName('fact')?.entry, fact.value);
    assert.equal(stripped.resolveLine('main.c', 20), undefined);
    assert.deepEqual(stripped.scopeAt(fact.value).params, []);
    const regs = Array.from({ length: 32 }, () => 0n);
    regs[8] = 0x1010n;
    const mem = (addr: number, len: number): Uint8Array => {
      const b = new Uint8Array(len);
      if (addr === 0x1008) b[0] = 0x44; // return address 0x44 at fp-8
      return b;
    };
    const caller = stripped.unwind(fact.value, regs, mem);
    assert.equal(caller?.method, 'frame-pointer');
    assert.equal(caller?.pc, 0x44);
  });
});

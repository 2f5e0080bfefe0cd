// Variables, types and values of the DWARF reader, checked against gdb on the committed
// fixtures: `whatis` for type names, `print` for the initial values of globals (read
// from the ELF image, as gdb does without a target), `info scope` for where each
// parameter and local lives (registers and constants by pc range at -O, frame-base
// offsets at -O0, static storage).
import assert from 'node:assert/strict';
import { loadableSegments } from '../../emulator/elf';
import { formatValue, children } from '../../adapter/symbols/format';
import type { FrameAccess, Variable } from '../../adapter/symbols/scope';
import { strip, typeName, type Type } from '../../adapter/symbols/types';
import { expected, fixtureBytes, FIXTURES, loadElf, REG_NAMES } from './fixtures/dwarf/load';
import { Symbols } from '../../adapter/symbols/symbols';

/** Memory as the ELF image initializes it (.bss reads as zeros). */
function imageMemory(name: string): (addr: number, len: number) => Uint8Array | undefined {
  const elf = loadElf(name);
  const segs = loadableSegments(elf, fixtureBytes(name));
  return (addr, len) => {
    for (const s of segs) {
      if (addr >= s.paddr && addr + len <= s.paddr + s.memsz) {
        const out = new Uint8Array(len);
        const from = addr - s.paddr;
        out.set(s.data.subarray(from, Math.min(from + len, s.data.length)));
        return out;
      }
    }
    return undefined;
  };
}

const regNumber = (name: string): number => (name === 'fp' ? 8 : REG_NAMES.indexOf(name));

for (const name of FIXTURES) {
  describe(`dwarf variables and types: ${name}`, () => {
    const elf = loadElf(name);
    const syms = new Symbols(elf);
    const exp = expected(name);
    const mem = imageMemory(name);
    const main = syms.functionByName('main')!;
    const scope = syms.scopeAt(main.entry);
    const global = (n: string): Variable => {
      const v =
        syms.scopeAt(main.entry).unitGlobals.find((g) => g.name === n) ??
        scope.globals().find((g) => g.name === n);
      assert.ok(v, `global ${n}`);
      return v;
    };
    const symbolize = (addr: number): string | undefined => {
      const s = elf.symbolAt(addr);
      return s ? (addr === s.value ? s.name : `${s.name}+${addr - s.value}`) : undefined;
    };
    const noRegs: FrameAccess = { readReg: () => undefined, readMemory: mem };
    const member = (t: Type, m: string): Type => {
      const s = strip(t);
      assert.ok(s.kind === 'struct' || s.kind === 'union');
      return s.members.find((x) => x.name === m)!.type;
    };
    const element = (t: Type): Type => {
      const s = strip(t);
      assert.ok(s.kind === 'array');
      return s.dims.length > 1
        ? { kind: 'array', element: s.element, dims: s.dims.slice(1), size: 0 }
        : s.element;
    };

    it('names types as gdb whatis does', () => {
      const fact = syms.functionByName('fact')!;
      const typeOfExpr: Record<string, () => Type> = {
        nodes: () => global('nodes').type,
        grid: () => global('grid').type,
        greeting: () => global('greeting').type,
        counter: () => global('counter').type,
        enabled: () => global('enabled').type,
        sink: () => global('sink').type,
        ratio: () => global('ratio').type,
        half: () => global('half').type,
        banner: () => global('banner').type,
        raw: () => global('raw').type,
        chosen: () => global('chosen').type,
        shade: () => global('shade').type,
        second: () => global('second').type,
        optable: () => global('optable').type,
        'optable[0].fn': () => member(element(global('optable').type), 'fn'),
        '&grid': () => ({ kind: 'pointer', size: 8, target: global('grid').type }),
        'nodes[0].f': () => member(element(global('nodes').type), 'f'),
        'nodes[0].w': () => member(element(global('nodes').type), 'w'),
        'nodes[0].next': () => member(element(global('nodes').type), 'next'),
        fact: () => syms.types.build(syms.subprogramAt(fact.low)!),
        '*optable[0].fn': () => {
          const p = strip(member(element(global('optable').type), 'fn'));
          assert.ok(p.kind === 'pointer');
          return p.target;
        },
      };
      let checked = 0;
      for (const [expr, want] of Object.entries(exp.whatis)) {
        const f = typeOfExpr[expr];
        assert.ok(f, expr);
        assert.equal(typeName(f()), want, expr);
        checked++;
      }
      assert.ok(checked >= 12);
    });

    it('prints initialized globals as gdb print does', () => {
      const value = (v: Variable): { type: Type; bytes: Uint8Array | undefined } => {
        const r = syms.readVariable(v, main.entry, noRegs);
        return { type: v.type, bytes: 'bytes' in r ? r.bytes : undefined };
      };
      const fmt = (type: Type, bytes: Uint8Array | undefined, topLevel: boolean): string =>
        bytes ? formatValue(type, bytes, { readMemory: mem, symbolize, topLevel }) : '<optimized out>';
      for (const [expr, want] of Object.entries(exp.print)) {
        const [base, index] = expr.split(/[[\]]/) as [string, string | undefined];
        const { type, bytes } = value(global(base));
        if (index === undefined) {
          assert.equal(fmt(type, bytes, true), want, expr);
        } else {
          const child = children(type, bytes!)[Number(index)]!;
          assert.equal(fmt(child.type, child.bytes, false), want, expr);
        }
      }
    });

    it('types expose struct members, bit fields, enums and typedefs', () => {
      const node = syms.typeByName('struct node');
      assert.ok(node && node.kind === 'struct');
      assert.deepEqual(
        node.members.map((m) => m.name),
        ['key', 'tag', 'next', 'color', 'f', 'w'],
      );
      assert.equal(typeName(node.members[2]!.type), 'struct node *');
      const flags = syms.typeByName('struct flags');
      assert.ok(flags && flags.kind === 'struct');
      assert.deepEqual(
        flags.members.map((m) => [m.name, m.offset * 8 + (m.bitOffset ?? 0), m.bitSize]),
        [
          ['ready', 0, 1],
          ['mode', 1, 3],
          ['level', 4, 4],
          ['rest', 8, 24],
        ],
      );
      // ready=1 mode=5 level=-3 rest=0x123456, packed LSB first.
      const word = 1 | (5 << 1) | ((-3 & 0xf) << 4) | (0x123456 << 8);
      const bytes = new Uint8Array(new Uint32Array([word >>> 0]).buffer);
      assert.equal(formatValue(flags, bytes), '{ready = 1, mode = 5, level = -3, rest = 1193046}');
      const color = syms.typeByName('enum color');
      assert.ok(color && color.kind === 'enum');
      assert.deepEqual(color.enumerators, [
        { name: 'RED', value: 0 },
        { name: 'GREEN', value: 5 },
        { name: 'BLUE', value: 6 },
      ]);
      assert.equal(formatValue(color, new Uint8Array([6, 0, 0, 0])), 'BLUE');
      assert.equal(formatValue(color, new Uint8Array([9, 0, 0, 0])), '9');
      assert.equal(typeName(syms.typeByName('binop_t')!), 'binop_t');
      assert.equal(typeName(strip(syms.typeByName('binop_t')!)), 'int (*)(int, int)');
      assert.equal(syms.typeByName('struct nosuch'), undefined);
      assert.equal(typeName(syms.typeByName('struct node **')!), 'struct node **');
      assert.equal(typeName(syms.typeByName('unsigned int')!), 'unsigned int');
      assert.equal(typeName(syms.typeByName('void *')!), 'void *');
      assert.equal(typeName(syms.typeByName('uint64')!), 'uint64');
      assert.equal(formatValue(node, new Uint8Array(node.size), { depth: 0 }), '{...}');
      // gdb's runs: an element repeated 10 times or more prints once with a count.
      const char = syms.typeByName('char')!;
      const buf = new Uint8Array(64);
      buf.set([104, 105, 10]);
      assert.equal(
        formatValue({ kind: 'array', element: char, dims: [64], size: 64 }, buf),
        `"hi\\n", '\\000' <repeats 60 times>`,
      );
      const int = syms.typeByName('int')!;
      const ints = new Uint8Array(4 * 12);
      ints[44] = 7;
      assert.equal(
        formatValue({ kind: 'array', element: int, dims: [12], size: 48 }, ints),
        '{0 <repeats 11 times>, 7}',
      );
    });

    it('reads a value through the scope, bound to its pc', () => {
      const sc = syms.scopeAt(main.entry);
      const grid = sc.unitGlobals.find((g) => g.name === 'grid')!;
      const r = sc.read(grid, noRegs);
      assert.ok('bytes' in r);
      assert.equal(formatValue(grid.type, r.bytes), '{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}}');
      assert.equal(sc.locate(grid, noRegs).kind, 'memory');
    });

    it('lists parameters and locals in scope, lexical blocks respected', () => {
      const walk = syms.functionByName('walk')!;
      const s = syms.scopeAt(walk.entry);
      assert.deepEqual(
        s.params.map((p) => p.name),
        ['head'],
      );
      assert.ok(['sum', 'p'].every((n) => s.locals.some((l) => l.name === n)));
      assert.ok(!s.locals.some((l) => l.name === 'bonus'), 'bonus is in an inner block');
      // Somewhere inside the inner block (a line of `bonus = ...`) it becomes visible.
      const line = syms.resolveLine('util.c', 55)!;
      const inner = line.addresses
        .map((a) => syms.scopeAt(a))
        .find((sc) => sc.locals.some((l) => l.name === 'bonus'));
      if (name !== 'o2-dwarf2.elf') assert.ok(inner, 'bonus visible on its line');
      const m = syms.scopeAt(main.entry);
      assert.ok(m.locals.some((l) => l.name === 'calls_to_main' && l.kind === 'static'));
      assert.ok(m.unitGlobals.some((g) => g.name === 'counter' && g.kind === 'static'));
      assert.ok(m.unitGlobals.some((g) => g.name === 'grid' && g.kind === 'global'));
      assert.ok(m.globals().some((g) => g.name === 'nodes'));
      assert.ok(!m.globals().some((g) => g.name === 'scale'), 'a static of another unit is not global');
    });

    it('locates variables where gdb info scope says, by pc range', () => {
      let checked = 0;
      for (const [fn, symsInScope] of Object.entries(exp.scopes)) {
        const f = syms.functionByName(fn);
        if (!f) continue;
        for (const sym of symsInScope) {
          const probes: { pc: number; check: (v: Variable, pc: number) => void }[] = [];
          for (const r of sym.ranges) {
            probes.push({
              pc: r.low,
              check: (v, pc) => {
                const regs: bigint[] = Array.from({ length: 32 }, (_, i) => 0x1000n * BigInt(i));
                const loc = syms.locate(v, pc, { readReg: (n) => regs[n], readMemory: mem });
                if (r.reg)
                  assert.deepEqual(
                    loc,
                    { kind: 'register', reg: regNumber(r.reg) },
                    `${fn}.${sym.name} @0x${pc.toString(16)}`,
                  );
                else if (r.constant !== undefined)
                  assert.deepEqual(loc, { kind: 'value', value: BigInt.asUintN(64, BigInt(r.constant)) });
                else if (r.entryValue)
                  assert.equal(
                    loc.kind,
                    'optimized',
                    `${fn}.${sym.name} @0x${pc.toString(16)} (entry value)`,
                  );
                else
                  assert.ok(
                    loc.kind === 'value' ||
                      loc.kind === 'memory' ||
                      (loc.kind === 'optimized' && loc.reason === 'implicit pointer'),
                    `${fn}.${sym.name}: ${JSON.stringify(loc, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))}`,
                  );
              },
            });
          }
          if (
            sym.ranges.length === 0 &&
            (sym.reg !== undefined || sym.address !== undefined || sym.fbreg !== undefined)
          ) {
            probes.push({
              pc: f.entry,
              check: (v, pc) => {
                const sp = 0x80010000n;
                const regs: bigint[] = Array.from({ length: 32 }, () => 0n);
                regs[2] = sp;
                regs[8] = sp + 0x40n;
                const loc = syms.locate(v, pc, { readReg: (n) => regs[n], readMemory: mem });
                if (sym.reg) assert.deepEqual(loc, { kind: 'register', reg: regNumber(sym.reg) });
                else if (sym.address !== undefined)
                  assert.deepEqual(loc, { kind: 'memory', address: BigInt(sym.address) });
                else if (sym.fbreg !== undefined) {
                  const cfa = syms.cfa(pc, regs, mem);
                  assert.ok(cfa !== undefined);
                  assert.deepEqual(loc, { kind: 'memory', address: cfa + BigInt(sym.fbreg) });
                }
              },
            });
          }
          let found = 0;
          for (const probe of probes) {
            // The variable may belong to an inlined instance or to the function around it.
            const depths = syms.inlineChainAt(probe.pc).length;
            let v: Variable | undefined;
            for (let d = 0; d < Math.max(depths, 1) && !v; d++) {
              const sc = syms.scopeAt(probe.pc, d);
              v = [...sc.locals, ...sc.params].find((x) => x.name === sym.name);
            }
            // A location list may extend past the lexical block (gdb lists it anyway):
            // such a pc is simply out of the variable's scope.
            if (!v) continue;
            probe.check(v, probe.pc);
            checked++;
            found++;
          }
          assert.ok(found > 0 || probes.length === 0, `${fn}: ${sym.name} never in scope`);
        }
      }
      assert.ok(checked >= 10, `checked ${checked}`);
    });
  });
}

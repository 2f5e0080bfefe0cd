// The DWARF expression evaluator (DWARF 5 section 2.5, 2.6) on hand-assembled
// expressions, and inlined-function lookup on the optimized fixtures.
import assert from 'node:assert/strict';
import { evaluate, OP, type EvalContext } from '../../adapter/symbols/expr';
import { DwarfError } from '../../adapter/symbols/reader';
import { loadSymbols } from './fixtures/dwarf/load';

const regs = (n: number): bigint | undefined => (n < 32 ? 0x1000n * BigInt(n) : undefined);
const memory = (addr: number, len: number): Uint8Array | undefined =>
  addr >= 0x8000 && addr < 0x9000 ? Uint8Array.from({ length: len }, (_, i) => (addr + i) & 0xff) : undefined;
const ctx: EvalContext = { readReg: regs, readMemory: memory, frameBase: 0x8100n, cfa: 0x8200n };
const run = (...bytes: number[]): ReturnType<typeof evaluate> => evaluate(Uint8Array.from(bytes), ctx);
const value = (...bytes: number[]): bigint => {
  const loc = run(...bytes, OP.stack_value);
  assert.equal(loc.kind, 'value');
  return loc.value;
};

describe('dwarf expressions', () => {
  it('computes with literals, constants and arithmetic', () => {
    assert.equal(value(OP.lit0 + 5, OP.lit0 + 3, OP.minus), 2n);
    assert.equal(value(OP.const1s, 0xff), 0xffff_ffff_ffff_ffffn);
    assert.equal(value(OP.const2u, 0x34, 0x12, OP.const1u, 0x0f, OP.and), 4n);
    assert.equal(value(OP.constu, 0x80, 0x01, OP.lit0 + 2, OP.mul), 256n);
    assert.equal(value(OP.consts, 0x7f, OP.lit0 + 4, OP.plus), 3n);
    assert.equal(value(OP.lit0 + 1, OP.lit0 + 4, OP.shl, OP.lit0 + 3, OP.or, OP.lit0 + 1, OP.xor), 18n);
    assert.equal(value(OP.const1s, 0xf0, OP.lit0 + 2, OP.shra), 0xffff_ffff_ffff_fffcn);
    assert.equal(value(OP.const1s, 0xf0, OP.const1u, 60, OP.shr), 15n);
    assert.equal(value(OP.lit0 + 7, OP.neg, OP.abs), 7n);
    assert.equal(value(OP.lit0 + 0, OP.not), 0xffff_ffff_ffff_ffffn);
    assert.equal(value(OP.lit0 + 20, OP.lit0 + 6, OP.div), 3n);
    assert.equal(value(OP.lit0 + 20, OP.lit0 + 6, OP.mod), 2n);
    assert.equal(value(OP.lit0 + 9, OP.plus_uconst, 0x81, 0x01), 138n);
    assert.equal(value(OP.lit0 + 1, OP.lit0 + 2, OP.swap, OP.drop), 2n);
    assert.equal(value(OP.lit0 + 1, OP.lit0 + 2, OP.over, OP.plus, OP.plus), 4n);
    assert.equal(value(OP.lit0 + 3, OP.lit0 + 4, OP.lt), 1n);
  });

  it('branches and skips', () => {
    // if (1) push 10 else push 20
    assert.equal(value(OP.lit0 + 1, OP.bra, 4, 0, OP.lit0 + 20, OP.skip, 1, 0, OP.lit0 + 10), 10n);
    assert.equal(value(OP.lit0 + 0, OP.bra, 4, 0, OP.lit0 + 20, OP.skip, 1, 0, OP.lit0 + 10), 20n);
  });

  it('yields memory locations from registers, the frame base and the CFA', () => {
    assert.deepEqual(run(OP.breg0 + 2, 0x10), { kind: 'memory', address: 0x2010n });
    assert.deepEqual(run(OP.bregx, 40, 0x7c), { kind: 'optimized', reason: 'register 40 is not available' });
    assert.deepEqual(run(OP.bregx, 8, 0x7c), { kind: 'memory', address: 0x7ffcn });
    assert.deepEqual(run(OP.fbreg, 0x6c), { kind: 'memory', address: 0x80ecn });
    assert.deepEqual(run(OP.call_frame_cfa), { kind: 'memory', address: 0x8200n });
    assert.deepEqual(run(OP.addr, 0x10, 0, 0, 0x80, 0, 0, 0, 0), { kind: 'memory', address: 0x80000010n });
    // deref reads 8 little-endian bytes at 0x8008: 08 09 0a ... 0f
    assert.deepEqual(run(OP.const2u, 0x08, 0x80, OP.deref), { kind: 'memory', address: 0x0f0e0d0c0b0a0908n });
    assert.deepEqual(run(OP.const2u, 0x08, 0x80, OP.deref_size, 2, OP.stack_value), {
      kind: 'value',
      value: 0x0908n,
    });
    assert.equal(run(OP.lit0, OP.deref).kind, 'optimized');
  });

  it('yields registers, implicit values and pieces', () => {
    assert.deepEqual(run(OP.reg0 + 10), { kind: 'register', reg: 10 });
    assert.deepEqual(run(OP.regx, 42), { kind: 'register', reg: 42 });
    assert.deepEqual(run(OP.implicit_value, 2, 0xaa, 0xbb), {
      kind: 'implicit',
      bytes: Uint8Array.from([0xaa, 0xbb]),
    });
    assert.deepEqual(run(OP.reg0 + 10, OP.piece, 4, OP.breg0 + 2, 0, OP.piece, 4), {
      kind: 'pieces',
      pieces: [
        { location: { kind: 'register', reg: 10 }, size: 4 },
        { location: { kind: 'memory', address: 0x2000n }, size: 4 },
      ],
    });
  });

  it('reports what it cannot know as optimized out, malformed input as DwarfError', () => {
    assert.equal(run(OP.entry_value, 1, OP.reg0 + 10, OP.stack_value).kind, 'optimized');
    assert.equal(run(OP.GNU_entry_value, 1, OP.reg0 + 10, OP.stack_value).kind, 'optimized');
    assert.equal(
      evaluate(Uint8Array.from([OP.fbreg, 0]), { readReg: regs, readMemory: memory }).kind,
      'optimized',
    );
    assert.throws(() => run(OP.plus), DwarfError);
    assert.throws(() => run(0x01), DwarfError);
    assert.throws(() => run(OP.const4u, 1, 2), DwarfError);
    assert.throws(() => run(OP.skip, 0xfd, 0xff), /too many steps/);
    assert.throws(() => run(OP.lit0 + 1, OP.lit0, OP.div), /division by zero/);
  });
});

describe('dwarf inlined functions', () => {
  it('finds an inlined static function and its call site (DWARF 5, -O)', () => {
    const syms = loadSymbols('o1-dwarf5.elf');
    const pc = 0x800001d6;
    assert.equal(syms.functionAt(pc)?.name, 'init_nodes');
    const inner = syms.functionAt(pc, { inlined: true });
    assert.ok(inner);
    assert.equal(inner.name, 'square');
    assert.equal(inner.inlined, true);
    assert.equal(inner.callFile, 'src/util.c');
    assert.equal(inner.callLine, 38);
    assert.deepEqual([inner.low, inner.high], [0x800001d6, 0x800001dc]);
    assert.deepEqual(
      syms.inlineChainAt(pc).map((f) => f.name),
      ['init_nodes', 'square'],
    );
    assert.deepEqual(
      syms.scopeAt(pc).params.map((p) => p.name),
      ['x'],
    );
    assert.equal(syms.scopeAt(pc, 1).function?.offset, syms.subprogramAt(pc)?.offset);
  });

  it('finds a function inlined over several ranges (DWARF 2 .debug_ranges, -O2)', () => {
    const syms = loadSymbols('o2-dwarf2.elf');
    const pc = 0x8000001e;
    const chain = syms.inlineChainAt(pc);
    assert.deepEqual(
      chain.map((f) => [f.name, f.inlined]),
      [
        ['main', false],
        ['apply', true],
      ],
    );
    assert.equal(chain[1]!.callLine, 34);
    assert.deepEqual(
      syms
        .scopeAt(pc)
        .params.map((p) => p.name)
        .sort(),
      ['a', 'b', 'op'],
    );
    assert.ok(syms.scopeAt(pc, 1).locals.some((l) => l.name === 'total'));
  });
});

/**
 * The C expression evaluator on hand-made DWARF types and a small memory: precedence,
 * integer conversions, pointer arithmetic and subscripts, member access through `.` and
 * `->`, casts, `&`, `sizeof`, registers, and one-line errors.
 */
import assert from 'node:assert/strict';
import { evaluateC, scalarOf, ExprError, type ExprContext } from '../../adapter/cexpr';
import { makeValue, INT, LONG } from '../../adapter/cvalues';
import { ATE } from '../../adapter/symbols/constants';
import type { Type } from '../../adapter/symbols';

const UINT64: Type = {
  kind: 'typedef',
  name: 'uint64',
  target: { kind: 'base', name: 'long unsigned int', size: 8, encoding: ATE.unsigned },
};
const NODE: Type = {
  kind: 'struct',
  name: 'node',
  size: 16,
  declaration: false,
  members: [
    { name: 'val', type: INT, offset: 0 },
    { name: 'next', type: { kind: 'pointer', size: 8, target: { kind: 'void' } }, offset: 8 },
  ],
};
const NODE_PTR: Type = { kind: 'pointer', size: 8, target: NODE };
const BASE = 0x1000;

/** Memory: two nodes at 0x1000 and 0x1010 (val 7, 9), an int array at 0x1020 = {10, 20, 30}. */
function memory(): Uint8Array {
  const m = new Uint8Array(0x100);
  const dv = new DataView(m.buffer);
  dv.setInt32(0x00, 7, true);
  dv.setBigUint64(0x08, BigInt(BASE + 0x10), true);
  dv.setInt32(0x10, 9, true);
  [10, 20, 30].forEach((v, i) => dv.setInt32(0x20 + i * 4, v, true));
  return m;
}

function ctx(): ExprContext {
  const mem = memory();
  const vars: Record<string, () => ReturnType<ExprContext['lookup']>> = {
    n: () => ({ ...makeValue(NODE_PTR, BigInt(BASE)), address: 0x2000 }),
    arr: () => ({
      type: { kind: 'array', element: INT, dims: [3], size: 12 },
      bytes: mem.subarray(0x20, 0x2c),
      address: BASE + 0x20,
    }),
    big: () => makeValue(UINT64, 0xffff_ffff_ffff_fff0n),
    neg: () => makeValue(LONG, -5n),
  };
  return {
    lookup: (name) => vars[name]?.(),
    register: (name) => (name === 'a0' ? 42n : undefined),
    read: (addr, len) =>
      addr >= BASE && addr + len <= BASE + mem.length ? mem.slice(addr - BASE, addr - BASE + len) : undefined,
    typeByName: (name) => (name === 'struct node' ? NODE : name === 'uint64' ? UINT64 : undefined),
  };
}

const ev = (src: string): bigint => scalarOf(evaluateC(src, ctx()));

describe('C expressions', () => {
  it('follows C precedence and integer conversions', () => {
    assert.equal(ev('1 + 2 * 3 << 1'), 14n);
    assert.equal(ev('(1 + 2) * 3 == 9 && !0'), 1n);
    assert.equal(ev('neg / 2'), -2n);
    assert.equal(ev('big + 0x20'), 0x10n); // unsigned 64-bit wrap-around
    assert.equal(ev('neg < 0 ? 1 : 2'), 1n);
    assert.equal(ev("'a' + 1"), 98n);
    assert.equal(ev('$a0 % 5'), 2n);
  });

  it('follows pointers, members, subscripts and casts', () => {
    assert.equal(ev('n->val'), 7n);
    assert.equal(ev('(*n).val + ((struct node *)n->next)->val'), 16n);
    assert.equal(ev('arr[2] - arr[0]'), 20n);
    assert.equal(ev('*(arr + 1)'), 20n);
    assert.equal(ev('&arr[2] - &arr[0]'), 2n);
    assert.equal(ev('(uint64)&n->next'), BigInt(BASE + 8));
    assert.equal(ev('sizeof(struct node) + sizeof arr'), 28n);
    assert.equal(ev('(n + 1)->val'), 9n);
  });

  it('reports problems in one line', () => {
    const err = (src: string, re: RegExp): void =>
      assert.throws(
        () => evaluateC(src, ctx()),
        (e: Error) => e instanceof ExprError && re.test(e.message) && !e.message.includes('\n'),
      );
    err('foo + 1', /^no symbol "foo" in current context$/);
    err('n->nosuch', /there is no member named nosuch/);
    err('((struct node *)0x10)->val', /cannot access memory at address 0x10/);
    err('1 +', /incomplete/);
    err('1 / 0', /division by zero/);
    err('$nosuch', /no register or CSR named \$nosuch/);
    err('n.val', /not a structure/);
  });
});

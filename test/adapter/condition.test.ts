/**
 * The condition language of breakpoints and exception filters: C precedence, unsigned
 * 64-bit arithmetic, privilege constants, and clear errors for names and syntax.
 */
import assert from 'node:assert/strict';
import { ConditionError, PRIV_CONSTANTS, TRAP_NAMES, parseCondition } from '../../adapter/condition';

const env = {
  scause: 15n,
  stval: 0x8000_1000n,
  sepc: 0x1234n,
  pc: 0x8000_2000n,
  priv: 0n,
  hart: 1n,
  cause: 15n,
  interrupt: 0n,
};
const test = (src: string): boolean => parseCondition(src, TRAP_NAMES, PRIV_CONSTANTS).test(env);
const value = (src: string): bigint => parseCondition(src, TRAP_NAMES, PRIV_CONSTANTS).value(env);

describe('condition expressions', () => {
  it('compares trap values with hex and decimal numbers', () => {
    assert.equal(test('stval >= 0x80000000'), true);
    assert.equal(test('stval < 0x80000000'), false);
    assert.equal(test('scause == 15'), true);
    assert.equal(test('scause != 15'), false);
    assert.equal(test('hart == 1 && priv == U'), true);
    assert.equal(test('priv == S || sepc == 0x1234'), true);
    assert.equal(test('priv == S || sepc == 0x1235'), false);
  });

  it('follows C precedence', () => {
    assert.equal(value('1 + 2 * 3'), 7n);
    assert.equal(value('(1 + 2) * 3'), 9n);
    assert.equal(value('1 << 4 + 1'), 32n);
    assert.equal(value('0xff & 0x0f | 0x30'), 0x3fn);
    assert.equal(value('1 == 1 & 0'), 0n);
    assert.equal(value('10 - 3 - 2'), 5n);
    assert.equal(value('stval >> 12'), 0x80001n);
    assert.equal(value('0x1_0000'), 0x10000n);
  });

  it('does unsigned 64-bit arithmetic', () => {
    assert.equal(value('0 - 1'), 0xffff_ffff_ffff_ffffn);
    assert.equal(value('-1 > 0'), 1n);
    assert.equal(value('~0'), 0xffff_ffff_ffff_ffffn);
    assert.equal(value('!5'), 0n);
    assert.equal(value('1 << 64'), 0n);
    assert.equal(value('0xffffffffffffffff + 2'), 1n);
  });

  it('treats division by zero as false, not a crash', () => {
    assert.equal(test('stval / 0 == 0'), false);
    assert.throws(() => value('1 % 0'), ConditionError);
  });

  it('rejects unknown names when parsed, listing the names it knows', () => {
    assert.throws(
      () => parseCondition('stvall > 1', TRAP_NAMES, PRIV_CONSTANTS),
      /unknown name 'stvall' in condition: use scause, stval/,
    );
  });

  it('rejects bad syntax with a message', () => {
    assert.throws(() => parseCondition('stval >', TRAP_NAMES), /ends too early/);
    assert.throws(() => parseCondition('(stval', TRAP_NAMES), /expected '\)' at the end/);
    assert.throws(() => parseCondition('stval 5', TRAP_NAMES), /unexpected '5'/);
    assert.throws(
      () => parseCondition('stval = 5', TRAP_NAMES),
      /a single '=' in condition "stval = 5": use '==' to compare/,
    );
    assert.throws(() => parseCondition('stval.x', TRAP_NAMES), /unexpected character '.'/);
    assert.throws(() => parseCondition('  ', TRAP_NAMES), /empty/);
    assert.throws(() => parseCondition('0x1ffffffffffffffff', TRAP_NAMES), /does not fit in 64 bits/);
  });

  it('cannot reach JavaScript: constructor and friends are just unknown names', () => {
    assert.throws(() => parseCondition('constructor', TRAP_NAMES), /unknown name 'constructor'/);
    assert.throws(() => parseCondition('__proto__ == 0', TRAP_NAMES), /unknown name '__proto__'/);
  });
});

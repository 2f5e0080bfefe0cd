/**
 * The escape keys of xv6emu's interactive console (emulator/console-keys.ts): what goes to
 * the guest and what the CLI acts on, with Ctrl-A split across reads, and the help text
 * listing exactly the keys the handler knows.
 */
import assert from 'node:assert/strict';
import { CTRL_A, ESCAPE_HELP, EscapeKeys } from '../../emulator/console-keys';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('xv6emu escape keys', () => {
  it('passes ordinary keys through untouched', () => {
    const r = new EscapeKeys().feed(bytes('ls -l\r\x7f\x03'));
    assert.deepEqual(r.input, [...bytes('ls -l\r\x7f\x03')]);
    assert.deepEqual(r.commands, []);
  });

  it('turns Ctrl-A x into quit and Ctrl-A h into help, in typing order', () => {
    const r = new EscapeKeys().feed(bytes('a\x01hb\x01x'));
    assert.deepEqual(r.input, [...bytes('ab')]);
    assert.deepEqual(r.commands, ['help', 'quit']);
  });

  it('sends one Ctrl-A for Ctrl-A Ctrl-A', () => {
    const r = new EscapeKeys().feed(bytes('\x01\x01\x01\x01'));
    assert.deepEqual(r.input, [CTRL_A, CTRL_A]);
    assert.deepEqual(r.commands, []);
  });

  it('keeps a Ctrl-A that ends one read for the next', () => {
    const keys = new EscapeKeys();
    const first = keys.feed(bytes('ls\x01'));
    assert.deepEqual(first.input, [...bytes('ls')]);
    assert.deepEqual(first.commands, []);
    const second = keys.feed(bytes('xq'));
    assert.deepEqual(second.commands, ['quit']);
    assert.deepEqual(second.input, [...bytes('q')], 'the key after the command is input again');
  });

  it('drops an unknown key after Ctrl-A, and only that key', () => {
    const r = new EscapeKeys().feed(bytes('\x01zok'));
    assert.deepEqual(r.input, [...bytes('ok')]);
    assert.deepEqual(r.commands, []);
  });

  it('lists the keys it handles and no others', () => {
    const listed = [...ESCAPE_HELP.matchAll(/^ {2}(C-a \S+)/gm)].map((m) => m[1]);
    assert.deepEqual(listed, ['C-a h', 'C-a x', 'C-a C-a']);
    // Each listed key does something; a key QEMU has and we do not (c: monitor) does nothing.
    for (const [key, effect] of [
      ['h', 'help'],
      ['x', 'quit'],
    ] as const)
      assert.deepEqual(new EscapeKeys().feed(bytes(`\x01${key}`)).commands, [effect]);
    const c = new EscapeKeys().feed(bytes('\x01c'));
    assert.deepEqual([c.input, c.commands], [[], []]);
  });
});

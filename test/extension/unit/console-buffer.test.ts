/**
 * The console terminal's buffering (extension/consoleBuffer.ts): the guest's '\n' becomes
 * '\r\n' (also across writes, and never '\r\r\n'), output before the terminal opens is
 * kept and written once on open, a reopened terminal gets the whole text, the kept text
 * is the guest's own and is bounded, and terminal input reaches the UART as xv6 expects.
 */
import assert from 'node:assert/strict';
import { ConsoleBuffer, crlf, terminalInput } from '../../../extension/consoleBuffer';

describe('extension console buffer', () => {
  it("turns the guest's bare newlines into CR LF for the terminal", () => {
    const b = new ConsoleBuffer();
    b.open();
    assert.equal(
      b.write('xv6 kernel is booting\n\ninit: starting sh\n$ '),
      'xv6 kernel is booting\r\n\r\ninit: starting sh\r\n$ ',
    );
    assert.equal(b.write('a\r\nb'), 'a\r\nb', 'CR LF from the guest stays as it is');
    assert.equal(b.write('c\r'), 'c\r');
    assert.equal(b.write('\nd'), '\nd', 'a CR at the end of one write and LF at the start of the next');
    assert.equal(b.text, 'xv6 kernel is booting\n\ninit: starting sh\n$ a\r\nbc\r\nd');
  });

  it('keeps output until the terminal opens, then gives it once', () => {
    const b = new ConsoleBuffer();
    assert.equal(b.isOpen, false);
    assert.equal(b.write('hart 1 starting\n'), '');
    assert.equal(b.write('$ '), '');
    assert.equal(b.open(), 'hart 1 starting\r\n$ ');
    assert.equal(b.isOpen, true);
    assert.equal(b.write('ls\n'), 'ls\r\n');
    assert.equal(b.open(), '', 'nothing is given twice');
  });

  it('a terminal reopened after a close starts with all the text', () => {
    const b = new ConsoleBuffer();
    b.open();
    b.write('one\n');
    b.close();
    assert.equal(b.write('two\n'), '');
    assert.equal(b.open(), 'one\r\ntwo\r\n');
  });

  it('bounds the kept text, dropping the oldest', () => {
    const b = new ConsoleBuffer(10);
    b.write('0123456789');
    b.write('abc');
    assert.equal(b.text, '3456789abc');
    assert.equal(b.open(), '3456789abc');
  });

  it('terminal input: Enter stays CR (the guest maps it), a pasted CR LF is one Enter', () => {
    assert.equal(terminalInput('lazytests\r'), 'lazytests\r');
    assert.equal(terminalInput('ls\r\necho hi\r\n'), 'ls\recho hi\r');
    assert.equal(terminalInput('\x7f\x15\x10'), '\x7f\x15\x10', 'Backspace, ^U, ^P pass through');
    assert.equal(crlf('a\nb\r\nc\n\n'), 'a\r\nb\r\nc\r\n\r\n');
  });
});

/**
 * The console's line discipline on the bundled kernel, typed through the CLI's standard
 * input: ^U kills the line being typed, ^P lists processes, ^D ends input for `cat`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cli } from '../helpers/guest';

describe('teaching kernel console', () => {
  it('handles ^U, ^P and ^D', () => {
    const keys = 'echo abc\x15echo xyz\n\x10cat\nhello\n\x04echo done\n';
    const r = spawnSync(process.execPath, [cli, '--timeout-insns', '2000000000'], {
      input: keys,
      encoding: 'latin1',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.replace(/\r/g, '');
    assert.match(out, /\$ xyz\n/, 'the command typed after ^U ran');
    assert.doesNotMatch(out, /^abc$/m, 'the killed line did not run');
    assert.match(out, /^1 \S+ init/m, '^P listed process 1');
    assert.match(out, /\$ hello\n/, 'cat echoed its input');
    assert.match(out, /\$ done\n/, '^D ended cat and the shell went on');
  });
});

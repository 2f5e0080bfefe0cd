/** SiFive test finisher: pass, fail with a code, reboot; anything else is ignored. */
import assert from 'node:assert/strict';
import { TestFinisher } from '../../emulator/devices/test-finisher';

describe('test finisher', () => {
  it('decodes pass, fail and reboot writes', () => {
    const f = new TestFinisher();
    f.write(0, 4, 0x5555);
    assert.deepEqual(f.take(), { kind: 'poweroff', code: 0 });
    assert.equal(f.take(), undefined);
    f.write(0, 4, (42 << 16) | 0x3333);
    assert.deepEqual(f.take(), { kind: 'poweroff', code: 42 });
    f.write(0, 4, 0x7777);
    assert.deepEqual(f.take(), { kind: 'reboot' });
  });

  it('ignores other values, other offsets and narrow writes; reads 0', () => {
    const f = new TestFinisher();
    f.write(0, 4, 0x1234);
    f.write(4, 4, 0x5555);
    f.write(0, 2, 0x5555);
    assert.equal(f.take(), undefined);
    assert.equal(f.read(), 0);
  });
});

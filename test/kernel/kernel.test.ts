/**
 * The bundled teaching kernel on this emulator: it boots to a shell, passes its lazy
 * allocation and user test suites on 1 and 3 harts and with both virtio interfaces, and
 * each staged kernel (the lab's steps undone one at a time) fails the way the lab
 * write-ups describe, with the CLI's panic report naming the functions involved.
 */
import assert from 'node:assert/strict';
import { prebuilt, runEmu } from '../helpers/guest';

describe('teaching kernel on the emulator', function () {
  it('boots and runs a shell command', () => {
    const r = runEmu('echo hello world; ls');
    assert.equal(r.status, 0, r.stderr + r.output.slice(-2000));
    assert.match(r.transcript, /^hello world\n/);
    assert.match(r.transcript, /lazytests/);
    assert.match(r.transcript, /usertests/);
  });

  for (const harts of [1, 3]) {
    it(`passes lazytests on ${harts} hart(s)`, () => {
      const r = runEmu('lazytests', { harts });
      assert.equal(r.status, 0, r.stderr + r.output.slice(-2000));
      assert.match(r.transcript, /test sparse_memory: OK/);
      assert.match(r.transcript, /test sparse_memory_unmap: OK/);
      assert.match(r.transcript, /test oom: OK/);
      assert.match(r.transcript, /ALL TESTS PASSED/);
    });

    it(`passes usertests -q on ${harts} hart(s)`, () => {
      const r = runEmu('usertests -q', { harts });
      assert.equal(r.status, 0, r.stderr + r.output.slice(-3000));
      assert.doesNotMatch(r.transcript, /FAILED/);
      assert.match(r.transcript, /ALL TESTS PASSED/);
    });
  }

  it('works with the modern virtio interface too', () => {
    const r = runEmu('echo modern > f; cat f', { virtio: 'modern' });
    assert.equal(r.status, 0, r.stderr + r.output.slice(-2000));
    assert.match(r.output, /virtio disk: modern interface/);
    assert.match(r.transcript, /^modern\n/);
  });

  describe('staged kernels reproduce the lab walk-through', () => {
    const panics: [number, string, RegExp, string[]][] = [
      [1, 'lazytests', /panic: uvmunmap: (walk|not mapped)/, ['uvmunmap', 'uvmdealloc', 'growproc', 'sys_sbrk']],
      [2, 'usertests sparsefork', /panic: uvmcopy: page not present/, ['uvmcopy', 'fork']],
      [4, 'usertests argptest', /panic: freewalk: leaf/, ['freewalk']],
      [5, 'usertests stacktest', /panic: remap/, ['mappages', 'usertrap']],
    ];
    for (const [stage, cmd, message, frames] of panics) {
      it(`stage ${stage}: ${cmd} panics with ${message.source}`, () => {
        const r = runEmu(cmd, { kernel: prebuilt(`kernel-stage${stage}`) });
        assert.equal(r.status, 3, `expected a panic (status 3):\n${r.stderr}${r.output.slice(-2000)}`);
        assert.match(r.output, message);
        const trace = r.output.slice(r.output.indexOf('backtrace:'));
        for (const f of frames)
          assert.match(trace, new RegExp(`^#\\d+ ${f} at kernel/\\w+\\.c:\\d+$`, 'm'), `no ${f} frame in\n${trace}`);
      });
    }

    it('stage 3: usertests sbrkarg fails without a panic', () => {
      const r = runEmu('usertests sbrkarg', { kernel: prebuilt('kernel-stage3') });
      assert.equal(r.status, 0, r.stderr + r.output.slice(-2000));
      assert.match(r.transcript, /test sbrkarg: FAILED/);
    });
  });
});

/**
 * Text the extension builds (extension/format.ts): the status bar line and tooltip of
 * the stopped hart, picking that hart from a stop's thread id, and the backtrace lines
 * `xv6: Copy Backtrace` copies, with paths relative to the workspace or bundled sources.
 */
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { HartInfo } from '../../../adapter/protocol';
import {
  backtraceLines,
  buildWarningText,
  configuredHarts,
  runStatus,
  statusLine,
  statusTooltip,
  stoppedHart,
} from '../../../extension/format';

const hart = (over: Partial<HartInfo>): HartInfo => ({
  hart: 0,
  priv: 'S',
  pc: '0x80001234',
  idle: false,
  satp: '0x8000000000087fff',
  instret: 1000,
  ...over,
});

const frame = (over: Partial<DebugProtocol.StackFrame>): DebugProtocol.StackFrame => ({
  id: 1,
  name: 'f',
  line: 0,
  column: 0,
  ...over,
});

describe('extension text: status bar', () => {
  it('names the hart, the process and the privilege mode', () => {
    assert.equal(
      statusLine(hart({ hart: 1, pid: 3, name: 'lazytests' })),
      'hart 1 · pid 3 lazytests · S-mode',
    );
    assert.equal(statusLine(hart({ priv: 'U', pid: 4 })), 'hart 0 · pid 4 · U-mode');
    assert.equal(statusLine(hart({ idle: true })), 'hart 0 · idle · S-mode');
    assert.equal(statusLine(hart({ priv: 'M' })), 'hart 0 · M-mode');
  });

  it('with the hart count: the stopped hart of n, and the running or starting machine', () => {
    assert.equal(statusLine(hart({ hart: 1, pid: 3, name: 'sh' }), 3), 'hart 1 of 3 · pid 3 sh · S-mode');
    assert.equal(runStatus('running', 3), 'xv6 · 3 harts · running');
    assert.equal(runStatus('starting', 1), 'xv6 · 1 hart · starting');
    assert.equal(runStatus('running', undefined), 'xv6 · running');
    assert.equal(configuredHarts({ harts: 3 }), 3);
    assert.equal(configuredHarts({}), 1, "the adapter's default");
    assert.equal(configuredHarts({ harts: '3' }), 1);
  });

  it('the warning after a failed build, or for a kernel older than its sources', () => {
    assert.match(buildWarningText({ makeExit: 2 }) ?? '', /^xv6: make failed \(exit code 2\).*last build/);
    assert.match(
      buildWarningText({ makeExit: 2, stale: 'kernel/kernel is older than kernel/trap.c' }) ?? '',
      /make failed/,
      'the failed make says more than the file times',
    );
    assert.equal(
      buildWarningText({ stale: 'kernel/kernel is older than kernel/trap.c' }),
      'xv6: kernel/kernel is older than kernel/trap.c.',
    );
    assert.equal(buildWarningText({}), undefined);
  });

  it('the tooltip gives pc, function, process and satp', () => {
    const t = statusTooltip(hart({ hart: 2, func: 'usertrap', pid: 5, name: 'sh' }), 3);
    assert.match(t, /hart 2 of 3 stopped in S-mode/);
    assert.match(t, /pc 0x80001234 in usertrap/);
    assert.match(t, /process 5 \(sh\)/);
    assert.match(t, /satp 0x8000000000087fff/);
    assert.match(statusTooltip(hart({}), 1), /no process on this hart/);
  });

  it('picks the stopped hart from the thread id (hart + 1), else the first', () => {
    const hs = [hart({ hart: 0 }), hart({ hart: 1, pid: 7 })];
    assert.equal(stoppedHart(hs, 2)?.pid, 7);
    assert.equal(stoppedHart(hs, 1)?.hart, 0);
    assert.equal(stoppedHart(hs, 9)?.hart, 0, 'an unknown thread: the first hart');
    assert.equal(stoppedHart(hs, undefined)?.hart, 0);
    assert.equal(stoppedHart([], 1), undefined);
  });
});

describe('extension text: backtrace', () => {
  it('#n name at file:line, relative to the longest matching root', () => {
    const lines = backtraceLines(
      [
        frame({ name: 'panic', line: 40, source: { name: 'printf.c', path: '/ws/kernel/printf.c' } }),
        frame({ name: 'uvmunmap', line: 180, source: { name: 'vm.c', path: '/ext/kernel/kernel/vm.c' } }),
        frame({ name: 'user space', presentationHint: 'label' }),
        frame({ name: 'main', line: 12, source: { name: 'ls.c', path: '/other/user/ls.c' } }),
        frame({ name: '??', instructionPointerReference: '0x3a2' }),
        frame({ name: 'nowhere' }),
      ],
      ['/ws', '/ext/kernel/', '/ext'],
    );
    assert.deepEqual(lines, [
      '#0 panic at kernel/printf.c:40',
      '#1 uvmunmap at kernel/vm.c:180',
      'user space',
      '#2 main at /other/user/ls.c:12',
      '#3 ?? at 0x3a2',
      '#4 nowhere',
    ]);
  });

  it('Windows paths are made relative too', () => {
    const [l] = backtraceLines(
      [frame({ name: 'trap', line: 7, source: { path: 'C:\\ws\\kernel\\trap.c' } })],
      ['C:\\ws'],
    );
    assert.equal(l, '#0 trap at kernel/trap.c:7');
  });
});

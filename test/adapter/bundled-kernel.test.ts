/**
 * The adapter against the bundled teaching kernel (kernel/prebuilt, committed prebuilt):
 * the process table read through the kernel's DWARF names the thread, lists processes,
 * and selects a process's page table, whose ranges carry the xv6 labels.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { PageTableResponse, ProcessesResponse } from '../../adapter/protocol';
import * as C from './client';

const kernel = join(__dirname, '..', '..', 'kernel', 'prebuilt', 'kernel');

describe('debug adapter on the bundled kernel', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  C.clientPerTest((c) => (dc = c));

  it("names the hart after init at init's first write, and shows its page table", async () => {
    assert.ok(existsSync(kernel), `${kernel} is missing`);
    const ev = await C.launch(dc, { disk: undefined, harts: 2 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sys_write' }] }),
    );
    assert.equal(ev?.body.reason, 'function breakpoint');
    const threads = await dc.threadsRequest();
    const tid = ev?.body.threadId ?? 0;
    assert.deepEqual(
      threads.body.threads.map((t) => t.name),
      [0, 1].map((i) => (i + 1 === tid ? `hart ${i} (pid 1 init)` : `hart ${i}`)),
    );
    const procs = (await dc.customRequest('xv6.processes', {})).body as ProcessesResponse;
    const init = procs.processes.find((p) => p.pid === 1);
    assert.deepEqual(init && { name: init.name, state: init.state }, { name: 'init', state: 'running' });
    const pt = (await dc.customRequest('xv6.pageTable', { pid: 1 })).body as PageTableResponse;
    assert.equal(pt.satp, init?.satp);
    const labels = pt.ranges.map((r) => r.label).filter((l) => l !== undefined);
    assert.deepEqual(labels, ['text', 'data', 'guard', 'stack', 'trapframe', 'trampoline']);
    const st = await dc.stackTraceRequest({ threadId: tid });
    const names = st.body.stackFrames
      .slice(0, 4)
      .map((f: DebugProtocol.StackFrame) => f.name.replace(/\+\d+$/, ''));
    // The kernel stack ends at usertrap; a label frame marks the way into user space.
    assert.deepEqual(names, [
      'sys_write',
      'syscall',
      'usertrap',
      '── trap from user: Environment call from U-mode ──',
    ]);
  });
});

/**
 * The `xv6.pageTable` request on the bundled kernel and disk, stopped in usertrap on
 * lazytests' first lazy page fault: the process's ranges are labelled by what they hold.
 * With test/adapter/user as `userPrograms`, text and data come from `_lazytests`' ELF
 * segments, and with no folder from the disk image's copy of it (the layout alone,
 * text+data below the guard page, is pagetable.test.ts's); the guard, the stack above it
 * and the lazy heap up to sz either way.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { PageTableResponse, ProcessesResponse } from '../../adapter/protocol';
import * as C from './client';

const userPrograms = join(__dirname, 'user');

describe('adapter: page-table labels of a user process', function () {
  this.timeout(180_000);
  const client = C.consoleClientPerTest();
  let dc: DebugClient;
  beforeEach(() => {
    dc = client.dc;
  });

  /** Boots, types lazytests, stops at its first lazy fault; the labels of its table, in order. */
  const labelsAtFault = async (args: Record<string, unknown>): Promise<string[]> => {
    const stop = C.nextStop(dc);
    await C.launch(
      dc,
      { disk: undefined, ...args },
      () =>
        dc.setFunctionBreakpointsRequest({
          breakpoints: [{ name: 'usertrap', condition: '$scause == 13 || $scause == 15' }],
        }),
      false,
    );
    await client.shell('lazytests');
    await stop;
    const procs = (await dc.customRequest('xv6.processes', {})).body as ProcessesResponse;
    const me = procs.processes.find((p) => p.hart === 0);
    assert.equal(me?.name, 'lazytests');
    const byPid = (await dc.customRequest('xv6.pageTable', { pid: me.pid })).body as PageTableResponse;
    return byPid.ranges
      .filter((r) => BigInt(r.vaStart) < 0x3f_0000_0000n)
      .map((r) => `${r.vaStart} ${r.label ?? ''}`);
  };

  it("names text and data from the program's ELF, then guard, stack and the lazy heap", async () => {
    const labels = await labelsAtFault({ userPrograms });
    assert.deepEqual(labels.slice(0, 5), [
      '0x0 text',
      '0x1000 text',
      '0x2000 data',
      '0x3000 guard',
      '0x4000 stack',
    ]);
    assert.match(labels[5] ?? '', /^0x5000 (lazy|heap)$/, labels.join('\n'));
  });

  it("with no userPrograms folder: the same labels from the disk image's lazytests", async () => {
    const labels = await labelsAtFault({});
    assert.deepEqual(labels.slice(0, 5), [
      '0x0 text',
      '0x1000 text',
      '0x2000 data',
      '0x3000 guard',
      '0x4000 stack',
    ]);
  });
});

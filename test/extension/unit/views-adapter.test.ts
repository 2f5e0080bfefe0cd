/**
 * The views against the real adapter (`node dist/adapter.js` under DebugClient) on the
 * bundled kernel, through the stand-in `vscode` module: stopped at usertrap on a lazy
 * page fault of lazytests, the Page Tables view shows the faulting process as current
 * with its lazy region, one continue to the next fault maps one more page, the Traps
 * view's latest row is that page fault, a page opens as a hex dump read at its physical
 * address, and a kernel trap's sepc reveals a source file that exists.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as fake from './fake-vscode';
import type { Xv6Views } from '../../../extension/api';
import { registerViews } from '../../../extension/views/index';
import * as C from '../../adapter/client';

type Node = { row: { label: string; description?: string; tooltip?: string; contextValue?: string } };
type Provider = { getChildren(n?: unknown): Promise<unknown[]> };

/** Pages mapped under a process (ranges mode): the rows that can be opened, times their pages. */
function mappedPages(rows: readonly Node[]): number {
  let n = 0;
  for (const r of rows) {
    if (r.row.contextValue !== 'xv6.pageRange') continue;
    const m = /(\d+) pages\b/.exec(r.row.description ?? '');
    n += m ? Number(m[1]) : 1;
  }
  return n;
}

describe('xv6 views on the real adapter (stand-in VS Code)', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  let api: Xv6Views;
  const subs: { dispose(): void }[] = [];
  let output = '';

  before(async () => {
    fake.state.config.clear();
    fake.state.opened.length = 0;
    fake.state.messages.length = 0;
    api = registerViews({ subscriptions: subs, workspaceState: new fake.Memento() } as never);
    dc = C.newClient();
    await dc.start();
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      output += e.body.output;
    });
  });
  after(async () => {
    for (const d of subs.splice(0)) d.dispose();
    await dc.stop();
  });

  it('follows lazytests from one page fault to the next', async () => {
    const session: fake.FakeSession = {
      id: 'adapter',
      type: 'xv6',
      name: 'xv6',
      customRequest: async (command, args) => (await dc.send(command, args)).body as unknown,
    };
    const tracker = fake.startSession(session);
    dc.on('stopped', (e: DebugProtocol.StoppedEvent) =>
      tracker.onDidSendMessage!({ type: 'event', event: 'stopped', body: e.body }),
    );
    const stopped = (): Promise<DebugProtocol.StoppedEvent> => C.nextStop(dc);

    const first = stopped();
    await C.launchWithLazyFaultBreakpoint(dc);
    tracker.onDidSendMessage!({ type: 'response', command: 'launch', success: true });
    while (!output.includes('$ ')) await new Promise((r) => setTimeout(r, 20));
    await dc.customRequest('xv6.consoleInput', { text: 'lazytests\n' });
    const ev = await first;
    await api.refreshed();

    const pt = api.pageTables as unknown as Provider;
    const procs = (await pt.getChildren()) as Node[];
    const current = procs.filter((p) => /current$/.test(p.row.description ?? ''));
    assert.equal(current.length, 1, procs.map((p) => `${p.row.label} | ${p.row.description}`).join('\n'));
    assert.match(current[0]!.row.label, /^\d+ lazytests$/);
    const ranges = (await pt.getChildren(current[0])) as Node[];
    const labels = ranges.map((r) => r.row.description ?? '');
    assert.ok(labels.some((d) => d.endsWith(' · lazy')) && labels.some((d) => d.endsWith(' · trampoline')));
    const before = mappedPages(ranges);

    // Open a mapped page: the hart is in the kernel, so it is read at its physical address.
    const text = ranges.find((r) => /R X U/.test(r.row.description ?? ''))!;
    await fake.commands.executeCommand('xv6.pageTables.openMemory', text);
    const dump = fake.state.opened.pop();
    assert.ok(dump, fake.state.messages.join('\n'));
    assert.match(dump.text, /read at physical 0x[0-9a-f]+\n# 4096 bytes read/);

    // One continue: usertrap maps the page, lazytests touches the next one.
    const next = stopped();
    tracker.onWillReceiveMessage!({ type: 'request', command: 'continue' });
    await dc.continueRequest({ threadId: ev.body.threadId ?? 1 });
    await next;
    await api.refreshed();
    const procs2 = (await pt.getChildren()) as Node[];
    const cur2 = procs2.find((p) => /current$/.test(p.row.description ?? ''))!;
    assert.equal(cur2.row.label, current[0]!.row.label);
    assert.equal(mappedPages((await pt.getChildren(cur2)) as Node[]), before + 1);

    // Exceptions only: the two faults, alike, one row ×2 (the system calls between are hidden).
    const trapsView = api.traps as unknown as Provider;
    const traps = (await trapsView.getChildren()) as Node[];
    assert.match(traps[0]!.row.label, /page fault ×2$/);
    assert.match(
      traps[0]!.row.description ?? '',
      /^pid \d+ lazytests · stval 0x[0-9a-f]+ · sepc \w+ \(lazytests\) · hart 0 · insn [\d,]+–[\d,]+$/,
    );
    assert.equal((await trapsView.getChildren(traps[0])).length, 2);
    // With interrupts shown, a kernel trap's sepc reveals its source.
    await fake.commands.executeCommand('xv6.traps.showInterrupts');
    const rows: Node[] = [];
    for (const n of (await trapsView.getChildren()) as Node[])
      rows.push(
        ...(n.row.contextValue === 'xv6.trapGroup' ? ((await trapsView.getChildren(n)) as Node[]) : [n]),
      );
    const kernelTrap = rows.find(
      (t) => /interrupt/.test(t.row.label) && /sepc [a-z_]\w* · /.test(t.row.description ?? ''),
    )!;
    assert.ok(kernelTrap, rows.map((r) => `${r.row.label}: ${r.row.description}`).join('\n'));
    await fake.commands.executeCommand('xv6.traps.reveal', kernelTrap);
    const src = fake.state.opened.pop();
    assert.ok(src, fake.state.messages.join('\n'));
    const path = src.uri.replace(/^file:\/\//, '');
    assert.ok(existsSync(path), path);
  });
});

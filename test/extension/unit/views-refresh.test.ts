/**
 * The views' VS Code glue (extension/views/index.ts and the providers) over a stand-in
 * `vscode` module (fake-vscode.ts) and a session answering from the real adapter
 * responses in fixtures/: a stop refreshes the shown views and sends nothing for hidden
 * ones, the current process comes expanded with its table already read, the mode toggle,
 * `xv6.showPageTable`, revealing a trap's source, opening a page's memory, live trap
 * events, `xv6.views.autoRefresh`, and a session that ends in the middle of a refresh.
 */
import assert from 'node:assert/strict';
import * as fake from './fake-vscode';
import type { Xv6Views } from '../../../extension/api';
import { registerViews } from '../../../extension/views/index';
import processes from './fixtures/processes.json';
import harts from './fixtures/harts.json';
import pageTable from './fixtures/pagetable-lazytests.json';
import trapLog from './fixtures/traplog.json';
import trapEvent from './fixtures/trap-event.json';
import kernelDis from './fixtures/disassemble-kernel-epc.json';
import userDis from './fixtures/disassemble-user-epc.json';

type Node = { row: { label: string; description?: string; contextValue?: string } };
type Provider = {
  getChildren(n?: unknown): Promise<unknown[]>;
  getTreeItem(n: unknown): fake.TreeItem;
};

interface TestSession extends fake.FakeSession {
  log: string[];
  /** Requests of these commands wait for `release()`. */
  hold: Set<string>;
  release(err?: Error): void;
}

function session(id: string): TestSession {
  const waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const answer = (command: string, args: Record<string, unknown>): unknown => {
    switch (command) {
      case 'xv6.processes':
        return processes;
      case 'xv6.harts':
        return harts;
      case 'xv6.trapLog':
        return trapLog;
      case 'xv6.pageTable':
        if (args.pid === 4) return pageTable;
        throw new Error(`there is no process with pid ${String(args.pid)}`);
      case 'disassemble':
        return args.memoryReference === kernelDis.epc ? kernelDis.body : userDis.body;
      case 'readMemory':
        return {
          address: args.memoryReference,
          data: Buffer.from('xv6 page'.repeat(512)).toString('base64'),
        };
      default:
        throw new Error(`unrecognised request '${command}'`);
    }
  };
  const s: TestSession = {
    id,
    type: 'xv6',
    name: 'xv6 test',
    log: [],
    hold: new Set(),
    async customRequest(command: string, args?: unknown): Promise<unknown> {
      s.log.push(command);
      if (s.hold.has(command))
        await new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
      return answer(command, (args ?? {}) as Record<string, unknown>);
    },
    release(err?: Error): void {
      for (const w of waiting.splice(0)) {
        if (err) w.reject(err);
        else w.resolve();
      }
    },
  };
  return s;
}

const launched = { type: 'response', command: 'launch', success: true };
const stoppedOnHart1 = {
  type: 'event',
  event: 'stopped',
  body: { reason: 'function breakpoint', threadId: 2 },
};

describe('xv6 views in a (stand-in) VS Code', () => {
  let api: Xv6Views;
  let subs: { dispose(): void }[];
  let workspaceState: fake.Memento;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): number => unhandled.push(e);

  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));
  beforeEach(() => {
    fake.state.views.clear();
    fake.state.commands.clear();
    fake.state.config.clear();
    fake.state.messages.length = 0;
    fake.state.opened.length = 0;
    fake.state.activeSession = undefined;
    unhandled.length = 0;
    subs = [];
    workspaceState = new fake.Memento();
    api = registerViews({ subscriptions: subs, workspaceState } as never);
  });
  afterEach(() => {
    for (const d of subs) d.dispose();
    assert.deepEqual(unhandled, []);
  });

  const view = (id: string): fake.FakeTreeView => fake.state.views.get(id)!;
  const pt = (): Provider => api.pageTables as unknown as Provider;
  const labels = async (p: Provider, n?: unknown): Promise<string[]> =>
    ((await p.getChildren(n)) as Node[]).map((x) => x.row.label);
  const run = (id: string, ...args: unknown[]): Promise<unknown> => fake.commands.executeCommand(id, ...args);

  it('refreshes the shown views on a stop and asks nothing for a hidden one', async () => {
    const s = session('s1');
    const tracker = fake.startSession(s);
    tracker.onDidSendMessage!(launched);
    view('xv6.traps').setVisible(false);
    s.log.length = 0;
    tracker.onDidSendMessage!(stoppedOnHart1);
    await api.refreshed();
    assert.ok(!s.log.includes('xv6.trapLog'), s.log.join(' '));
    // Page Tables and Harts both show processes and harts: asked once for the stop.
    const count = (c: string): number => s.log.filter((x) => x === c).length;
    assert.equal(count('xv6.processes'), 1, s.log.join(' '));
    assert.equal(count('xv6.harts'), 1, s.log.join(' '));
    // The current process's table is read with the stop (it is shown expanded).
    assert.equal(s.log.filter((c) => c === 'xv6.pageTable').length, 1);

    const roots = await pt().getChildren();
    assert.deepEqual(await labels(pt()), ['1 init', '2 sh', '3 lazytests', '4 lazytests']);
    const item = pt().getTreeItem(roots[3]);
    assert.equal(item.collapsibleState, fake.TreeItemCollapsibleState.Expanded);
    assert.match(item.description!, /current$/);
    const ranges = (await pt().getChildren(roots[3])) as Node[];
    assert.equal(ranges.length, 8);
    assert.equal(ranges[5]!.row.description, 'not mapped · 262144 pages (1 GiB) · lazy');
    assert.equal(s.log.filter((c) => c === 'xv6.pageTable').length, 1, 'read once per stop');
    // Another process's table fails: one informative row.
    const failed = (await pt().getChildren(roots[0])) as Node[];
    assert.deepEqual(
      failed.map((n) => n.row.label),
      ['there is no process with pid 1'],
    );

    // Shown again: the traps view redraws and reads the log then.
    const before = view('xv6.traps').changes;
    view('xv6.traps').setVisible(true);
    assert.equal(view('xv6.traps').changes, before + 1);
    const traps = api.traps as unknown as Provider;
    const trapNodes = (await traps.getChildren()) as Node[];
    assert.ok(s.log.includes('xv6.trapLog'));
    assert.equal(count('xv6.harts'), 1, "the stop's harts are reused");
    await run('xv6.harts.refresh');
    assert.equal(count('xv6.harts'), 2, 'Refresh asks again');
    assert.equal(
      trapNodes[0]!.row.description,
      'pid 4 lazytests · stval 0x5000 · sepc sparse_memory (lazytests) · hart 0 · insn 62,051,023',
    );
    assert.equal(trapNodes.length, 1, 'exceptions only');
    assert.match(view('xv6.traps').message ?? '', /^Hidden: \d+ interrupts and \d+ system calls/);
    assert.equal(view('xv6.traps').description, 'exceptions');
    const hartNodes = (await (api.harts as unknown as Provider).getChildren()) as Node[];
    assert.deepEqual(
      hartNodes.map((n) => n.row.label),
      ['hart 0', 'hart 1', 'Processes'],
    );
    assert.match(hartNodes[1]!.row.description!, /stopped here$/);
  });

  it('toggles ranges and tree, shows a chosen process, opens memory and reveals sources', async () => {
    const s = session('s2');
    const tracker = fake.startSession(s);
    tracker.onDidSendMessage!(launched);
    tracker.onDidSendMessage!(stoppedOnHart1);
    await api.refreshed();
    const roots = await pt().getChildren();

    await run('xv6.pageTables.toggleMode');
    assert.equal(fake.state.config.get('xv6.pageTables.mode'), 'tree');
    const roots2 = await pt().getChildren();
    assert.deepEqual(await labels(pt(), roots2[3]), [
      'L2[0] 0x0-0x40000000',
      'L2[255] 0x3fc0000000-0x4000000000',
    ]);
    await run('xv6.pageTables.toggleMode');
    const ranges = (await pt().getChildren((await pt().getChildren())[3])) as Node[];
    assert.equal(ranges[0]!.row.label, '0x0-0x1000');

    // Memory: stopped in the kernel, the page is read at its physical address.
    await run('xv6.pageTables.openMemory', ranges[4]);
    const dump = fake.state.opened.pop()!;
    assert.match(dump.uri, /^xv6-memory:/);
    assert.match(dump.text, /read at physical 0x87f66000/);
    assert.match(
      dump.text,
      /\n0000000087f66000  78 76 36 20 70 61 67 65  78 76 36 20 70 61 67 65  \|xv6 pagexv6 page\|/,
    );
    await run('xv6.pageTables.openMemory', ranges[5]);
    assert.match(fake.state.messages.pop()!, /lazy: no physical page/);
    await run('xv6.pageTables.copyAddress', ranges[4]);
    assert.equal(fake.env.clipboard.text, '0x87f66000');

    fake.state.quickPick = (items) => items[2];
    view('xv6.pageTables').setVisible(false);
    await run('xv6.showPageTable');
    assert.equal(view('xv6.pageTables').visible, true);
    const shown = view('xv6.pageTables').revealed.pop() as Node;
    assert.equal(shown.row.label, '3 lazytests');
    assert.ok(roots.length === 4);

    // Interrupts on (the title bar's toggle): kept in the workspace state, said in the title.
    await run('xv6.traps.showInterrupts');
    assert.deepEqual(workspaceState.get('xv6.traps.filter'), { interrupts: true, systemCalls: false });
    assert.equal(view('xv6.traps').description, 'exceptions, interrupts');
    assert.deepEqual(fake.state.contextKeys.get('xv6.traps.interrupts'), true);
    const trapNodes = (await (api.traps as unknown as Provider).getChildren()) as (Node & {
      item: unknown;
    })[];
    assert.match(view('xv6.traps').message ?? '', /^Hidden: \d+ system calls/);
    const kernel = trapNodes.find(
      (n) => n.row.contextValue === 'xv6.trap' && /sepc scheduler/.test(n.row.description ?? ''),
    )!;
    const click = (api.traps as unknown as Provider).getTreeItem(kernel).command!;
    await run(click.command, ...(click.arguments ?? []));
    const src = fake.state.opened.pop()!;
    assert.match(src.uri, /kernel\/kernel\/riscv\.h$/);
    assert.equal(src.selection?.startLine, 54);
    await run('xv6.traps.reveal', trapNodes[0]);
    assert.match(fake.state.messages.pop()!, /^sepc 0x32c is in sparse_memory \(lazytests\)/);
  });

  it('appends live traps while running, honours autoRefresh, survives the session ending', async () => {
    const s = session('s3');
    const tracker = fake.startSession(s);
    tracker.onDidSendMessage!(launched);
    fake.state.config.set('xv6.views.autoRefresh', { pageTables: true, traps: true, harts: false });
    tracker.onDidSendMessage!(stoppedOnHart1);
    await api.refreshed();
    assert.match(view('xv6.harts').message ?? '', /autoRefresh is off/);
    const traps = api.traps as unknown as Provider;
    assert.equal((await traps.getChildren()).length, 1, 'the page fault');

    tracker.onWillReceiveMessage!({ type: 'request', command: 'continue' });
    assert.match(view('xv6.pageTables').message ?? '', /running/);
    fake.state.customEvent.fire({ session: s, event: 'xv6.trap', body: trapEvent });
    // The event's traps are interrupts and system calls: hidden, counted above the rows.
    const hiddenBefore = Number(/(\d+) interrupts/.exec(view('xv6.traps').message ?? '')?.[1]);
    const after = (await traps.getChildren()) as Node[];
    assert.equal(after[0]!.row.label, 'Store/AMO page fault');
    const hiddenAfter = Number(/(\d+) interrupts/.exec(view('xv6.traps').message ?? '')?.[1]);
    assert.equal(hiddenAfter, hiddenBefore + trapEvent.traps.filter((t) => t.interrupt).length);
    // The event counted 5 more traps it did not send: a summary row says so, last.
    assert.equal(trapEvent.dropped, 5);
    assert.match(after[after.length - 1]!.row.label, /^\d+ traps since launch; the latest \d+ are kept$/);
    // All shown: the latest trap comes first (its repeats in one row).
    await run('xv6.traps.showInterrupts');
    await run('xv6.traps.showSystemCalls');
    const shown = (await traps.getChildren()) as Node[];
    assert.equal(view('xv6.traps').message, undefined);
    assert.equal(view('xv6.traps').description, 'all traps');
    assert.equal(
      shown[0]!.row.label.replace(/ ×\d+$/, ''),
      trapEvent.traps[trapEvent.traps.length - 1]!.name,
    );

    // The session ends while a stop's refresh waits for the process table.
    s.hold.add('xv6.processes');
    tracker.onDidSendMessage!(stoppedOnHart1);
    const done = api.refreshed();
    fake.state.activeSession = undefined;
    fake.state.terminated.fire(s);
    s.release(new Error('debug session terminated'));
    await done;
    assert.deepEqual(await pt().getChildren(), []);
    assert.match(view('xv6.pageTables').message ?? '', /Start an xv6 debug session/);
    await run('xv6.showPageTable');
    assert.match(fake.state.messages.pop()!, /start an xv6 debug session first/);
  });
});

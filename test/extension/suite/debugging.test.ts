/**
 * In-host end-to-end checks on the sample xv6 tree, in the order a student meets them:
 * F5 with a bare `xv6` configuration (the DebugConfigurationProvider fills in the
 * tree's kernel, disk and user programs), the console terminal echoing `lazytests`, a
 * stop at a `usertrap` function breakpoint on the first lazy page fault, the Page Tables
 * view listing the current process and, after one continue to the next fault, one more
 * mapped page, the Traps view naming the fault, and the status bar.
 * The tests share one session and run in order; each wait fails with what it waited for.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Xv6ExtensionApi } from '../../../extension/api';
import {
  AdapterRecorder,
  extensionApi,
  frames,
  rows,
  show,
  startSession,
  stopAllSessions,
  typeAtPrompt,
  waitFor,
  type RowText,
  type StoppedEvent,
} from './helpers';

/** usertrap on a page fault only (scause 13 load, 15 store/AMO; privileged spec 4.1.9). */
const FAULT_CONDITION = '$scause == 13 || $scause == 15';

/** Pages mapped by a process's range rows ("→ 0x… R W U · 3 pages"; one page when no count is shown). */
function mappedPages(rs: readonly RowText<unknown>[]): number {
  let n = 0;
  for (const r of rs) {
    if (r.contextValue !== 'xv6.pageRange') continue;
    const m = /(\d+) pages?\b/.exec(`${r.description}\n${r.tooltip}`);
    n += m ? Number(m[1]) : 1;
  }
  return n;
}

/** The Page Tables row of the lazytests process on the stopped hart. */
const currentLazytests = <T>(procs: readonly RowText<T>[]): RowText<T> | undefined =>
  procs.find((r) => /\blazytests\b/.test(r.label) && /\bcurrent\b/.test(r.description));

describe('debugging the sample xv6 tree', () => {
  let api: Xv6ExtensionApi;
  let recorder: AdapterRecorder;
  let session: vscode.DebugSession | undefined;
  let firstFault: Promise<StoppedEvent> | undefined;
  let stop: StoppedEvent | undefined;
  let pagesAtFirstFault: number | undefined;
  let processRow: RowText<unknown> | undefined;
  const breakpoint = new vscode.FunctionBreakpoint('usertrap', true, FAULT_CONDITION);

  const need = <T>(v: T | undefined, what: string): T => {
    assert.ok(v !== undefined, `an earlier step failed: no ${what}`);
    return v;
  };
  const consoleTail = (): string =>
    `console so far:\n${session ? api.consoleText(session).slice(-1500) : ''}`;

  before(async () => {
    // The recorder first, so `after` can dispose it even when the extension fails to activate.
    recorder = new AdapterRecorder();
    api = await extensionApi();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    vscode.debug.addBreakpoints([breakpoint]);
  });
  after(async () => {
    await stopAllSessions();
    vscode.debug.removeBreakpoints([breakpoint]);
    recorder.dispose();
  });

  it('F5 with a bare xv6 configuration launches the tree’s kernel, disk and user programs', async () => {
    session = await startSession({ type: 'xv6', request: 'launch', name: 'xv6 (F5)' });
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const c = session.configuration;
    assert.equal(c.kernel, `${folder}/kernel/kernel`, 'kernel filled in by the provider');
    assert.equal(c.disk, `${folder}/fs.img`, 'disk filled in by the provider');
    assert.match(String(c.userPrograms), new RegExp(`^${folder}/user/?$`), 'userPrograms filled in');
  });

  it('the console terminal shows the shell and echoes what is typed', async () => {
    const s = need(session, 'session');
    firstFault = recorder.next(s, 'usertrap on the first lazy page fault', 120_000, consoleTail);
    await typeAtPrompt(api, s, 'lazytests');
    await waitFor(
      'the echo of "lazytests" after the prompt',
      () => /\$ lazytests/.test(api.consoleText(s)),
      30_000,
      consoleTail,
    );
  });

  it('stops at the usertrap function breakpoint on a lazy page fault', async () => {
    const s = need(session, 'session');
    stop = await need(firstFault, 'typed command');
    assert.match(stop.body.reason, /breakpoint/, `stop reason ${stop.body.reason}`);
    const fs = await frames(s, stop.body.threadId ?? 1);
    assert.equal(fs[0]?.name, 'usertrap', `top frame; frames: ${fs.map((f) => f.name).join(' < ')}`);
  });

  it('the Page Tables view lists the current process with its mapped and lazy ranges', async () => {
    need(stop, 'stop at usertrap');
    await api.views.refreshed();
    const procs = await rows(api.views.pageTables);
    // lazytests forks a child per test: the faulting one is the current process.
    processRow = currentLazytests(procs);
    assert.ok(processRow, `a current lazytests row in:\n${show(procs)}`);
    const ranges = await rows(api.views.pageTables, processRow.element);
    pagesAtFirstFault = mappedPages(ranges);
    assert.ok(pagesAtFirstFault > 0, `mapped ranges under the process:\n${show(ranges)}`);
    assert.ok(
      ranges.some((r) => /\blazy\b/.test(r.description)),
      `a lazy range (below sz, not mapped yet) in:\n${show(ranges)}`,
    );
    assert.ok(
      ranges.some((r) => /trampoline/.test(r.description)),
      `a trampoline range in:\n${show(ranges)}`,
    );
  });

  it('after one continue to the next fault, the view shows one more mapped page', async () => {
    const s = need(session, 'session');
    const first = need(stop, 'stop at usertrap');
    const before = need(pagesAtFirstFault, 'page count at the first fault');
    const next = recorder.next(s, 'usertrap on the next page fault', 120_000, consoleTail);
    await s.customRequest('continue', { threadId: first.body.threadId ?? 1 });
    stop = await next;
    await api.views.refreshed();
    let last: RowText<unknown>[] = [];
    await waitFor(
      `${before + 1} mapped pages in the Page Tables view`,
      async () => {
        const procs = await rows(api.views.pageTables);
        const p = currentLazytests(procs);
        last = p ? await rows(api.views.pageTables, p.element) : procs;
        return mappedPages(last) === before + 1;
      },
      15_000,
      () => `had ${before}; rows now:\n${show(last)}`,
    );
  });

  it('the Traps view shows the page fault in words', async () => {
    need(stop, 'stop at usertrap');
    await api.views.refreshed();
    const traps = await rows(api.views.traps);
    assert.ok(
      traps.some((r) => /page fault/i.test(`${r.label} ${r.description}`)),
      `a page-fault row in:\n${show(traps)}`,
    );
  });

  it('the Harts view and the status bar name the process on the stopped hart', async () => {
    need(stop, 'stop at usertrap');
    const harts = await rows(api.views.harts);
    assert.ok(
      harts.some(
        (r) =>
          /^hart \d+$/.test(r.label) && /usertrap/.test(r.description) && /lazytests/.test(r.description),
      ),
      `a hart in usertrap running lazytests in the Harts view:\n${show(harts)}`,
    );
    assert.match(api.statusText(), /lazytests/, `status bar: ${api.statusText()}`);
  });
});

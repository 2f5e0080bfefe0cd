/**
 * Registers the three tree views of the Run and Debug sidebar (Page Tables, Traps, Harts
 * and Processes), their commands and `xv6.showPageTable`. The views re-read the session
 * on every stop when shown and enabled in `xv6.views.autoRefresh`; a hidden view only
 * forgets what it read (no requests) and reads again when it is shown.
 */
import * as vscode from 'vscode';
import type { Xv6Views } from '../api';
import { errorText } from './model/rows';
import { DumpDocuments, DUMP_SCHEME, openPage } from './memory';
import { StaleSession, type ViewNode, type Xv6TreeProvider } from './node';
import { PageNode, PageTablesProvider, TableNode } from './pageTablesView';
import { HartsProvider } from './hartsView';
import { SessionWatch } from './session';
import { TrapNode, TrapsProvider } from './trapsView';

type ViewKey = 'pageTables' | 'traps' | 'harts';

function autoRefresh(key: ViewKey): boolean {
  const v = vscode.workspace.getConfiguration('xv6').get<Record<string, unknown>>('views.autoRefresh');
  return typeof v?.[key] === 'boolean' ? v[key] : true;
}

/** Run a command body; errors become one message, a vanished session none. */
function command(fn: (...args: unknown[]) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (e) {
      if (!(e instanceof StaleSession)) void vscode.window.showErrorMessage(`xv6: ${errorText(e)}`);
    }
  };
}

export function registerViews(context: vscode.ExtensionContext): Xv6Views {
  const watch = new SessionWatch();
  const pageTables = new PageTablesProvider(watch);
  const traps = new TrapsProvider(watch, context.workspaceState);
  const harts = new HartsProvider(watch);
  const dumps = new DumpDocuments();
  const providers: Record<ViewKey, Xv6TreeProvider> = { pageTables, traps, harts };
  const views = {
    pageTables: vscode.window.createTreeView('xv6.pageTables', {
      treeDataProvider: pageTables,
      showCollapseAll: true,
    }),
    traps: vscode.window.createTreeView('xv6.traps', { treeDataProvider: traps }),
    harts: vscode.window.createTreeView('xv6.harts', { treeDataProvider: harts }),
  };
  context.subscriptions.push(watch, pageTables, traps, harts, ...Object.values(views));
  for (const key of Object.keys(providers) as ViewKey[])
    context.subscriptions.push(providers[key].attach(views[key]));

  /** The refresh that follows the latest stop (what `refreshed()` waits for). */
  let latest: Promise<void> = Promise.resolve();

  /** Re-read one view: forget, redraw, and (if shown) read now. */
  const refresh = (key: ViewKey): Promise<void> => {
    const p = providers[key];
    p.invalidate();
    p.changed();
    if (!p.visible) return Promise.resolve();
    return p.roots().then(() => undefined);
  };

  context.subscriptions.push(
    watch.onDidStop(() => {
      const work: Promise<void>[] = [];
      for (const key of Object.keys(providers) as ViewKey[]) {
        if (autoRefresh(key)) work.push(refresh(key));
        else if (providers[key].view)
          providers[key].view.message =
            'Not refreshed since the last stop (xv6.views.autoRefresh is off): use Refresh.';
      }
      latest = Promise.all(work).then(() => undefined);
    }),
    watch.onDidRun(() => {
      for (const key of ['pageTables', 'harts'] as const) {
        const v = providers[key].view;
        if (v) v.message = 'The guest is running: values from the last stop.';
      }
    }),
    watch.onDidChangeSession(() => {
      // Forget the old session's data; shown views read the new one when VS Code asks.
      traps.clear();
      for (const p of Object.values(providers)) {
        p.invalidate();
        p.changed();
      }
    }),
    watch.onTraps((ev) => {
      if (autoRefresh('traps')) traps.onTraps(ev);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('xv6.pageTables.mode')) pageTables.modeChanged();
    }),
    vscode.workspace.registerTextDocumentContentProvider(DUMP_SCHEME, dumps),
  );

  const register = (id: string, fn: (...args: unknown[]) => Promise<void>): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, command(fn)));
  };
  for (const key of Object.keys(providers) as ViewKey[])
    register(`xv6.${key}.refresh`, () => {
      watch.forget();
      return refresh(key);
    });
  register('xv6.pageTables.toggleMode', () => pageTables.toggleMode());
  register('xv6.pageTables.openMemory', async (node) => {
    const n = node ?? views.pageTables.selection[0];
    if (!(n instanceof PageNode) || !n.row.page)
      throw new Error(
        n instanceof PageNode && n.row.contextValue === 'xv6.lazyRange'
          ? 'this range is lazy: no physical page is mapped yet'
          : 'select a mapped page in the Page Tables view',
      );
    const top = topOf(n);
    // readMemory translates through the stopped hart's satp now: ask which that is.
    const now = await watch.snapshot('xv6.harts').catch(() => undefined);
    const stopped = (now?.harts ?? pageTables.harts)?.find((h) => h.hart === (watch.stoppedHart ?? 0));
    await openPage(watch, dumps, n.row.page, stopped, top ? top.row.label : 'page');
  });
  register('xv6.pageTables.copyAddress', async (node) => {
    const n = node ?? views.pageTables.selection[0];
    if (!(n instanceof PageNode) || !n.row.page)
      throw new Error('select a mapped page in the Page Tables view');
    await vscode.env.clipboard.writeText(n.row.page.pa);
    void vscode.window.setStatusBarMessage(`Copied physical address ${n.row.page.pa}`, 3000);
  });
  register('xv6.traps.showInterrupts', () => traps.setFilter({ interrupts: true }));
  register('xv6.traps.hideInterrupts', () => traps.setFilter({ interrupts: false }));
  register('xv6.traps.showSystemCalls', () => traps.setFilter({ systemCalls: true }));
  register('xv6.traps.hideSystemCalls', () => traps.setFilter({ systemCalls: false }));
  register('xv6.traps.reveal', async (node) => {
    const n = node ?? views.traps.selection[0];
    if (!(n instanceof TrapNode)) throw new Error('select a trap in the Traps view');
    await traps.reveal(n);
  });
  /** Ask which process (pid name state); undefined when the pick is dismissed. */
  const pickProcess = async (): Promise<number | undefined> => {
    const res = await watch.snapshot('xv6.processes');
    const procs = res.processes.filter((p) => p.state.toLowerCase() !== 'unused');
    if (!procs.length) throw new Error(res.note ?? 'there are no processes yet');
    const pick = await vscode.window.showQuickPick(
      procs.map((p) => ({
        label: `${p.pid} ${p.name}`,
        description: p.state + (p.hart !== undefined ? ` · hart ${p.hart}` : ''),
        pid: p.pid,
      })),
      { placeHolder: 'Show the page table of which process?' },
    );
    return pick?.pid;
  };
  register('xv6.showPageTable', async (arg) => {
    if (!watch.session) throw new Error('start an xv6 debug session first');
    const pid = typeof arg === 'number' ? arg : await pickProcess();
    if (pid === undefined) return;
    if (!views.pageTables.visible) await vscode.commands.executeCommand('xv6.pageTables.focus');
    const node = await pageTables.nodeOf(pid);
    if (!node) throw new Error(`there is no process with pid ${pid}`);
    await views.pageTables.reveal(node, { select: true, focus: true, expand: true });
  });

  return {
    pageTables,
    traps,
    harts,
    refreshed: async () => {
      // Let a stop the adapter just sent reach the tracker first.
      await new Promise((r) => setImmediate(r));
      let seen: Promise<void>;
      do {
        seen = latest;
        await seen;
      } while (seen !== latest);
    },
  };
}

function topOf(n: ViewNode): TableNode | undefined {
  let cur: ViewNode | undefined = n;
  while (cur && !(cur instanceof TableNode)) cur = cur.parent;
  return cur;
}

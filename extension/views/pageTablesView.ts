/**
 * The Page Tables view (`xv6.pageTables`): the processes from `xv6.processes`, each
 * expanding (lazily, one `xv6.pageTable {pid}` request) into its merged leaf ranges or
 * its Sv39 tree, by the `xv6.pageTables.mode` setting. The process on the stopped hart
 * is marked and expanded. Without a readable process table (no DWARF), the note and the
 * stopped hart's current satp are shown instead.
 */
import * as vscode from 'vscode';
import type { HartInfo, PageTableArguments, PageTableResponse, ProcessInfo } from '../../adapter/protocol';
import {
  currentPid,
  entryRows,
  listedProcesses,
  parseMode,
  processRow,
  rangeRows,
  treeRootRows,
  type PageRow,
  type PageTableMode,
} from './model/pageTables';
import { shortHex } from './model/format';
import { messageNode, RowNode, ViewNode, Xv6TreeProvider } from './node';
import type { SessionWatch } from './session';

/** A row of a page table (a range, or an entry of the tree), maybe with children. */
export class PageNode extends RowNode<PageRow> {
  constructor(
    parent: ViewNode,
    row: PageRow,
    private readonly table: PageTableResponse,
    private readonly prefix: string,
  ) {
    super(parent, row);
  }
  override getChildren(): Promise<ViewNode[]> {
    const kids = this.row.children ?? [];
    return Promise.resolve(
      entryRows(kids, this.table, this.prefix).map((r) => new PageNode(this, r, this.table, this.prefix)),
    );
  }
}

/** A process (or the current satp) whose page table is read when it is expanded. */
export class TableNode extends RowNode {
  constructor(
    private readonly provider: PageTablesProvider,
    row: ConstructorParameters<typeof RowNode>[1],
    readonly args: PageTableArguments,
    readonly process?: ProcessInfo,
  ) {
    super(undefined, row);
  }
  override async getChildren(): Promise<ViewNode[]> {
    let pt: PageTableResponse;
    try {
      pt = await this.provider.table(this.args);
    } catch (e) {
      return [messageNode(this, `${this.row.id}/error`, e)];
    }
    const mode = this.provider.mode;
    const prefix = `${this.row.id}/${mode}`;
    const rows = mode === 'tree' ? treeRootRows(pt, prefix) : rangeRows(pt, prefix);
    if (!rows.length) return [messageNode(this, `${prefix}/empty`, 'no valid entries', 'info')];
    return rows.map((r) => new PageNode(this, r, pt, prefix));
  }
}

export class PageTablesProvider extends Xv6TreeProvider {
  private tables = new Map<string, Promise<PageTableResponse>>();
  /** Set when the setting cannot be written (no workspace, not contributed). */
  private modeOverride: PageTableMode | undefined;
  /** Harts of the latest root load (to pick the memoryReference of a page). */
  harts: HartInfo[] | undefined;

  constructor(private readonly watch: SessionWatch) {
    super();
  }

  get mode(): PageTableMode {
    return this.modeOverride ?? parseMode(vscode.workspace.getConfiguration('xv6').get('pageTables.mode'));
  }

  async toggleMode(): Promise<void> {
    const next: PageTableMode = this.mode === 'tree' ? 'ranges' : 'tree';
    try {
      await vscode.workspace
        .getConfiguration('xv6')
        .update('pageTables.mode', next, vscode.ConfigurationTarget.Global);
      this.modeOverride = undefined;
    } catch {
      this.modeOverride = next;
    }
    this.modeChanged();
  }

  /** Rebuild the nodes (same data, other shape). */
  modeChanged(): void {
    this.invalidateNodes();
    this.changed();
  }

  override invalidate(): void {
    this.tables.clear();
    super.invalidate();
  }

  private invalidateNodes(): void {
    super.invalidate();
  }

  /** One page table per stop (cached), `xv6.pageTable` with these arguments. */
  table(args: PageTableArguments): Promise<PageTableResponse> {
    const key = JSON.stringify(args);
    let p = this.tables.get(key);
    if (!p) {
      p = this.watch.request('xv6.pageTable', args);
      this.tables.set(key, p);
      // A failure is answered to whoever expanded; the next expansion asks again.
      p.catch(() => this.tables.delete(key));
    }
    return p;
  }

  protected override async loadRoots(): Promise<ViewNode[]> {
    const s = this.watch.session;
    if (!s) {
      this.setMessage('Start an xv6 debug session to see its page tables.');
      return [];
    }
    if (!this.watch.ready) {
      this.setMessage('The xv6 debug session is starting…');
      return [];
    }
    const [procs, harts] = await Promise.all([
      this.watch.snapshot('xv6.processes'),
      this.watch.snapshot('xv6.harts').catch(() => undefined),
    ]);
    this.harts = harts?.harts;
    this.setMessage(this.watch.running ? 'The guest is running: pause to read its page tables.' : undefined);
    const stopped = this.watch.stoppedHart;
    const listed = listedProcesses(procs.processes);
    const prefix = s.id;
    if (!listed.length) {
      const hart = stopped ?? 0;
      const h = harts?.harts.find((x) => x.hart === hart);
      const satp = h?.satp ?? '';
      const out: ViewNode[] = [
        messageNode(undefined, `${prefix}/note`, procs.note ?? 'no processes yet', 'info'),
      ];
      out.push(
        new TableNode(
          this,
          {
            id: `${prefix}/satp`,
            label: `current satp of hart ${hart}`,
            description: satp ? shortHex(satp) : '',
            tooltip: `The page table that hart ${hart} translates through now${satp ? ` (satp ${satp})` : ''}`,
            collapsible: 'expanded',
            contextValue: 'xv6.satp',
            icon: 'debug-stackframe',
          },
          { hart },
        ),
      );
      return out;
    }
    const cur = currentPid(listed, harts?.harts, stopped);
    const nodes = listed.map(
      (p) => new TableNode(this, processRow(p, p.pid === cur, prefix), { pid: p.pid }, p),
    );
    // The current process is shown expanded: read its table now, with the rest of the stop.
    const current = nodes.find((n) => n.process?.pid === cur);
    if (current) await this.table(current.args).catch(() => undefined);
    return nodes;
  }

  /** The node of a process in the current roots. */
  async nodeOf(pid: number): Promise<TableNode | undefined> {
    const roots = await this.roots();
    return roots.find((n): n is TableNode => n instanceof TableNode && n.process?.pid === pid);
  }
}

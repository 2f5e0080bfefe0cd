/**
 * The Traps view (`xv6.traps`): the trap log read at each stop (`xv6.trapLog`, latest
 * first) and the traps `xv6.trap` events report while the guest runs. Exceptions are
 * shown; interrupts and system calls when the title bar's toggles say so (the choice is
 * kept in the workspace state and in the context keys `xv6.traps.interrupts` and
 * `xv6.traps.systemCalls` the toggles' menus read); the view's message counts what is
 * hidden. Consecutive repeats are one row that expands. Clicking a trap runs
 * `xv6.traps.reveal`, which asks the adapter for the source line of its sepc (DAP
 * `disassemble` with resolveSymbols) and opens it.
 */
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TrapEventBody } from '../../adapter/protocol';
import {
  filterDescription,
  filterFrom,
  groupRow,
  hiddenMessage,
  noSourceMessage,
  shownTraps,
  sourceOf,
  summaryRow,
  TrapList,
  trapRow,
  TRAP_LIMIT,
  type TrapFilter,
  type TrapGroup,
  type TrapItem,
} from './model/traps';
import { RowNode, ViewNode, Xv6TreeProvider } from './node';
import type { SessionWatch } from './session';

export class TrapNode extends RowNode {
  constructor(
    row: ConstructorParameters<typeof RowNode>[1],
    readonly item: TrapItem,
    parent?: ViewNode,
  ) {
    super(parent, row);
  }
  override getTreeItem(): vscode.TreeItem {
    const item = super.getTreeItem();
    item.command = { command: 'xv6.traps.reveal', title: 'Reveal Source of sepc', arguments: [this] };
    return item;
  }
}

/** Consecutive repeats of one trap: expands to each. */
export class TrapGroupNode extends RowNode {
  constructor(
    row: ConstructorParameters<typeof RowNode>[1],
    private readonly group: TrapGroup,
    private readonly prefix: string,
  ) {
    super(undefined, row);
  }
  override getChildren(): Promise<ViewNode[]> {
    return Promise.resolve(this.group.map((t) => new TrapNode(trapRow(t, this.prefix), t, this)));
  }
}

/** Where the filter is kept (workspace state). */
const FILTER_KEY = 'xv6.traps.filter';

/** Live events redraw the view at most this often (ms). */
const REDRAW_MS = 250;

export class TrapsProvider extends Xv6TreeProvider {
  readonly list = new TrapList(TRAP_LIMIT);
  /** The log of the latest stop has been read into `list`. */
  private loaded: Promise<void> | undefined;
  private redraw: ReturnType<typeof setTimeout> | undefined;
  private filterNow: TrapFilter;
  /** The message of the latest rows (what the filter hides). */
  private hiddenLine: string | undefined;

  constructor(
    private readonly watch: SessionWatch,
    private readonly store?: vscode.Memento,
  ) {
    super();
    this.filterNow = filterFrom(store?.get(FILTER_KEY));
    this.publishFilter();
  }

  get filter(): TrapFilter {
    return this.filterNow;
  }

  /** Show or hide interrupts or system calls: kept, and the view redrawn from what it has. */
  async setFilter(change: Partial<TrapFilter>): Promise<void> {
    this.filterNow = { ...this.filterNow, ...change };
    this.publishFilter();
    super.invalidate();
    this.changed();
    await this.store?.update(FILTER_KEY, this.filterNow);
  }

  /** The context keys of the title bar's toggles, and the view's description. */
  private publishFilter(): void {
    void vscode.commands.executeCommand('setContext', 'xv6.traps.interrupts', this.filterNow.interrupts);
    void vscode.commands.executeCommand('setContext', 'xv6.traps.systemCalls', this.filterNow.systemCalls);
    if (this.view) this.view.description = filterDescription(this.filterNow);
  }

  /** VS Code may not show a message set while the view was collapsed: set it again when it opens. */
  protected override onVisible(visible: boolean): void {
    if (visible && this.hiddenLine !== undefined) this.setMessage(this.hiddenLine);
  }

  override attach(view: vscode.TreeView<ViewNode>): vscode.Disposable {
    const d = super.attach(view);
    view.description = filterDescription(this.filterNow);
    return d;
  }

  override invalidate(): void {
    this.loaded = undefined;
    super.invalidate();
  }

  /** The session changed or ended: forget its traps. */
  clear(): void {
    this.list.clear();
    this.invalidate();
  }

  /** Traps reported while running: append, and redraw soon if shown. */
  onTraps(ev: TrapEventBody): void {
    this.list.append(ev);
    // Rebuild the nodes from the list; a log not read yet is still read (it has these too).
    super.invalidate();
    if (this.redraw === undefined)
      this.redraw = setTimeout(() => {
        this.redraw = undefined;
        this.changed();
      }, REDRAW_MS);
  }

  protected override async loadRoots(): Promise<ViewNode[]> {
    const s = this.watch.session;
    if (!s) {
      this.setMessage('Start an xv6 debug session to see its traps.');
      return [];
    }
    if (!this.watch.ready) {
      this.setMessage('The xv6 debug session is starting…');
      return [];
    }
    this.loaded ??= this.readLog();
    await this.loaded;
    const prefix = s.id;
    const shown = shownTraps(this.list.latest(), this.filterNow);
    this.hiddenLine = this.list.size ? hiddenMessage(shown) : 'No traps yet.';
    this.setMessage(this.hiddenLine);
    const nodes: ViewNode[] = shown.groups.map((g) =>
      g.length === 1
        ? new TrapNode(trapRow(g[0]!, prefix), g[0]!)
        : new TrapGroupNode(groupRow(g, prefix), g, prefix),
    );
    const summary = summaryRow(this.list, prefix);
    if (summary) nodes.push(new RowNode(undefined, summary));
    return nodes;
  }

  private async readLog(): Promise<void> {
    const log = await this.watch.request('xv6.trapLog', { limit: TRAP_LIMIT });
    this.list.replace(log.traps, log.total);
  }

  /** Open the source line of a trap's sepc, or say why there is none. */
  async reveal(node: TrapNode): Promise<void> {
    const t = node.item.trap;
    const res = (await this.watch.dap('disassemble', {
      memoryReference: t.epc,
      instructionCount: 1,
      resolveSymbols: true,
    } satisfies DebugProtocol.DisassembleArguments)) as DebugProtocol.DisassembleResponse['body'] | undefined;
    const loc = sourceOf(res);
    if (!loc) {
      void vscode.window.showInformationMessage(noSourceMessage(t));
      return;
    }
    const line = Math.max(0, loc.line - 1);
    const col = Math.max(0, (loc.column ?? 1) - 1);
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(loc.path));
      await vscode.window.showTextDocument(doc, {
        selection: new vscode.Range(line, col, line, col),
        preview: true,
      });
    } catch {
      void vscode.window.showInformationMessage(
        `sepc ${t.epc} is at ${loc.path}:${loc.line}, but that file cannot be opened (is "sourceMap" needed?)`,
      );
    }
  }

  override dispose(): void {
    if (this.redraw !== undefined) clearTimeout(this.redraw);
    super.dispose();
  }
}

/**
 * The one node class family of the xv6 tree views (after Cortex-Debug's): every node
 * knows its parent (TreeView.reveal needs getParent), makes its TreeItem and lists its
 * children; `RowNode` shows a model `Row` (extension/views/model/rows.ts) as it is.
 * `Xv6TreeProvider` is the TreeDataProvider all three views share: it caches the root
 * nodes until invalidated, knows whether its TreeView is visible and fires changes.
 */
import * as vscode from 'vscode';
import { errorText, messageRow, type Row } from './model/rows';

export abstract class ViewNode {
  constructor(readonly parent: ViewNode | undefined) {}
  abstract getTreeItem(): vscode.TreeItem;
  getChildren(): Promise<ViewNode[]> {
    return Promise.resolve([]);
  }
}

const COLLAPSE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

export function toTreeItem(row: Row): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, COLLAPSE[row.collapsible]);
  item.id = row.id;
  if (row.description !== undefined) item.description = row.description;
  if (row.tooltip !== undefined) item.tooltip = row.tooltip;
  if (row.contextValue !== undefined) item.contextValue = row.contextValue;
  if (row.icon !== undefined) item.iconPath = new vscode.ThemeIcon(row.icon);
  return item;
}

export class RowNode<R extends Row = Row> extends ViewNode {
  constructor(
    parent: ViewNode | undefined,
    readonly row: R,
  ) {
    super(parent);
  }
  override getTreeItem(): vscode.TreeItem {
    return toTreeItem(this.row);
  }
}

/** A node for a failed request or an explanation: one informative row. */
export function messageNode(
  parent: ViewNode | undefined,
  id: string,
  e: unknown,
  kind: 'error' | 'info' = 'error',
): RowNode {
  return new RowNode(parent, messageRow(id, typeof e === 'string' ? e : errorText(e), kind));
}

/** Thrown when the session a request went to is no longer the one shown. */
export class StaleSession extends Error {
  override name = 'StaleSession';
}

export abstract class Xv6TreeProvider implements vscode.TreeDataProvider<ViewNode> {
  private readonly changes = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  view: vscode.TreeView<ViewNode> | undefined;
  private rootNodes: Promise<ViewNode[]> | undefined;
  /** Numbers the ids of error rows (ids must be unique in a tree). */
  private errors = 0;
  /** The data changed while the view was hidden: refresh when it shows. */
  private dirty = false;

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: ViewNode): Promise<ViewNode[]> {
    if (node)
      return node.getChildren().catch((e: unknown) => [messageNode(node, `error${++this.errors}`, e)]);
    return this.roots();
  }

  getParent(node: ViewNode): ViewNode | undefined {
    return node.parent;
  }

  /** The root nodes, loading them (one set of requests) on first use after invalidate(). */
  roots(): Promise<ViewNode[]> {
    this.rootNodes ??= this.loadRoots().catch((e: unknown) =>
      e instanceof StaleSession ? [] : [messageNode(undefined, `error${++this.errors}`, e)],
    );
    return this.rootNodes;
  }

  /** Forget what was read (cheap: sends nothing). */
  invalidate(): void {
    this.rootNodes = undefined;
  }

  /** Tell VS Code to re-read the tree now if it is shown, else when it is shown next. */
  changed(node?: ViewNode): void {
    if (this.visible || !this.view) this.changes.fire(node);
    else this.dirty = true;
  }

  /** Hook the TreeView: refresh on becoming visible when something changed meanwhile. */
  attach(view: vscode.TreeView<ViewNode>): vscode.Disposable {
    this.view = view;
    return view.onDidChangeVisibility((e) => {
      if (e.visible && this.dirty) {
        this.dirty = false;
        this.changes.fire(undefined);
      }
      this.onVisible(e.visible);
    });
  }

  protected onVisible(_visible: boolean): void {}

  protected setMessage(text: string | undefined): void {
    if (this.view) this.view.message = text;
  }

  protected abstract loadRoots(): Promise<ViewNode[]>;

  dispose(): void {
    this.changes.dispose();
  }
}

/*
 * The public API that the xv6 extension's activate() returns. Tests running
 * inside VS Code read it to inspect the views, the console terminal and the
 * status bar without scraping the UI.
 */
import type * as vscode from 'vscode';

export interface Xv6Views {
  pageTables: vscode.TreeDataProvider<unknown>;
  traps: vscode.TreeDataProvider<unknown>;
  harts: vscode.TreeDataProvider<unknown>;
  /** Resolves after the views have re-read the session following the latest stop (for tests). */
  refreshed(): Promise<void>;
}

export interface Xv6ExtensionApi {
  views: Xv6Views;
  /** The console terminal's output so far, for tests (what the guest printed + echo). */
  consoleText(session?: vscode.DebugSession): string;
  /** The status bar text now (for tests). */
  statusText(): string;
}

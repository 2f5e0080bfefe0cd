/**
 * The extension's entry point (bundled to dist/extension.js). `activate()` wires the
 * pieces together and returns the API tests read: the debug adapter runs inline in the
 * extension host (it time-slices the machine, so the host stays responsive), the launch
 * support fills in configurations and builds the tree, F5 starts an xv6 tree that has no
 * launch.json (quickStart.ts), a failed build before a session is said (buildWarning.ts),
 * each session gets a console terminal, a status bar item follows the stopped hart, and
 * the Run and Debug views show page tables, traps and harts.
 */
import * as vscode from 'vscode';
import { nodeHost, type Host } from '../adapter/host';
import { DEBUG_TYPE } from '../adapter/protocol';
import { Xv6DebugSession } from '../adapter/session';
import type { Xv6ExtensionApi } from './api';
import { BuildWarnings } from './buildWarning';
import { registerCommands } from './commands';
import { ConsoleTerminals } from './console';
import { registerLaunchSupport } from './launchSupport';
import { registerQuickStart } from './quickStart';
import { HartStatus } from './status';
import { registerViews } from './views/index';

/** The host's file system, with relative launch paths resolved against the session's folder. */
function hostFor(session: vscode.DebugSession): Host {
  const folder = session.workspaceFolder?.uri;
  if (folder?.scheme !== 'file') return nodeHost;
  return { ...nodeHost, cwd: () => folder.fsPath };
}

export function activate(context: vscode.ExtensionContext): Xv6ExtensionApi {
  const views = registerViews(context);
  const consoles = new ConsoleTerminals();
  const status = new HartStatus();
  context.subscriptions.push(
    consoles,
    status,
    new BuildWarnings(),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: (session) =>
        new vscode.DebugAdapterInlineImplementation(new Xv6DebugSession(hostFor(session))),
    }),
    ...registerLaunchSupport(),
    ...registerQuickStart(),
    ...registerCommands(context, consoles, status),
  );
  return {
    views,
    consoleText: (session) => consoles.text(session),
    statusText: () => status.text,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

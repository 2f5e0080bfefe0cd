/**
 * F5 in an xv6 tree that has no launch.json. VS Code's own F5 with no launch
 * configuration guesses a debugger from the active editor's language, and with no
 * editor (or the Welcome page, a header, the Makefile) it asks which debugger to use.
 * So the extension sets the context key `xv6.startsOnF5` while a workspace folder is an
 * xv6 tree (workspace.ts detectTree) and no launch configuration or compound exists, and
 * contributes F5 bound to `xv6.start` under that key (package.json keybindings, outside
 * debug mode): it starts the tree's configuration, filled in by the configuration
 * provider like a launch.json entry would be; package.json's configurationDefaults adds
 * `xv6.start` to the terminal's commandsToSkipShell, so F5 in a terminal reaches it as it
 * reaches VS Code's own debug.start. With launch configurations, F5 is VS Code's again
 * and runs the selected one.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../adapter/protocol';
import { treeOf } from './launchSupport';
import { isInside, TREE_CONFIG_NAME } from './workspace';

export const START_CONTEXT = 'xv6.startsOnF5';
export const START_COMMAND = 'xv6.start';

/** True when launch settings of `folder` (user, workspace and folder merged) name anything. */
function hasLaunchConfigurations(folder: vscode.WorkspaceFolder | undefined): boolean {
  const launch = vscode.workspace.getConfiguration('launch', folder?.uri);
  const some = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
  return some(launch.get('configurations')) || some(launch.get('compounds'));
}

/** The xv6 tree folders open now. */
async function treeFolders(): Promise<vscode.WorkspaceFolder[]> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const found = await Promise.all(folders.map(async (f) => ((await treeOf(f)) ? f : undefined)));
  return found.filter((f): f is vscode.WorkspaceFolder => f !== undefined);
}

/** The tree to start: the one holding the active editor's file, else the first. */
function pick(trees: readonly vscode.WorkspaceFolder[]): vscode.WorkspaceFolder | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  if (uri?.scheme === 'file') {
    const own = trees.find((f) => f.uri.scheme === 'file' && isInside(uri.fsPath, f.uri.fsPath));
    if (own) return own;
  }
  return trees[0];
}

export function registerQuickStart(): vscode.Disposable[] {
  let generation = 0;
  const update = async (): Promise<void> => {
    const mine = ++generation;
    const trees = await treeFolders();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const configured = hasLaunchConfigurations(undefined) || folders.some(hasLaunchConfigurations);
    if (mine !== generation) return;
    await vscode.commands.executeCommand('setContext', START_CONTEXT, trees.length > 0 && !configured);
  };
  const refresh = (): void => void update().catch(() => undefined);
  // A tree can appear after the folder opened (a clone finishing, a Makefile written).
  const watcher = vscode.workspace.createFileSystemWatcher('**/{Makefile,kernel}', false, true, false);
  refresh();
  return [
    watcher,
    watcher.onDidCreate(refresh),
    watcher.onDidDelete(refresh),
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('launch')) refresh();
    }),
    vscode.commands.registerCommand('xv6.start', async () => {
      const folder = pick(await treeFolders());
      if (!folder) {
        void vscode.window.showErrorMessage(
          'xv6: no xv6 tree is open (a folder with kernel/ and a Makefile); try "xv6: Open the Demo Kernel"',
        );
        return false;
      }
      // The provider fills in the kernel, disk, user programs, harts and the make task.
      return vscode.debug.startDebugging(folder, {
        type: DEBUG_TYPE,
        request: 'launch',
        name: TREE_CONFIG_NAME,
      });
    }),
  ];
}

/**
 * Launching from VS Code: the DebugConfigurationProvider of type `xv6` (the
 * configurations offered for a new launch.json, and the filling-in of F5 with no
 * launch.json or a bare configuration), and the TaskProvider of type `xv6-make` whose
 * `xv6: make` task builds the tree before launch, its gcc errors read by the `$xv6-gcc`
 * problem matcher. What to fill in is decided in workspace.ts; this file only reads the
 * folder and the settings.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../adapter/protocol';
import {
  detectTree,
  fillConfiguration,
  initialConfigurations,
  makeCommand,
  MAKE_TASK_TYPE,
  type FolderProbe,
  type TreeLayout,
} from './workspace';

/** Text files read to detect a tree (the Makefile, conf/lab.mk) are at most this big. */
const MAX_READ = 256 * 1024;

/** The folder as workspace.ts reads it, through VS Code's file system API. */
function folderProbe(root: vscode.Uri): FolderProbe {
  const at = (rel: string): vscode.Uri => vscode.Uri.joinPath(root, ...rel.split('/'));
  return {
    kind: async (rel) => {
      try {
        const st = await vscode.workspace.fs.stat(at(rel));
        if (st.type & vscode.FileType.Directory) return 'dir';
        if (st.type & vscode.FileType.File) return 'file';
        return undefined;
      } catch {
        return undefined;
      }
    },
    read: async (rel) => {
      try {
        const st = await vscode.workspace.fs.stat(at(rel));
        if (!(st.type & vscode.FileType.File) || st.size > MAX_READ) return undefined;
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(at(rel)));
      } catch {
        return undefined;
      }
    },
  };
}

export function treeOf(folder: vscode.WorkspaceFolder | undefined): Promise<TreeLayout | undefined> {
  return folder ? detectTree(folderProbe(folder.uri)) : Promise.resolve(undefined);
}

class Xv6ConfigurationProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(
    folder: vscode.WorkspaceFolder | undefined,
  ): Promise<vscode.DebugConfiguration[]> {
    return initialConfigurations(await treeOf(folder)) as vscode.DebugConfiguration[];
  }

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    // F5 with no launch.json sends {}: fillConfiguration makes it a launch of the tree or the demo.
    const settings = vscode.workspace.getConfiguration('xv6', folder?.uri);
    // The tree is read for its kernel when none is given, and for its Makefile's CPUS always.
    const tree = await treeOf(folder);
    return fillConfiguration(config, config.kernel === undefined ? tree : undefined, {
      harts: settings.get('harts'),
      hartsUserSet: userSet(settings.inspect('harts')),
      ...(tree?.cpus !== undefined ? { treeCpus: tree.cpus } : {}),
      memoryMB: settings.get('memoryMB'),
    }) as vscode.DebugConfiguration;
  }
}

/** True when a setting has a value in some scope, not only its default. */
function userSet(i: ReturnType<vscode.WorkspaceConfiguration['inspect']>): boolean {
  if (!i) return false;
  return [
    i.globalValue,
    i.workspaceValue,
    i.workspaceFolderValue,
    i.globalLanguageValue,
    i.workspaceLanguageValue,
    i.workspaceFolderLanguageValue,
  ].some((v) => v !== undefined);
}

interface MakeTaskDefinition extends vscode.TaskDefinition {
  /** make's targets; default: the tree's kernel and disk image. */
  targets?: string[];
}

function makeTask(folder: vscode.WorkspaceFolder, def: MakeTaskDefinition): vscode.Task {
  const exec = new vscode.ShellExecution(makeCommand(def.targets ?? []), { cwd: folder.uri.fsPath });
  const task = new vscode.Task(def, folder, 'make', 'xv6', exec, '$xv6-gcc');
  task.group = vscode.TaskGroup.Build;
  task.detail = `${makeCommand(def.targets ?? [])} in ${folder.name}`;
  return task;
}

class MakeTaskProvider implements vscode.TaskProvider {
  async provideTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const tree = await treeOf(folder);
      if (tree?.makeTargets)
        tasks.push(makeTask(folder, { type: MAKE_TASK_TYPE, targets: tree.makeTargets }));
    }
    return tasks;
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const def = task.definition as MakeTaskDefinition;
    const folder = task.scope;
    if (def.type !== MAKE_TASK_TYPE || typeof folder !== 'object' || !('uri' in folder)) return undefined;
    const targets = Array.isArray(def.targets)
      ? def.targets.filter((t): t is string => typeof t === 'string')
      : ((await treeOf(folder))?.makeTargets ?? []);
    const resolved = makeTask(folder, { ...def, targets });
    // Keep the definition as written (VS Code matches tasks.json entries by it).
    return new vscode.Task(def, folder, task.name, task.source, resolved.execution, '$xv6-gcc');
  }
}

/**
 * Registers the configuration provider and the make task provider. The provider answers
 * both trigger kinds: Initial (the configurations written into a new launch.json) and
 * Dynamic (the tree's configuration in the Run and Debug pickers, no launch.json needed).
 */
export function registerLaunchSupport(): vscode.Disposable[] {
  const provider = new Xv6ConfigurationProvider();
  return [
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      provider,
      vscode.DebugConfigurationProviderTriggerKind.Initial,
    ),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      { provideDebugConfigurations: (folder) => provider.provideDebugConfigurations(folder) },
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.tasks.registerTaskProvider(MAKE_TASK_TYPE, new MakeTaskProvider()),
  ];
}

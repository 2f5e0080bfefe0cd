/**
 * In-host checks that need no debug session: the extension is loaded from the
 * development path, activates, returns its API, registers every contributed command,
 * and contributes the `xv6` debugger and the three views of the Run and Debug sidebar.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, extensionApi } from './helpers';

const COMMANDS = [
  'xv6.openDemo',
  'xv6.showPageTable',
  'xv6.runTestProgram',
  'xv6.copyBacktrace',
  'xv6.pageTables.toggleMode',
  'xv6.pageTables.openMemory',
  'xv6.pageTables.refresh',
  'xv6.traps.reveal',
  'xv6.traps.refresh',
  'xv6.harts.refresh',
];

interface Contributes {
  debuggers?: { type: string }[];
  views?: Record<string, { id: string }[]>;
  walkthroughs?: { id: string }[];
}

describe('activation', () => {
  it('activates and returns the API with its three views', async () => {
    const api = await extensionApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    for (const v of ['pageTables', 'traps', 'harts'] as const) {
      assert.equal(typeof api.views[v].getChildren, 'function', `api.views.${v} is a TreeDataProvider`);
    }
    assert.equal(typeof api.views.refreshed, 'function');
    assert.equal(typeof api.consoleText(), 'string');
    assert.equal(typeof api.statusText(), 'string');
  });

  it('registers every contributed command', async () => {
    await extensionApi();
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.filter((c) => !all.has(c));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('contributes the xv6 debugger, the Run and Debug views and the walkthrough', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes?: Contributes };
    const c = pkg.contributes ?? {};
    assert.ok(
      c.debuggers?.some((d) => d.type === 'xv6'),
      'a debugger of type xv6',
    );
    assert.deepEqual((c.views?.debug ?? []).map((v) => v.id).sort(), [
      'xv6.harts',
      'xv6.pageTables',
      'xv6.traps',
    ]);
    assert.ok(
      c.walkthroughs?.some((w) => w.id === 'xv6.gettingStarted'),
      'walkthrough xv6.gettingStarted',
    );
  });
});

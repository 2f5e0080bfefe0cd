/**
 * package.json's `contributes` against the code: every command the extension registers
 * is contributed and every contributed one registered, menus name contributed commands
 * and the contextValues the views set, the launch attributes are the fields the adapter
 * accepts, the walkthrough's media exist, activation is on the debugger, an xv6 tree and the demo,
 * and .vscodeignore ships the bundle, the kernel sources and images, and no tests or maps.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

interface Manifest {
  main: string;
  activationEvents: string[];
  engines: { vscode: string };
  contributes: {
    debuggers: {
      type: string;
      languages: string[];
      configurationAttributes: { launch: { properties: Record<string, { description?: string }> } };
    }[];
    commands: { command: string; title: string }[];
    keybindings: { command: string; key: string; when: string }[];
    configurationDefaults: Record<string, unknown>;
    viewsWelcome: { view: string; contents: string; when: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    views: Record<string, { id: string; when?: string }[]>;
    configuration: { properties: Record<string, { default?: unknown }> };
    walkthroughs: { id: string; steps: { media: { markdown?: string } }[] }[];
    taskDefinitions: { type: string }[];
    problemMatchers: { name: string; pattern: { regexp: string } }[];
  };
}
const pkg = JSON.parse(read('package.json')) as Manifest;
const c = pkg.contributes;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Command ids registered in extension/ (the views' refresh ids come from one template). */
function registeredCommands(): Set<string> {
  const ids = new Set<string>();
  for (const f of sources('extension')) {
    const text = read(f);
    for (const m of text.matchAll(/\b(?:reg|register|registerCommand)\(\s*'(xv6\.[\w.]+)'/g)) ids.add(m[1]!);
    if (text.includes('register(`xv6.${key}.refresh`'))
      for (const k of ['pageTables', 'traps', 'harts']) ids.add(`xv6.${k}.refresh`);
  }
  return ids;
}

describe('extension manifest (package.json contributes)', () => {
  it('contributes exactly the commands the extension registers', () => {
    const registered = registeredCommands();
    const contributed = new Set(c.commands.map((x) => x.command));
    assert.ok(registered.size >= 12, `found ${registered.size} registered commands`);
    assert.deepEqual(
      [...registered].filter((id) => !contributed.has(id)),
      [],
      'registered, not contributed',
    );
    assert.deepEqual(
      [...contributed].filter((id) => !registered.has(id)),
      [],
      'contributed, not registered',
    );
  });

  it('menus name contributed commands and contextValues the views set', () => {
    const contributed = new Set(c.commands.map((x) => x.command));
    const viewSources = sources('extension/views').map(read).join('\n');
    for (const [menu, items] of Object.entries(c.menus)) {
      for (const item of items) {
        assert.ok(contributed.has(item.command), `${menu}: ${item.command} is not contributed`);
        for (const m of (item.when ?? '').matchAll(/viewItem == ([\w.]+)/g))
          assert.ok(viewSources.includes(`'${m[1]}'`), `${menu}: no view sets contextValue ${m[1]}`);
      }
    }
    const hidden = c.menus.commandPalette?.filter((x) => x.when === 'false').map((x) => x.command);
    assert.deepEqual(hidden?.sort(), [
      'xv6.pageTables.copyAddress',
      'xv6.pageTables.openMemory',
      'xv6.traps.reveal',
    ]);
  });

  it('the three views in the Run and Debug container, shown for xv6 sessions', () => {
    assert.deepEqual(
      c.views.debug?.map((v) => [v.id, v.when]),
      [
        ['xv6.pageTables', "debugType == 'xv6'"],
        ['xv6.traps', "debugType == 'xv6'"],
        ['xv6.harts', "debugType == 'xv6'"],
      ],
    );
  });

  it('launch attributes are the fields the adapter accepts, each described', () => {
    const launch = read('adapter/launch.ts');
    const block = /KNOWN_FIELDS = new Set\(\[([^\]]*)\]\)/.exec(launch);
    assert.ok(block, 'KNOWN_FIELDS in adapter/launch.ts');
    const known = [...block[1]!.matchAll(/'(\w+)'/g)].map((m) => m[1]!);
    const expected = known.filter((f) => !['type', 'request', 'name', 'noDebug'].includes(f)).sort();
    const props = c.debuggers.find((d) => d.type === 'xv6')?.configurationAttributes.launch.properties ?? {};
    assert.deepEqual(Object.keys(props).sort(), expected);
    for (const [k, v] of Object.entries(props)) assert.ok(v.description, `${k} has a description`);
  });

  it('settings the code reads, with their defaults', () => {
    const p = c.configuration.properties;
    assert.equal(p['xv6.harts']?.default, 1);
    assert.equal(p['xv6.memoryMB']?.default, 128);
    assert.deepEqual(p['xv6.views.autoRefresh']?.default, { pageTables: true, traps: true, harts: true });
    assert.equal(p['xv6.pageTables.mode']?.default, 'ranges');
  });

  it('launch.json templates come from the provider only (VS Code would add static ones to them)', () => {
    const d = c.debuggers.find((x) => x.type === 'xv6') as Record<string, unknown> | undefined;
    assert.ok(d, 'debugger xv6');
    assert.equal(d.initialConfigurations, undefined);
    assert.ok(Array.isArray(d.configurationSnippets) && d.configurationSnippets.length >= 2, 'snippets');
  });

  it("F5 is bound to xv6.start only under the extension's context key, outside debug mode", () => {
    const quick = read('extension/quickStart.ts');
    const key = /START_CONTEXT = '([\w.]+)'/.exec(quick)?.[1];
    assert.equal(key, 'xv6.startsOnF5');
    assert.deepEqual(c.keybindings, [{ command: 'xv6.start', key: 'f5', when: `${key} && !inDebugMode` }]);
    // F5 in a terminal reaches the workbench, as VS Code's own debug.start does.
    assert.deepEqual(c.configurationDefaults, { 'terminal.integrated.commandsToSkipShell': ['xv6.start'] });
    assert.deepEqual(
      c.viewsWelcome.map((w) => [w.view, w.when, /\(command:xv6\.start\)/.test(w.contents)]),
      [['workbench.debug.welcome', key, true]],
    );
    assert.deepEqual(c.debuggers[0]?.languages, ['c', 'cpp', 'asm', 'riscv'], 'headers open as C++');
  });

  it('activation, engine, task type, problem matcher and walkthrough media', () => {
    assert.deepEqual(pkg.activationEvents, [
      'onDebugResolve:xv6',
      'onDebugInitialConfigurations',
      'onDebugDynamicConfigurations:xv6',
      'workspaceContains:kernel/kernel.ld',
      'workspaceContains:kernel/kernel/kernel.ld',
      'workspaceContains:kernel/kernel',
      'onCommand:xv6.openDemo',
    ]);
    assert.equal(pkg.engines.vscode, '^1.80.0');
    assert.equal(pkg.main, './dist/extension.js');
    assert.deepEqual(
      c.taskDefinitions.map((t) => t.type),
      ['xv6-make'],
    );
    const gcc = c.problemMatchers.find((m) => m.name === 'xv6-gcc');
    assert.ok(gcc, 'problem matcher xv6-gcc');
    const m = new RegExp(gcc.pattern.regexp).exec(
      "kernel/vm.c:181:7: error: 'pte' undeclared (first use in this function)",
    );
    assert.deepEqual(m?.slice(1), [
      'kernel/vm.c',
      '181',
      '7',
      'error',
      "'pte' undeclared (first use in this function)",
    ]);
    assert.equal(new RegExp(gcc.pattern.regexp).exec('kernel/vm.c:12:1: note: declared here'), null);
    const w = c.walkthroughs.find((x) => x.id === 'xv6.gettingStarted');
    assert.ok(w && w.steps.length === 5, 'walkthrough with five steps');
    for (const s of w.steps) {
      const md = s.media.markdown;
      assert.ok(md && existsSync(join(ROOT, md)), `walkthrough media ${md}`);
    }
  });

  it('.vscodeignore ships the bundle, kernel images and sources, and no tests or maps', () => {
    const lines = read('.vscodeignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '**', 'everything is left out unless named');
    for (const keep of [
      '!dist/extension.js',
      '!package.json',
      '!README.md',
      '!LICENSE',
      '!media/**',
      '!kernel/prebuilt/**',
      '!kernel/kernel/**',
      '!kernel/user/**',
    ])
      assert.ok(lines.includes(keep), `${keep} in .vscodeignore`);
    assert.ok(lines.includes('**/*.map'), 'source maps left out');
    assert.ok(!lines.some((l) => /^!.*(test|node_modules)/.test(l)), 'no test or node_modules');
    assert.ok(existsSync(join(ROOT, 'LICENSE')), 'LICENSE');
  });
});

/**
 * package.json's `contributes` against the code: every command the extension registers
 * is contributed and every contributed one registered, menus name contributed commands
 * and the contextValues the views set, the launch attributes are the fields the adapter
 * accepts, the walkthrough's media exist, activation is on the debugger, an xv6 tree and the demo,
 * and .vscodeignore ships the bundle, the kernel sources and images, and no tests or maps.
 * The package's face: `npm run package` packs the user README (not the developer one) and
 * the CHANGELOG, the icon is a 128x128 PNG, the repository is named, and the user README
 * documents every setting, launch attribute and exception filter, its images present.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

interface Manifest {
  version: string;
  icon?: string;
  repository?: { type?: string; url?: string };
  scripts: Record<string, string>;
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
      '!README.vsix.md',
      '!CHANGELOG.md',
      '!LICENSE',
      '!media/**',
      '!kernel/prebuilt/**',
      '!kernel/kernel/**',
      '!kernel/user/**',
    ])
      assert.ok(lines.includes(keep), `${keep} in .vscodeignore`);
    assert.ok(lines.includes('**/*.map'), 'source maps left out');
    assert.ok(!lines.includes('!README.md'), 'the developer README stays out of the .vsix');
    assert.ok(!lines.some((l) => /^!.*(test|node_modules)/.test(l)), 'no test or node_modules');
    assert.ok(existsSync(join(ROOT, 'LICENSE')), 'LICENSE');
  });

  describe('the package: README, CHANGELOG, icon, repository', () => {
    /** The value of `flag` in the package script (`--flag value`), or undefined. */
    const flag = (name: string): string | undefined => {
      const words = (pkg.scripts.package ?? '').split(/\s+/);
      const i = words.indexOf(name);
      return i >= 0 ? words[i + 1] : undefined;
    };
    const readmePath = flag('--readme-path');

    it('npm run package packs the user README and the CHANGELOG, and needs no repository override', () => {
      assert.match(pkg.scripts.package ?? '', /\bvsce package\b/);
      assert.ok(readmePath, 'the package script passes --readme-path');
      assert.notEqual(readmePath.toLowerCase(), 'readme.md', 'not the developer README');
      assert.ok(existsSync(join(ROOT, readmePath)), `${readmePath} exists`);
      assert.equal(flag('--changelog-path'), 'CHANGELOG.md');
      assert.ok(
        !/--allow-missing-repository/.test(pkg.scripts.package ?? ''),
        'the repository is set instead',
      );
      // vsce rewrites the README's relative images to the repository: they must stay on.
      assert.ok(!/--no-rewrite-relative-links/.test(pkg.scripts.package ?? ''), 'relative links rewritten');
    });

    it('the CHANGELOG has an entry for this version', () => {
      const log = read('CHANGELOG.md');
      const heading = new RegExp(`^## \\[?${pkg.version.replace(/\./g, '\\.')}\\]?\\b`, 'm');
      assert.match(log, heading, `a "## ${pkg.version}" section`);
    });

    it('the repository is the project on GitHub', () => {
      assert.equal(pkg.repository?.type, 'git');
      assert.match(pkg.repository?.url ?? '', /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    });

    it('the icon is a 128x128 PNG that exists (vsce refuses SVG icons)', () => {
      assert.ok(pkg.icon, 'package.json names an icon');
      const png = readFileSync(join(ROOT, pkg.icon));
      assert.deepEqual(
        [...png.subarray(0, 8)],
        [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
        'PNG signature',
      );
      // IHDR follows the signature: length, type, then width and height (PNG spec 11.2.2).
      assert.equal(png.toString('latin1', 12, 16), 'IHDR');
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    });

    it('the user README documents every setting, launch attribute and exception filter', () => {
      assert.ok(readmePath);
      const readme = read(readmePath);
      for (const key of Object.keys(c.configuration.properties))
        assert.ok(readme.includes(`\`${key}\``), `setting ${key} in ${readmePath}`);
      const props =
        c.debuggers.find((d) => d.type === 'xv6')?.configurationAttributes.launch.properties ?? {};
      for (const key of Object.keys(props))
        assert.ok(readme.includes(`| \`${key}\` |`), `launch attribute ${key} in the table of ${readmePath}`);
      const labels = [...read('adapter/traps.ts').matchAll(/label: '([^']+)'/g)].map((m) => m[1]!);
      assert.equal(labels.length, 4, 'the exception filters of adapter/traps.ts');
      for (const label of labels)
        assert.ok(readme.includes(`| ${label} |`), `filter ${label} in ${readmePath}`);
      // The extension's own commands (xv6.name); the views' (xv6.view.name) sit in their title bars.
      const own = c.commands.filter((x) => /^xv6\.\w+$/.test(x.command));
      assert.ok(own.length >= 5, "the extension's own commands");
      for (const cmd of own)
        assert.ok(readme.includes(`xv6: ${cmd.title}`), `command "xv6: ${cmd.title}" in ${readmePath}`);
    });

    it("the user README's images are in the repository, small, and shipped by .vscodeignore", () => {
      assert.ok(readmePath);
      const images = [...read(readmePath).matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
      assert.ok(images.length >= 2, `screenshots in ${readmePath}`);
      for (const rel of images) {
        assert.match(
          rel,
          /^media\/[\w./-]+\.png$/,
          `${rel}: a PNG under media/, relative to the repository root`,
        );
        const size = statSync(join(ROOT, rel)).size;
        assert.ok(size < 150_000, `${rel} is ${size} bytes`);
      }
      assert.ok(read('.vscodeignore').split('\n').includes('!media/**'), 'media/ is in the .vsix');
    });
  });
});

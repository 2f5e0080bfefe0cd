/**
 * F5 on a freshly opened xv6 tree, in code-server's real workbench through Debian's
 * chromium: the sample tree has no .vscode/launch.json and a Makefile that sets
 * `CPUS := 2` as xv6's does. F5 with no editor open, with a header (`.h`, C++ to VS
 * Code) active and from a terminal starts the tree's session directly, on the Makefile's harts (the status
 * bar says so, and says running once the machine runs); the Run and Debug view's own
 * button starts it and VS Code's "Run and Debug" suggests xv6 first; "create a
 * launch.json file" writes the tree's configuration; "Debug Anyway" after a failed make
 * shows a warning and the debug console names the stale kernel. Fails, never skips, without
 * code-server or chromium.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchWorkbench, type Workbench } from './harness/browser';
import { EXTENSION, REPO, SCREENSHOTS, requireTools } from './harness/paths';
import { startServer, type VsCodeServer } from './harness/server';
import { makeSampleWorkspace, type SampleWorkspace } from './harness/workspace';

const BUDGET_MS = 4 * 60_000;
let deadline = Date.now() + BUDGET_MS;
const within = (ms: number): number => Math.max(1000, Math.min(ms, deadline - Date.now()));

/** The xv6 status bar item's text ('' when hidden). */
const statusText = async (page: Page): Promise<string> =>
  (await page.locator('.statusbar-item', { hasText: /xv6 ·|hart \d/ }).allInnerTexts()).join(' ');

describe('F5 in an xv6 tree without launch.json (code-server + chromium)', function () {
  this.timeout(BUDGET_MS + 60_000);
  let server: VsCodeServer | undefined;
  let wb: Workbench | undefined;
  let ws: SampleWorkspace | undefined;
  let page: Page;

  const shot = async (name: string): Promise<void> => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, name) });
  };

  /** Waits for the debug toolbar and the status bar's `xv6 · 2 harts · running`. */
  const sessionRuns = async (how: string): Promise<void> => {
    await page
      .locator('.debug-toolbar')
      .waitFor({ timeout: within(60_000) })
      .catch(() => assert.fail(`no debug toolbar 60 s after ${how}: no session started`));
    await page
      .locator('.statusbar-item', { hasText: 'xv6 · 2 harts · running' })
      .waitFor({ timeout: within(60_000) })
      .catch(async () =>
        assert.fail(`the status bar does not read "xv6 · 2 harts · running": "${await statusText(page)}"`),
      );
  };

  const stopSession = async (): Promise<void> => {
    await page.keyboard.press('Shift+F5');
    await page
      .locator('.debug-toolbar')
      .waitFor({ state: 'hidden', timeout: within(30_000) })
      .catch(() => assert.fail('the session did not stop after Shift+F5'));
    await page
      .locator('.statusbar-item', { hasText: 'xv6 ·' })
      .waitFor({ state: 'hidden', timeout: within(10_000) })
      .catch(() => undefined);
  };

  /** Opens the Run and Debug view and waits for the extension's welcome button (its context key is set). */
  const debugView = async (): Promise<void> => {
    await page.keyboard.press('Control+Shift+D');
    await page
      .locator('.part.sidebar a', { hasText: 'Debug the xv6 Kernel' })
      .first()
      .waitFor({ timeout: within(60_000) })
      .catch(() => assert.fail('the Run and Debug view does not offer "Debug the xv6 Kernel"'));
  };

  const editorTabs = async (): Promise<string[]> => page.locator('.tabs-container .tab').allInnerTexts();

  before(async () => {
    deadline = Date.now() + BUDGET_MS;
    const tools = requireTools();
    if (EXTENSION === REPO)
      assert.ok(existsSync(join(REPO, 'dist', 'extension.js')), 'dist/extension.js is missing: build first');
    ws = makeSampleWorkspace(undefined, { launchJson: false, cpus: 2 });
    server = await startServer(tools, { env: { EXTENSIONS_GALLERY: '{}' } });
    wb = await launchWorkbench(tools, { width: 1400, height: 900 });
    page = wb.page;
    await page.goto(server.url(ws.root, [['extensionDevelopmentPath', server.remote(EXTENSION)]]));
    await page.locator('.monaco-workbench').waitFor({ timeout: within(90_000) });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      const safe = (this.currentTest.title || 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await shot(`failed-f5-${safe}.png`).catch(() => undefined);
      await page.keyboard.press('Escape').catch(() => undefined);
      await page.keyboard.press('Shift+F5').catch(() => undefined);
    }
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (ws) rmSync(ws.root, { recursive: true, force: true });
  });

  it('F5 with no editor open starts the tree on its Makefile CPUS (2 harts in the status bar)', async () => {
    await debugView();
    assert.deepEqual(await editorTabs(), [], 'no editor is open');
    assert.ok(!existsSync(join(ws!.root, '.vscode', 'launch.json')), 'the tree has no launch.json');
    await page.keyboard.press('F5');
    await sessionRuns('F5 with no editor open');
    await shot('f5-no-editor.png');
    await stopSession();
  });

  it('F5 with a header file (VS Code: C++) active starts it too', async () => {
    await page.keyboard.press('Control+P');
    await page.keyboard.type('riscv.h', { delay: 20 });
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'riscv.h' })
      .first()
      .waitFor({ timeout: within(20_000) });
    await page.keyboard.press('Enter');
    await page
      .locator('.tabs-container .tab.active', { hasText: 'riscv.h' })
      .waitFor({ timeout: within(20_000) })
      .catch(async () => assert.fail(`riscv.h did not open: tabs ${(await editorTabs()).join(', ')}`));
    await page.keyboard.press('F5');
    await sessionRuns('F5 with riscv.h active');
    await stopSession();
  });

  it('F5 with the terminal focused starts it too', async () => {
    // No editor (with a C or C++ one VS Code itself would pick xv6), and the make task's
    // terminal, which stays in the panel, has the keyboard.
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+W');
    await page.waitForTimeout(500);
    assert.deepEqual(await editorTabs(), [], 'no editor is open');
    const terminal = page.locator('.part.panel .xterm-helper-textarea').first();
    await terminal.focus();
    const focused = await page.evaluate<string>('document.activeElement?.className ?? ""');
    assert.match(focused, /xterm-helper-textarea/, 'a terminal has the keyboard focus');
    await page.keyboard.press('F5');
    await sessionRuns('F5 in the terminal');
    await stopSession();
  });

  it("the Run and Debug view's button starts it; VS Code's Run and Debug suggests xv6 first", async () => {
    await debugView();
    await page.locator('.part.sidebar a', { hasText: 'Debug the xv6 Kernel' }).first().click();
    await sessionRuns('the "Debug the xv6 Kernel" button');
    await stopSession();
    await debugView();
    await page
      .locator('.part.sidebar a', { hasText: /^Run and Debug/ })
      .first()
      .click();
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    await first.waitFor({ timeout: within(20_000) });
    const label = await first.innerText();
    assert.match(label, /xv6 \(RISC-V emulator\)/, `the first debugger offered: ${label}`);
    await first.click();
    await sessionRuns('Run and Debug, then xv6');
    await stopSession();
  });

  it('"create a launch.json file" offers xv6 and writes the tree\'s configuration', async () => {
    await debugView();
    await page.locator('.part.sidebar a', { hasText: 'create a launch.json file' }).first().click();
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'xv6 (RISC-V emulator)' });
    await row
      .first()
      .waitFor({ timeout: within(20_000) })
      .catch(() => assert.fail('the debugger picker does not offer xv6'));
    await row.first().click();
    const file = join(ws!.root, '.vscode', 'launch.json');
    const deadlineFile = Date.now() + within(20_000);
    while (!existsSync(file) && Date.now() < deadlineFile) await page.waitForTimeout(200);
    assert.ok(existsSync(file), 'no .vscode/launch.json was written');
    // launch.json is JSON with comments; the written one has only line comments.
    const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    const launch = JSON.parse(text) as { configurations: Record<string, unknown>[] };
    assert.deepEqual(launch.configurations, [
      {
        type: 'xv6',
        request: 'launch',
        name: 'xv6: debug the kernel',
        kernel: '${workspaceFolder}/kernel/kernel',
        disk: '${workspaceFolder}/fs.img',
        userPrograms: '${workspaceFolder}/user',
        preLaunchTask: 'xv6: make',
      },
    ]);
    await shot('f5-launch-json.png');
  });

  it('"Debug Anyway" after a failed make: a warning, and the stale kernel named in the debug console', async () => {
    // A source edited after the last build, and a make that fails on it.
    const later = Date.now() / 1000 + 60;
    utimesSync(join(ws!.root, 'kernel', 'trap.c'), later, later);
    writeFileSync(
      join(ws!.root, 'Makefile'),
      'kernel/kernel: kernel/trap.c\n\t@echo "kernel/trap.c:1:1: error: expected \';\'"; exit 2\n\nfs.img:\n\t@true\n',
    );
    await page.keyboard.press('Escape');
    await page.keyboard.press('F5');
    const anyway = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Debug Anyway' });
    await anyway
      .first()
      .waitFor({ timeout: within(30_000) })
      .catch(() => assert.fail('VS Code did not offer "Debug Anyway" after the failed make'));
    await anyway.first().click();
    await page
      .locator('.debug-toolbar')
      .waitFor({ timeout: within(60_000) })
      .catch(() => assert.fail('no session after Debug Anyway'));
    // The notification (a toast, or in headless chromium only the bell's list).
    const note = page.locator('.notifications-toasts, .notifications-center', {
      hasText: 'make failed (exit code 2)',
    });
    await page.waitForTimeout(1000);
    if ((await note.count()) === 0)
      await page
        .locator('.statusbar [aria-label*="Notifications"], .statusbar [id*="notifications"] a')
        .first()
        .click();
    await note
      .first()
      .waitFor({ timeout: within(20_000) })
      .catch(() => assert.fail('no warning notification about the failed make'));
    await shot('f5-debug-anyway.png');
    await page.keyboard.press('Control+Shift+Y');
    await page
      .locator('.repl', {
        hasText: 'kernel/kernel is older than kernel/trap.c: the last build may have failed',
      })
      .first()
      .waitFor({ timeout: within(20_000) })
      .catch(async () =>
        assert.fail(
          `the debug console does not name the stale kernel:\n${(await page.locator('.repl').allInnerTexts()).join('\n')}`,
        ),
      );
    await stopSession();
  });
});

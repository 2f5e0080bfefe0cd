/**
 * A student's first minutes on an upstream-shaped tree, in code-server's real workbench
 * through Debian's chromium: upstream xv6 (../shared/xv6-riscv, MIT's kernel and fs.img
 * as its own Makefile builds them; see its README) laid out as a tree — `kernel/kernel`,
 * `fs.img`, a `user/` folder with nothing built in it, a Makefile with xv6's `CPUS := 3`
 * and modern virtio — with no launch.json and no editor (or only the Welcome page) open. F5 starts it on three harts
 * (the status bar says so) to the shell's prompt; the "Page faults" filter stops
 * `usertests textwrite` at the faulting function of usertests (named from the disk
 * image's programs), with the Trap scope in words (screenshot upstream-page-fault.png).
 * Skipped, with a note, when ../shared/xv6-riscv is absent; fails, never skips, without
 * code-server or chromium.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchWorkbench, pane, terminalText, type Workbench } from './harness/browser';
import { EXTENSION, REPO, SCREENSHOTS, requireTools } from './harness/paths';
import { startServer, type VsCodeServer } from './harness/server';
import { SETTINGS } from './harness/workspace';

const UPSTREAM = process.env.XV6_UPSTREAM ?? join(REPO, '..', 'shared', 'xv6-riscv');

/** The tree's Makefile: its images are prebuilt (make has nothing to do), with xv6's CPUS and QEMU options. */
const MAKEFILE = `# An upstream-shaped xv6 tree for the extension tests: the kernel and disk are prebuilt.
CPUS := 3
QEMUOPTS = -machine virt -bios none -kernel kernel/kernel -m 128M -smp $(CPUS) -nographic
QEMUOPTS += -global virtio-mmio.force-legacy=false

kernel/kernel:
\t@echo "kernel/kernel is prebuilt"

fs.img:
\t@echo "fs.img is prebuilt"
`;

const BUDGET_MS = 4 * 60_000;
let deadline = Date.now() + BUDGET_MS;
const within = (ms: number): number => Math.max(1000, Math.min(ms, deadline - Date.now()));

describe('F5 on upstream xv6 laid out as a tree (code-server + chromium)', function () {
  this.timeout(BUDGET_MS + 60_000);
  let server: VsCodeServer | undefined;
  let wb: Workbench | undefined;
  let root: string | undefined;
  let page: Page;

  before(async function () {
    if (!existsSync(join(UPSTREAM, 'kernel')) || !existsSync(join(UPSTREAM, 'fs.img'))) {
      console.log(`    (skipped: no upstream xv6 at ${UPSTREAM})`);
      this.skip();
    }
    deadline = Date.now() + BUDGET_MS;
    const tools = requireTools();
    root = mkdtempSync(join(tmpdir(), 'xv6-upstream-'));
    for (const d of ['kernel', 'user', '.vscode']) mkdirSync(join(root, d));
    copyFileSync(join(UPSTREAM, 'kernel'), join(root, 'kernel', 'kernel'));
    copyFileSync(join(UPSTREAM, 'fs.img'), join(root, 'fs.img'));
    writeFileSync(join(root, 'Makefile'), MAKEFILE);
    writeFileSync(join(root, '.vscode', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
    server = await startServer(tools, { env: { EXTENSIONS_GALLERY: '{}' } });
    wb = await launchWorkbench(tools, { width: 1600, height: 1000 });
    page = wb.page;
    await page.goto(server.url(root, [['extensionDevelopmentPath', server.remote(EXTENSION)]]));
    await page.locator('.monaco-workbench').waitFor({ timeout: within(90_000) });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'failed-upstream.png') }).catch(() => undefined);
    }
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('F5 with no editor (or the Welcome page) open boots it on the Makefile’s 3 harts to the shell prompt', async () => {
    await page.keyboard.press('Control+Shift+D');
    await page
      .locator('.part.sidebar a', { hasText: 'Debug the xv6 Kernel' })
      .first()
      .waitFor({ timeout: within(60_000) })
      .catch(() => assert.fail('the Run and Debug view does not offer "Debug the xv6 Kernel"'));
    // No editor, or VS Code's Welcome page (both are what a freshly opened folder shows).
    const tabs = await page.locator('.tabs-container .tab').allInnerTexts();
    assert.ok(
      tabs.every((t) => /Welcome/.test(t)),
      `no source editor is open: ${tabs.join(', ')}`,
    );
    await page.keyboard.press('F5');
    await page
      .locator('.statusbar-item', { hasText: 'xv6 · 3 harts · running' })
      .waitFor({ timeout: within(60_000) })
      .catch(() => assert.fail('the status bar does not read "xv6 · 3 harts · running"'));
    await page
      .locator('.xterm-rows', { hasText: '$ ' })
      .first()
      .waitFor({ timeout: within(90_000) })
      .catch(async () => assert.fail(`no shell prompt in the terminal:\n${await terminalText(page)}`));
  });

  it('the Page faults filter stops usertests textwrite at its function, with the Trap scope (screenshot upstream-page-fault.png)', async () => {
    const breakpoints = pane(page, 'Breakpoints');
    const filter = breakpoints.locator('.monaco-list-row', { hasText: 'Page faults' });
    await filter.waitFor({ timeout: within(30_000) });
    if ((await filter.getAttribute('aria-checked')) !== 'true')
      await filter.locator('.monaco-checkbox').click();
    await breakpoints
      .locator('.monaco-list-row[aria-checked="true"]', { hasText: 'Page faults' })
      .waitFor({ timeout: within(10_000) })
      .catch(() => assert.fail('the Page faults filter did not become ticked'));
    await page.locator('.part.panel .xterm:visible').first().click();
    await page.keyboard.type('usertests textwrite\n', { delay: 20 });
    const stack = pane(page, 'Call Stack');
    await stack
      .getByText(/textwrite \(usertests\)/)
      .first()
      .waitFor({ timeout: within(120_000) })
      .catch(async () => assert.fail(`no stop in textwrite:\n${await stack.innerText()}`));
    const frames = await stack.innerText();
    assert.match(frames, /uservec/, `the trap vector is the innermost frame:\n${frames}`);
    assert.match(frames, /trap from user: Store\/AMO page fault at 0x/, `the trap:\n${frames}`);
    const variables = pane(page, 'Variables');
    const trapScope = variables.locator('.monaco-list-row', { hasText: /^\s*Trap\s*$/ }).first();
    await trapScope
      .waitFor({ timeout: within(10_000) })
      .catch(async () => assert.fail(`no Trap scope:\n${await variables.innerText()}`));
    if ((await trapScope.getAttribute('aria-expanded')) === 'false') await trapScope.click();
    await variables
      .getByText(/15 Store\/AMO page fault/)
      .first()
      .waitFor({ timeout: within(10_000) })
      .catch(async () => assert.fail(`no Trap scope with scause in words:\n${await variables.innerText()}`));
    assert.match(
      await variables.innerText(),
      /textwrite \(usertests\.c:\d+\)/,
      'sepc as function (file:line)',
    );
    await page.mouse.move(900, 700);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'upstream-page-fault.png') });
  });
});

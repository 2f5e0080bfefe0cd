/**
 * UI tests in code-server's real VS Code workbench, driven through Debian's chromium
 * with playwright-core (mocha under Node 20): open the sample xv6 tree with the
 * extension under development, press F5, tick the adapter's "Page faults" exception
 * filter in the Breakpoints view, type `lazytests` into the console terminal, and once
 * the session has stopped, check that the editor shows the faulting user line, the Page
 * Tables and Traps views in the DOM, then a usertrap function breakpoint's stack with the
 * user frames, and save screenshots under test/output/screenshots/. Fails, never skips, without
 * code-server or chromium.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { launchWorkbench, pane, terminalText, type Workbench } from './harness/browser';
import { EXTENSION, REPO, SCREENSHOTS, requireTools } from './harness/paths';
import { startServer, type VsCodeServer } from './harness/server';
import { makeSampleWorkspace, type SampleWorkspace } from './harness/workspace';

async function expand(page: Page, title: string, open: boolean): Promise<void> {
  const header = pane(page, title).locator('.pane-header').first();
  if ((await header.count()) === 0) return;
  const expanded = (await header.getAttribute('aria-expanded')) === 'true';
  if (expanded !== open) await header.click();
}

/** Drags the sash at the sidebar's right edge so the views show their descriptions. */
async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/** The whole UI run's limit, so that with the in-host run the extension tests stay under 10 min. */
const BUDGET_MS = 4 * 60_000;
let deadline = Date.now() + BUDGET_MS;
/** A wait's timeout: `ms`, cut to what is left of the budget (at least 1 s, so it fails with its own message). */
const within = (ms: number): number => Math.max(1000, Math.min(ms, deadline - Date.now()));

describe('the workbench UI (code-server + chromium)', function () {
  this.timeout(BUDGET_MS + 60_000);
  let server: VsCodeServer | undefined;
  let wb: Workbench | undefined;
  let ws: SampleWorkspace | undefined;
  let page: Page;

  const shot = async (name: string, target?: Locator): Promise<string> => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, name);
    if (target) await target.screenshot({ path: file });
    else await page.screenshot({ path: file });
    return file;
  };

  before(async () => {
    deadline = Date.now() + BUDGET_MS;
    const tools = requireTools();
    if (EXTENSION === REPO) {
      assert.ok(
        existsSync(join(REPO, 'dist', 'extension.js')),
        'dist/extension.js is missing: run the build first',
      );
    }
    ws = makeSampleWorkspace();
    server = await startServer(tools, { env: { EXTENSIONS_GALLERY: '{}' } });
    wb = await launchWorkbench(tools, { width: 1600, height: 1000 });
    page = wb.page;
    await page.goto(server.url(ws.root, [['extensionDevelopmentPath', server.remote(EXTENSION)]]));
    await page.locator('.monaco-workbench').waitFor({ timeout: within(90_000) });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      const safe = (this.currentTest.title || 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await shot(`failed-${safe}.png`).catch(() => undefined);
    }
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (ws) rmSync(ws.root, { recursive: true, force: true });
  });

  it('Start Debugging (F5) starts the sample tree and its console terminal shows the shell prompt', async () => {
    await page.keyboard.press('Control+Shift+D');
    await pane(page, 'Breakpoints')
      .first()
      .waitFor({ timeout: within(30_000) });
    // The green Start Debugging button of the Run and Debug view (what F5 runs).
    await page.locator('.part.sidebar [aria-label^="Start Debugging"]').first().click();
    // Move away so the button's hover does not cover the views.
    await page.mouse.move(900, 700);
    await page.keyboard.press('Escape');
    await page
      .locator('.debug-toolbar')
      .waitFor({ timeout: within(60_000) })
      .catch(() => assert.fail('no debug toolbar 60 s after F5: the session did not start'));
    await page
      .locator('.xterm-rows', { hasText: '$ ' })
      .first()
      .waitFor({ timeout: within(90_000) })
      .catch(async () => assert.fail(`no shell prompt in the terminal:\n${await terminalText(page)}`));
  });

  it('the "Page faults" exception filter stops lazytests typed into the terminal', async () => {
    await expand(page, 'Breakpoints', true);
    const filter = pane(page, 'Breakpoints').locator('.monaco-list-row', { hasText: 'Page faults' });
    await filter.waitFor({ timeout: within(30_000) });
    // The row is an ARIA checkbox; its .monaco-checkbox toggles it.
    if ((await filter.getAttribute('aria-checked')) !== 'true')
      await filter.locator('.monaco-checkbox').click();
    await pane(page, 'Breakpoints')
      .locator('.monaco-list-row[aria-checked="true"]', { hasText: 'Page faults' })
      .waitFor({ timeout: within(10_000) })
      .catch(() => assert.fail('the Page faults filter did not become ticked'));
    await page.locator('.xterm').first().click();
    await page.keyboard.type('lazytests\n', { delay: 20 });
    await page
      .locator('.xterm-rows', { hasText: 'lazytests' })
      .first()
      .waitFor({ timeout: within(30_000) })
      .catch(async () => assert.fail(`the terminal did not echo lazytests:\n${await terminalText(page)}`));
    // The Call Stack header names why the session stopped: "Store/AMO page fault at 0x…".
    await pane(page, 'Call Stack')
      .locator('.pane-header')
      .getByText(/page fault/i)
      .first()
      .waitFor({ timeout: within(120_000) })
      .catch(() => assert.fail('the session did not stop on the page fault in time'));
    // The stop is at the faulting line of the user program: its source is the active
    // editor, below the trap vector and the trap in the Call Stack.
    await page
      .locator('.tabs-container .tab.active', { hasText: 'lazytests.c' })
      .waitFor({ timeout: within(30_000) })
      .catch(async () =>
        assert.fail(
          `the editor did not open lazytests.c: ${await page.locator('.tabs-container').innerText()}`,
        ),
      );
    const stack = pane(page, 'Call Stack');
    await stack
      .getByText(/\(lazytests\)/)
      .first()
      .waitFor({ timeout: within(10_000) })
      .catch(async () => assert.fail(`no lazytests frame in the Call Stack:\n${await stack.innerText()}`));
    const frames = await stack.innerText();
    assert.match(frames, /uservec/, `the trap vector is the innermost frame:\n${frames}`);
    assert.match(frames, /trap from user: (Load|Store\/AMO) page fault at 0x/, `the trap:\n${frames}`);
    assert.match(frames, /\w+ \(lazytests\)\s+lazytests\.c/, `the faulting frame has its source:\n${frames}`);
    await page.mouse.move(900, 700);
    await shot('page-fault-stop.png');
  });

  it('the Page Tables view lists lazytests (screenshot page-tables.png)', async () => {
    // The empty secondary side bar (chat) only takes room from the screenshots (its own
    // button: the terminal has the keyboard focus here).
    const hideAux = page.locator('.part.auxiliarybar [aria-label^="Hide Secondary Side Bar"]');
    if (await hideAux.isVisible()) await hideAux.click();
    await widenSidebar(page, 720);
    for (const t of ['Variables', 'Watch', 'Call Stack', 'Breakpoints', 'Traps'])
      await expand(page, t, false);
    await expand(page, 'Page Tables', true);
    const view = pane(page, 'Page Tables');
    await view
      .locator('.monaco-list-row', { hasText: 'lazytests' })
      .first()
      .waitFor({ timeout: within(30_000) })
      .catch(async () => assert.fail(`no lazytests row in the Page Tables view:\n${await view.innerText()}`));
    const text = await view.innerText();
    assert.match(
      text,
      /lazytests\s*running.*current/,
      `the running lazytests is the current process:\n${text}`,
    );
    assert.match(text, /trampoline/, `the trampoline range is labelled:\n${text}`);
    assert.match(
      text,
      /· text[\s\S]*· data[\s\S]*· guard[\s\S]*· stack/,
      `user ranges are labelled:\n${text}`,
    );
    assert.match(text, /not mapped.*lazy/, `the lazy region is labelled:\n${text}`);
    await shot('page-tables.png', view);
  });

  it('the Traps view shows the page fault, interrupts on demand (screenshots traps.png, traps-interrupts.png)', async () => {
    await expand(page, 'Page Tables', false);
    await expand(page, 'Traps', true);
    const view = pane(page, 'Traps');
    const row = view.locator('.monaco-list-row', { hasText: /page fault/i }).first();
    await row
      .waitFor({ timeout: within(30_000) })
      .catch(async () => assert.fail(`no page-fault row in the Traps view:\n${await view.innerText()}`));
    const fault = await row.innerText();
    assert.match(fault, /Store\/AMO page fault|Load page fault/, 'the cause in words');
    assert.match(fault, /stval 0x[0-9a-f]+/, 'the faulting address');
    assert.match(fault, /pid \d+ lazytests/, 'the process');
    assert.match(fault, /sepc \w+ \(lazytests\)/, 'sepc as function (program)');
    assert.match(fault, /insn [\d,]+/, 'the instruction count');
    // Exceptions only by default: the interrupts are counted above the rows, not listed.
    await view
      .getByText(/^Hidden: \d+ interrupts?/)
      .waitFor({ timeout: within(10_000) })
      .catch(async () => assert.fail(`no count of the hidden traps:\n${await view.innerText()}`));
    const text = await view.innerText();
    assert.doesNotMatch(text, /timer interrupt/i, `no interrupt rows by default:\n${text}`);
    assert.match(text, /Hidden: \d+ interrupts?/, `the view says what it hides:\n${text}`);
    assert.match(text, /exceptions/, `the title says what is shown:\n${text}`);
    await shot('traps.png', view);

    // The title bar's toggle (shown while the pointer is over the view) shows them.
    const header = view.locator('.pane-header').first();
    await header.hover();
    await header.locator('.action-label[aria-label^="Show Interrupts"]').click();
    await view
      .locator('.monaco-list-row', { hasText: /timer interrupt/i })
      .first()
      .waitFor({ timeout: within(10_000) })
      .catch(async () => assert.fail(`no timer interrupt rows once shown:\n${await view.innerText()}`));
    // The message follows the rows shortly (VS Code sends it apart from them).
    await view
      .getByText(/^Hidden: \d+ system calls?/)
      .waitFor({ timeout: within(10_000) })
      .catch(async () => assert.fail(`no count of the system calls hidden:\n${await view.innerText()}`));
    const shown = await view.innerText();
    assert.match(shown, /page fault/i, 'the fault is still listed');
    assert.match(
      shown,
      /timer interrupt[^\n]*×\d+|no process · sepc scheduler/,
      `interrupts with their place:\n${shown}`,
    );
    assert.doesNotMatch(shown, /Hidden: \d+ interrupts?/, 'no interrupts hidden now');
    await header.hover();
    assert.ok(
      await header.locator('.action-label[aria-label^="Hide Interrupts"]').isVisible(),
      'the toggle turns',
    );
    await page.mouse.move(900, 700);
    await shot('traps-interrupts.png', view);
    await shot('workbench.png');
  });

  it('a usertrap breakpoint shows the user frames below the trap (screenshot usertrap-stop.png)', async () => {
    await expand(page, 'Traps', false);
    await expand(page, 'Breakpoints', true);
    const breakpoints = pane(page, 'Breakpoints');
    const filter = breakpoints.locator('.monaco-list-row[aria-checked="true"]', { hasText: 'Page faults' });
    if ((await filter.count()) > 0) await filter.locator('.monaco-checkbox').click();
    // Debug: Add Function Breakpoint opens an input in the Breakpoints view.
    await page.keyboard.press('F1');
    await page.keyboard.type('Debug: Add Function Breakpoint', { delay: 10 });
    await page.keyboard.press('Enter');
    const input = breakpoints.locator('input').first();
    await input
      .waitFor({ timeout: within(10_000) })
      .catch(() => assert.fail('Add Function Breakpoint opened no input in the Breakpoints view'));
    await input.fill('usertrap');
    await input.press('Enter');
    await breakpoints
      .locator('.monaco-list-row', { hasText: 'usertrap' })
      .first()
      .waitFor({ timeout: within(10_000) })
      .catch(async () => assert.fail(`no usertrap breakpoint listed:\n${await breakpoints.innerText()}`));
    await expand(page, 'Call Stack', true);
    await page.locator('.debug-toolbar .action-label[aria-label^="Continue"]').first().click();
    await page
      .locator('.tabs-container .tab.active', { hasText: 'trap.c' })
      .waitFor({ timeout: within(60_000) })
      .catch(async () =>
        assert.fail(`no stop in trap.c: ${await page.locator('.tabs-container').innerText()}`),
      );
    const stack = pane(page, 'Call Stack');
    await stack
      .getByText(/\(lazytests\)/)
      .first()
      .waitFor({ timeout: within(10_000) })
      .catch(async () => assert.fail(`no lazytests frame in the Call Stack:\n${await stack.innerText()}`));
    const frames = await stack.innerText();
    assert.match(frames, /usertrap\s+trap\.c/, `usertrap with its source:\n${frames}`);
    assert.match(frames, /trap from user/, `the boundary:\n${frames}`);
    assert.match(frames, /main \(lazytests\)\s+lazytests\.c/, `the program's main:\n${frames}`);
    await page.mouse.move(900, 700);
    await shot('usertrap-stop.png');
  });
});

/**
 * Headless Debian chromium driven by playwright-core, as the workbench client of the
 * VS Code server. Only the flags that keep a sandboxed CI machine quiet are passed: no
 * GPU, no sandbox (root in a container), no background network, sync or updates.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { Tools } from './paths';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Workbench {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The page's console messages so far (for diagnosing a failure). */
  console(): string[];
  close(): Promise<void>;
}

export async function launchWorkbench(
  tools: Tools,
  viewport = { width: 1400, height: 900 },
): Promise<Workbench> {
  const browser = await chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ viewport });
  // The workbench's clipboard is the page's (xv6.copyBacktrace is checked through it).
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const messages: string[] = [];
  page.on('console', (m) => {
    messages.push(`[${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    messages.push(`[pageerror] ${e.message}`);
  });
  return {
    browser,
    context,
    page,
    console: () => messages,
    close: async () => {
      await browser.close().catch(() => undefined);
    },
  };
}

/** The sidebar pane whose header reads `title` (Run and Debug view). */
export const pane = (page: Page, title: string): Locator =>
  page
    .locator('.pane')
    .filter({ has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}`, 'i') }) });

/** The text of the terminals (DOM renderer: terminal.integrated.gpuAcceleration off). */
export const terminalText = async (page: Page): Promise<string> =>
  (await page.locator('.xterm-rows').allInnerTexts()).join('\n');

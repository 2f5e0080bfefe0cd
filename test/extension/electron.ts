/**
 * The same in-host suite under `@vscode/test-electron`, for machines where desktop
 * VS Code can be downloaded (this project's CI cannot, so it runs the suite in
 * code-server instead: scripts/vscode-test/run.mjs). Usage:
 *   node scripts/build.mjs && npx tsx test/extension/electron.ts [VSCODE_VERSION]
 * It bundles the suite, makes the sample xv6 tree, downloads VS Code (default: stable)
 * into .vscode-test/, and exits with the suite's status.
 */
import { runTests } from '@vscode/test-electron';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleSuite } from './harness/host-suite';
import { EXTENSION, OUT } from './harness/paths';
import { makeSampleWorkspace } from './harness/workspace';
import { REPORT_ENV } from './suite/report';

async function main(): Promise<number> {
  const extensionTestsPath = await bundleSuite();
  const ws = makeSampleWorkspace();
  try {
    return await runTests({
      version: process.argv[2] ?? 'stable',
      extensionDevelopmentPath: EXTENSION,
      extensionTestsPath,
      extensionTestsEnv: { [REPORT_ENV]: join(OUT, 'electron-report.json') },
      launchArgs: [ws.root, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
    });
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`test-electron: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

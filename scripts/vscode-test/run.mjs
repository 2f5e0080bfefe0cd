#!/usr/bin/env node
// Runs the extension's in-host mocha suite inside code-server's real VS Code, without
// mocha around it: builds the extension, then hands over to
// test/extension/harness/host-suite.ts (loaded through tsx), streams the suite's log,
// prints which checks passed and failed, and exits with the suite's status (1 on a
// failure or the 5-minute limit). Needs scripts/vscode-test/install.sh to have run.
//   node scripts/vscode-test/run.mjs [--grep PATTERN]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const gi = args.indexOf('--grep');
const grep = gi >= 0 ? args[gi + 1] : undefined;

const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(1);

// tsx's global CommonJS hook (its namespaced require breaks esbuild's binary lookup).
register();
const { runHostSuite } = createRequire(import.meta.url)(
  join(root, 'test', 'extension', 'harness', 'host-suite.ts'),
);
const start = Date.now();
try {
  const run = await runHostSuite({ grep, onLog: (line) => console.log(`│ ${line}`) });
  const r = run.report;
  if (r) {
    for (const t of r.tests)
      console.log(`${t.state === 'passed' ? 'ok  ' : t.state.toUpperCase()}  ${t.title}`);
    if (r.fatal) console.log(`fatal: ${r.fatal}`);
    for (const [name, value] of Object.entries(r.metrics ?? {})) console.log(`measured: ${name} = ${value}`);
    console.log(`${r.passed} passed, ${r.failed} failed`);
  } else {
    console.log('the suite wrote no report');
  }
  console.log(`extension host exit code ${run.code} after ${((Date.now() - start) / 1000).toFixed(0)} s`);
  process.exit(run.code === 0 && r && r.failed === 0 && r.passed > 0 ? 0 : 1);
} catch (e) {
  console.error(`vscode-test: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

/**
 * Runs the in-host suite (test/extension/suite) inside code-server's real VS Code, from
 * plain mocha under Node 20: the suite's log is streamed with a `│` margin, the figures it
 * measured are printed (they are in test/out/extension/host-report.json too), and the
 * test fails, listing the failed checks, unless every in-host test passed. It fails, never
 * skips, when code-server, Node 24 or chromium is missing (see
 * scripts/vscode-test/install.sh).
 */
import * as assert from 'node:assert/strict';
import { runHostSuite } from './harness/host-suite';

describe('the extension inside a real VS Code (code-server + chromium)', function () {
  this.timeout(6 * 60_000);

  it('runs the in-host suite and every check passes', async () => {
    const run = await runHostSuite({
      timeoutMs: 5 * 60_000,
      grep: process.env.XV6_EXT_TEST_GREP,
      onLog: (line) => {
        if (line.trim()) process.stdout.write(`      │ ${line}\n`);
      },
    });
    const r = run.report;
    assert.ok(
      r,
      `the suite wrote no report (extension host exit code ${run.code}):\n${run.log.slice(-40).join('\n')}`,
    );
    for (const [name, value] of Object.entries(r.metrics ?? {}))
      process.stdout.write(`      measured: ${name} = ${value}\n`);
    assert.equal(r.fatal, undefined, `the suite could not load: ${r.fatal}`);
    const failed = r.tests.filter((t) => t.state === 'failed');
    if (failed.length > 0) {
      const lines = failed.map((t) => `  ✗ ${t.title}\n      ${(t.error ?? '').split('\n')[0]}`);
      assert.fail(`${failed.length} of ${r.tests.length} in-host checks failed:\n${lines.join('\n')}`);
    }
    assert.ok(r.passed > 0, 'the in-host suite ran no test');
    assert.equal(r.pending, 0, 'no in-host test may be skipped');
    assert.equal(run.code, 0, `extension host exit code ${run.code}`);
  });
});

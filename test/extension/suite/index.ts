/**
 * Entry point of the in-host suite: VS Code loads this module as `extensionTestsPath`
 * (in code-server's workbench through scripts/vscode-test, or in desktop VS Code through
 * test/extension/electron.ts) and awaits `run()`. It sets up mocha's BDD globals, loads
 * the test files (lazily, so `describe` exists when they run), runs them with a plain
 * reporter (one prefixed line per event: the workbench forwards console lines without
 * their format arguments, which garbles mocha's own reporters), writes the per-test
 * report for the runner, and rejects when a test failed, which makes the extension host
 * exit non-zero.
 */
import Mocha from 'mocha';
import { writeFileSync } from 'node:fs';
import { metrics, REPORT_ENV, SUITE_PREFIX, type SuiteReport } from './report';

const say = (text: string): void => {
  for (const line of text.split('\n')) console.log(SUITE_PREFIX + line);
};

const errorText = (err: unknown): string => {
  const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return msg.split('\n').slice(0, 14).join('\n');
};

export async function run(): Promise<void> {
  const report: SuiteReport = { passed: 0, failed: 0, pending: 0, tests: [], metrics };
  const save = (): void => {
    const file = process.env[REPORT_ENV];
    if (file) writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  };
  const { EVENT_SUITE_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
  /** A mocha reporter: mocha constructs it with the runner. */
  class PlainReporter extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      runner.on(EVENT_SUITE_BEGIN, (s: Mocha.Suite) => {
        if (s.title) say(`${s.title}`);
      });
      runner.on(EVENT_TEST_PASS, (t: Mocha.Test) => {
        report.passed++;
        report.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
        say(`  ✓ ${t.title} (${t.duration ?? 0} ms)`);
      });
      runner.on(EVENT_TEST_FAIL, (t: Mocha.Test, err: unknown) => {
        report.failed++;
        report.tests.push({
          title: t.fullTitle(),
          state: 'failed',
          error: errorText(err),
          durationMs: t.duration,
        });
        say(`  ✗ ${t.title}\n${errorText(err).replace(/^/gm, '      ')}`);
      });
      runner.on(EVENT_TEST_PENDING, (t: Mocha.Test) => {
        report.pending++;
        report.tests.push({ title: t.fullTitle(), state: 'pending' });
        say(`  - ${t.title} (pending)`);
      });
    }
  }

  const mocha = new Mocha({ ui: 'bdd', timeout: 180_000, color: false, reporter: PlainReporter });
  const grep = process.env.XV6_EXT_TEST_GREP;
  if (grep) mocha.grep(grep);
  try {
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'xv6-extension-suite', mocha);
    await import('./activation.test');
    await import('./debugging.test');
    await import('./responsiveness.test');
    await import('./stepping.test');
    await import('./panic.test');
  } catch (e) {
    report.fatal = errorText(e);
    save();
    say(`the suite could not load: ${report.fatal}`);
    throw e;
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  save();
  say(`in-host suite: ${report.passed} passing, ${report.failed} failing, ${report.pending} pending`);
  if (failures > 0) throw new Error(`${failures} extension test(s) failed`);
  if (report.passed === 0) throw new Error('the extension suite ran no test');
}

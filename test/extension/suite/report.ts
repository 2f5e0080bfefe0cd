/**
 * The result file the in-host suite writes for the runner (path in the environment
 * variable XV6_EXT_TEST_REPORT): one entry per test, so the runner can say which checks
 * passed and which failed even when the workbench's log is cut short, and the figures
 * the suite measured (printed, never asserted: a test never asserts a wall-clock time).
 */
export const REPORT_ENV = 'XV6_EXT_TEST_REPORT';
/** Every line the suite logs starts with this, so the runner streams only those lines. */
export const SUITE_PREFIX = '[xv6-suite] ';

export interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  /** The failure's message (first lines of the stack), when failed. */
  error?: string;
  durationMs?: number;
}

export interface SuiteReport {
  passed: number;
  failed: number;
  pending: number;
  tests: TestResult[];
  /** Set when the suite could not run at all (e.g. a test file threw while loading). */
  fatal?: string;
  /** Measured figures by name (e.g. the extension host's event-loop delay), for the README. */
  metrics: Record<string, number>;
}

/** The figures measured so far in this run; the suite's entry point copies them into the report. */
export const metrics: Record<string, number> = {};

/** Records a measured figure and prints it as one suite line: `metric NAME = VALUE UNIT`. */
export function recordMetric(name: string, value: number, unit: string): void {
  metrics[name] = value;
  console.log(`${SUITE_PREFIX}  metric ${name} = ${value} ${unit}`);
}

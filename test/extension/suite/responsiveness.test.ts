/**
 * Measures how responsive the extension host stays while the guest runs flat out: a
 * session on the sample tree with no breakpoints runs `usertests` typed into the console
 * terminal, and the extension host's event-loop delay is sampled for five seconds with
 * `perf_hooks.monitorEventLoopDelay` (and for two seconds once the session has ended, as a
 * baseline of the machine's own noise). The figures (max, p99, mean in ms) are printed as
 * suite lines and written to the report's `metrics`; they are not asserted (a test never
 * asserts a wall-clock time; the adapter's time slice is SLICE_MS in adapter/runtime.ts).
 * What is asserted is that the measurement is real: the guest kept printing and never
 * stopped during the window, and the monitor took samples. The longest setImmediate
 * callback in the window (the adapter runs each emulator slice in one) is printed too. XV6_EXT_TEST_PROFILE=FILE also
 * saves a CPU profile of the extension host over the window.
 */
import * as assert from 'node:assert/strict';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import * as vscode from 'vscode';
import {
  AdapterRecorder,
  extensionApi,
  profiled,
  sleep,
  startSession,
  stopAllSessions,
  typeAtPrompt,
  waitFor,
} from './helpers';
import { recordMetric } from './report';

/** How long the delay is sampled while usertests runs. */
const WINDOW_MS = 5000;
/** How long it is sampled after the session ends: the machine's own noise, for comparison. */
const IDLE_MS = 2000;

const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

/**
 * Runs `body` while timing every setImmediate callback of this process (the adapter runs
 * each emulator slice in one), and returns the longest in ms beside `body`'s result: how
 * much of the event-loop delay is the slice itself and how much is other work.
 */
async function timingImmediates<T>(body: () => Promise<T>): Promise<[T, number]> {
  const original = globalThis.setImmediate;
  let longest = 0;
  const timed = <A extends unknown[]>(callback: (...args: A) => void, ...args: A): NodeJS.Immediate =>
    original(() => {
      const t0 = performance.now();
      try {
        callback(...args);
      } finally {
        longest = Math.max(longest, performance.now() - t0);
      }
    });
  globalThis.setImmediate = Object.assign(timed, original);
  try {
    return [await body(), longest];
  } finally {
    globalThis.setImmediate = original;
  }
}

/** Samples the event-loop delay for `window` ms and returns the histogram. */
async function sampleDelay(window: number): Promise<IntervalHistogram> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  await sleep(window);
  h.disable();
  return h;
}

describe('extension host responsiveness while the guest runs flat out', () => {
  let recorder: AdapterRecorder;
  before(() => {
    recorder = new AdapterRecorder();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });
  after(async () => {
    await stopAllSessions();
    recorder.dispose();
  });

  it('measures the event-loop delay during usertests (printed as metrics, not asserted)', async () => {
    const api = await extensionApi();
    const session = await startSession({ type: 'xv6', request: 'launch', name: 'xv6 (usertests)' });
    const text = (): string => api.consoleText(session);
    await typeAtPrompt(api, session, 'usertests');
    // Past the echo: the guest is now running the tests, printing as it goes.
    await waitFor(
      'usertests to start printing',
      () => {
        const t = text();
        const at = t.lastIndexOf('$ usertests');
        return at >= 0 && t.length > at + '$ usertests'.length + 20;
      },
      60_000,
      () => `console so far:\n${text().slice(-1500)}`,
    );
    const stopsBefore = recorder.stops.length;
    const textBefore = text();
    const [h, longestSlice] = await timingImmediates(() =>
      profiled(process.env.XV6_EXT_TEST_PROFILE, 500, () => sampleDelay(WINDOW_MS)),
    );
    const textAfter = text();
    const stops = recorder.stops.slice(stopsBefore).filter((s) => s.sessionId === session.id);
    // The same host with the session ended: the machine's own noise, for comparison.
    await stopAllSessions();
    await sleep(1000);
    const idle = await sampleDelay(IDLE_MS);
    recordMetric('eventLoopDelayMaxMs', ms(h.max), 'ms');
    recordMetric('eventLoopDelayP99Ms', ms(h.percentile(99)), 'ms');
    recordMetric('eventLoopDelayMeanMs', ms(h.mean), 'ms');
    recordMetric('eventLoopDelayWindowMs', WINDOW_MS, 'ms');
    recordMetric('longestImmediateCallbackMs', Math.round(longestSlice * 100) / 100, 'ms');
    recordMetric('eventLoopDelayIdleMaxMs', ms(idle.max), 'ms');
    recordMetric('eventLoopDelayIdleMeanMs', ms(idle.mean), 'ms');
    recordMetric('consoleCharsDuringWindow', Math.max(0, textAfter.length - textBefore.length), 'chars');

    assert.equal(stops.length, 0, `the guest stopped during the window: ${JSON.stringify(stops[0]?.body)}`);
    assert.notEqual(
      textAfter,
      textBefore,
      `the guest printed nothing during the window:\n${textAfter.slice(-800)}`,
    );
    assert.ok(h.count > 0, 'the event-loop monitor took no sample');
  });
});

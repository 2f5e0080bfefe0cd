/**
 * Stepping through inlined calls on the bundled kernel (built -O, so `intr_on` from
 * riscv.h is inlined into `usertrap`): `next` from a usertrap breakpoint stays on
 * usertrap's lines in trap.c (the inlined call's line is a stop at its call site, never
 * riscv.h); `stepIn` at that line enters the inlined function, with usertrap at the
 * call-site line as the next frame; `next` and `stepOut` from inside it come back to
 * usertrap. A breakpoint on the calling line also stops at the call site.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as C from './client';

const trapc = join(__dirname, '..', '..', 'kernel', 'kernel', 'trap.c');
const trapLines = readFileSync(trapc, 'latin1').split('\n');
const lineOf = (text: string, from = 0): number =>
  trapLines.findIndex((l, i) => i >= from && l.includes(text)) + 1;
/** usertrap's lines: from its definition to the closing brace at the start of a line. */
const USERTRAP_FIRST = lineOf('void usertrap(void) {');
const USERTRAP_LAST = trapLines.findIndex((l, i) => i >= USERTRAP_FIRST && l === '}') + 1;
/** `intr_on();` in usertrap's system-call branch: an inlined call from riscv.h. */
const INTR_ON_LINE = lineOf('intr_on();', USERTRAP_FIRST);
/** `usertrapret();` at usertrap's end: a call that does not return here. */
const USERTRAPRET_LINE = lineOf('usertrapret();', USERTRAP_FIRST);

describe('stepping through inlined calls in usertrap', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  C.clientPerTest((c) => (dc = c));

  const frames = async (): Promise<DebugProtocol.StackFrame[]> =>
    (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  const where = (f: DebugProtocol.StackFrame | undefined): string =>
    f ? `${f.name} ${f.source?.name ?? '?'}:${f.line}` : 'no frame';

  async function step(kind: 'next' | 'stepIn' | 'stepOut'): Promise<DebugProtocol.StoppedEvent> {
    const ev = C.nextStop(dc);
    if (kind === 'next') await dc.nextRequest({ threadId: 1 });
    else if (kind === 'stepIn') await dc.stepInRequest({ threadId: 1 });
    else await dc.stepOutRequest({ threadId: 1 });
    return ev;
  }

  /** Boot the bundled kernel and disk and stop in usertrap at the first system call. */
  async function stopInUsertrap(setup?: () => Promise<unknown>): Promise<void> {
    const ev = C.nextStop(dc);
    await C.launch(
      dc,
      { disk: undefined },
      async () => {
        await dc.setFunctionBreakpointsRequest({
          breakpoints: [{ name: 'usertrap', condition: '$scause == 8' }],
        });
        await setup?.();
      },
      false,
    );
    await ev;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  }

  it('finds usertrap and its inlined intr_on call in trap.c', () => {
    assert.ok(
      USERTRAP_FIRST > 0 && USERTRAP_LAST > USERTRAP_FIRST,
      `usertrap at ${USERTRAP_FIRST}-${USERTRAP_LAST}`,
    );
    assert.ok(INTR_ON_LINE > USERTRAP_FIRST && INTR_ON_LINE < USERTRAP_LAST, `intr_on at ${INTR_ON_LINE}`);
    assert.ok(USERTRAPRET_LINE > INTR_ON_LINE && USERTRAPRET_LINE < USERTRAP_LAST);
  });

  it('next from a usertrap breakpoint stops only on usertrap lines in trap.c', async () => {
    await stopInUsertrap();
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      const st = await frames();
      const f = st[0];
      assert.equal(f?.name, 'usertrap', `stop ${i}: ${where(f)} (lines so far ${seen.join(' ')})`);
      assert.equal(f.source?.path, trapc, `stop ${i}: ${where(f)}`);
      assert.ok(f.line >= USERTRAP_FIRST && f.line <= USERTRAP_LAST, `stop ${i}: ${where(f)}`);
      seen.push(f.line);
      if (f.line === USERTRAPRET_LINE) break;
      assert.equal((await step('next')).body.reason, 'step');
    }
    assert.ok(seen.includes(INTR_ON_LINE), `no stop at intr_on's line ${INTR_ON_LINE}: ${seen.join(' ')}`);
    assert.ok(seen.includes(INTR_ON_LINE + 1), `no stop after intr_on's line: ${seen.join(' ')}`);
    assert.equal(seen.at(-1), USERTRAPRET_LINE, `lines ${seen.join(' ')}`);
  });

  it('stepIn at an inlined call enters it; next and stepOut come back to usertrap', async () => {
    await stopInUsertrap(() =>
      dc.setBreakpointsRequest({ source: { path: trapc }, breakpoints: [{ line: INTR_ON_LINE }] }),
    );
    // The function breakpoint stopped first; go on to the line breakpoint.
    const hit = C.nextStop(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await hit).body.reason, 'breakpoint');
    await dc.setBreakpointsRequest({ source: { path: trapc }, breakpoints: [] });
    // The breakpoint is at the inlined call's first instruction: usertrap at the call site.
    let st = await frames();
    assert.equal(where(st[0]), `usertrap trap.c:${INTR_ON_LINE}`);
    const pc = st[0]!.instructionPointerReference;

    assert.equal((await step('stepIn')).body.reason, 'step');
    st = await frames();
    assert.equal(st[0]?.name, 'intr_on', where(st[0]));
    assert.equal(st[0]?.source?.name, 'riscv.h');
    // Entering an inlined call runs nothing: the same instruction, one frame deeper.
    assert.equal(st[0]?.instructionPointerReference, pc);
    assert.equal(where(st[1]), `usertrap trap.c:${INTR_ON_LINE}`);
    // Its scope is intr_on's; usertrap's frame still has p.
    const p = await dc.evaluateRequest({ expression: 'p->pid', frameId: st[1]!.id, context: 'watch' });
    assert.match(p.body.result, /^\d+$/);

    assert.equal((await step('next')).body.reason, 'step');
    st = await frames();
    assert.equal(where(st[0]), `usertrap trap.c:${INTR_ON_LINE + 1}`);
  });

  it('stepOut of an inlined frame runs to the end of the inlined instance', async () => {
    await stopInUsertrap(() =>
      dc.setBreakpointsRequest({ source: { path: trapc }, breakpoints: [{ line: INTR_ON_LINE }] }),
    );
    const hit = C.nextStop(dc);
    await dc.continueRequest({ threadId: 1 });
    await hit;
    await dc.setBreakpointsRequest({ source: { path: trapc }, breakpoints: [] });
    await step('stepIn');
    assert.equal((await frames())[0]?.name, 'intr_on');
    assert.equal((await step('stepOut')).body.reason, 'step');
    const st = await frames();
    assert.equal(st[0]?.name, 'usertrap', where(st[0]));
    assert.equal(st[0]?.source?.name, 'trap.c');
    assert.equal(st[0]?.line, INTR_ON_LINE + 1);
  });
});

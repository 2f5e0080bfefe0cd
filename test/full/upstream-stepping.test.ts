/**
 * Full suite: line stepping in `usertrap` on upstream xv6-riscv (../shared/xv6-riscv,
 * prebuilt with gcc -O -ggdb; its README says which commit). Its usertrap reads every
 * CSR through riscv.h's inline helpers (`r_sstatus`, `w_stvec`, `r_sepc`, `r_scause`,
 * `intr_on`), so `next` must step over inlined calls and stay on usertrap's lines in
 * trap.c, and the pc after `r_sepc`'s inlined range (whose line table names riscv.h:130
 * as a statement there) must be usertrap's line in trap.c. Skipped when the tree is absent.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as C from '../adapter/client';

const upstream = join(__dirname, '..', '..', '..', 'shared', 'xv6-riscv');
const kernel = join(upstream, 'kernel');
const disk = join(upstream, 'fs.img');
/** Upstream trap.c (f5b93ef): usertrap is lines 37-84; line 51 is `p->trapframe->epc = r_sepc();`. */
const USERTRAP_FIRST = 37;
const USERTRAP_LAST = 84;
const SEPC_LINE = 51;

describe('upstream xv6-riscv: stepping through usertrap', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  C.clientPerTest((c) => (dc = c));
  before(function () {
    if (!existsSync(kernel) || !existsSync(disk)) {
      console.log(`      (skipped: no upstream kernel and fs.img at ${upstream})`);
      this.skip();
    }
  });

  const frames = async (): Promise<DebugProtocol.StackFrame[]> =>
    (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  const where = (f: DebugProtocol.StackFrame | undefined): string =>
    f ? `${f.name} ${f.source?.name ?? '?'}:${f.line}` : 'no frame';
  async function step(kind: 'next' | 'stepIn'): Promise<void> {
    const ev = C.nextStop(dc);
    if (kind === 'next') await dc.nextRequest({ threadId: 1 });
    else await dc.stepInRequest({ threadId: 1 });
    assert.equal((await ev).body.reason, 'step');
  }

  async function stopInUsertrap(): Promise<void> {
    const ev = C.nextStop(dc);
    await C.launch(
      dc,
      { kernel, disk, virtio: 'modern' },
      () =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'usertrap', condition: '$scause == 8' }] }),
      false,
    );
    assert.equal((await ev).body.reason, 'function breakpoint');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  }

  const inUsertrap = (f: DebugProtocol.StackFrame | undefined): boolean =>
    f?.name === 'usertrap' &&
    f.source?.name === 'trap.c' &&
    f.line >= USERTRAP_FIRST &&
    f.line <= USERTRAP_LAST;

  it('next x 10 from a usertrap breakpoint stays on usertrap lines in trap.c', async () => {
    await stopInUsertrap();
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      await step('next');
      const f = (await frames())[0];
      assert.ok(inUsertrap(f), `next ${i + 1}: ${where(f)} (lines so far ${seen.join(' ')})`);
      seen.push(f!.line);
    }
    // Every step moved on to another line (none stayed inside an inlined helper).
    assert.ok(
      seen.every((l, i) => i === 0 || l !== seen[i - 1]),
      seen.join(' '),
    );
    assert.ok(seen.includes(SEPC_LINE), `no stop at line ${SEPC_LINE}: ${seen.join(' ')}`);
  });

  it('stepIn at the r_sepc line enters r_sepc; next returns to usertrap in trap.c', async () => {
    await stopInUsertrap();
    for (let i = 0; i < 10 && (await frames())[0]?.line !== SEPC_LINE; i++) await step('next');
    assert.equal(where((await frames())[0]), `usertrap trap.c:${SEPC_LINE}`);
    await step('stepIn');
    let st = await frames();
    assert.equal(st[0]?.name, 'r_sepc', where(st[0]));
    assert.equal(st[0]?.source?.name, 'riscv.h');
    assert.equal(where(st[1]), `usertrap trap.c:${SEPC_LINE}`);
    await step('next');
    st = await frames();
    assert.ok(inUsertrap(st[0]), where(st[0]));
    assert.notEqual(st[0]?.line, SEPC_LINE, 'next in r_sepc finishes its calling line');
  });
});

/**
 * Exception filters (which trap stops for which filter), stop descriptions in words, and
 * the trap log's ring and rate-limited batches.
 */
import assert from 'node:assert/strict';
import { Priv, type TrapInfo } from '../../emulator/types';
import { TrapLog, filterMatches, trapDescription } from '../../adapter/traps';
import type { ExceptionFilterId } from '../../adapter/protocol';

function trap(cause: number, fromPriv: Priv, extra: Partial<TrapInfo> = {}): TrapInfo {
  return {
    hart: 0,
    interrupt: false,
    cause,
    tval: 0n,
    epc: 0x1000n,
    fromPriv,
    toPriv: Priv.S,
    instret: 0,
    ...extra,
  };
}

const filters: ExceptionFilterId[] = ['pageFault', 'userException', 'kernelException', 'panic'];
const matching = (t: TrapInfo): ExceptionFilterId[] => filters.filter((f) => filterMatches(f, t));

describe('trap filters and the trap log', () => {
  it('matches page faults from any mode', () => {
    assert.deepEqual(matching(trap(15, Priv.U)), ['pageFault', 'userException']);
    assert.deepEqual(matching(trap(13, Priv.S)), ['pageFault', 'kernelException']);
    assert.deepEqual(matching(trap(12, Priv.U)), ['pageFault', 'userException']);
  });

  it('leaves system calls and interrupts alone', () => {
    assert.deepEqual(matching(trap(8, Priv.U)), []);
    assert.deepEqual(matching(trap(9, Priv.S)), []);
    assert.deepEqual(matching(trap(5, Priv.S, { interrupt: true })), []);
    assert.deepEqual(matching(trap(13, Priv.U, { interrupt: true })), []);
  });

  it('sorts other exceptions by the mode they came from', () => {
    assert.deepEqual(matching(trap(2, Priv.U)), ['userException']);
    assert.deepEqual(matching(trap(2, Priv.S)), ['kernelException']);
    assert.deepEqual(matching(trap(5, Priv.M)), ['kernelException']);
  });

  it('describes a trap in words with the faulting address or pc', () => {
    assert.equal(
      trapDescription(trap(15, Priv.U, { tval: 0x5008n })),
      'Store/AMO page fault at 0x0000000000005008',
    );
    assert.equal(
      trapDescription(trap(2, Priv.S, { epc: 0x80001234n })),
      'Illegal instruction at pc 0x0000000080001234',
    );
    assert.equal(trapDescription(trap(5, Priv.S, { interrupt: true })), 'Supervisor timer interrupt');
    assert.equal(trapDescription(trap(3, Priv.S)), 'Breakpoint at pc 0x0000000000001000');
  });

  it('keeps the latest traps in order and counts them all', () => {
    const log = new TrapLog(undefined);
    for (let i = 0; i < 600; i++) log.record(trap(8, Priv.U, { instret: i }));
    assert.equal(log.total, 600);
    const all = log.latest();
    assert.equal(all.length, 512);
    assert.equal(all[0]?.instret, 88);
    assert.equal(all.at(-1)?.instret, 599);
    assert.deepEqual(
      log.latest(2).map((e) => e.instret),
      [598, 599],
    );
    assert.equal(all[0]?.name, 'Environment call from U-mode');
    assert.equal(all[0]?.from, 'U');
  });

  it('hands out batches of at most 20 traps with a count of the rest', () => {
    const log = new TrapLog(undefined);
    assert.equal(log.takeBatch(), undefined);
    for (let i = 0; i < 25; i++) log.record(trap(13, Priv.U, { tval: BigInt(i) }));
    const b = log.takeBatch();
    assert.equal(b?.traps.length, 20);
    assert.equal(b?.dropped, 5);
    assert.equal(b?.traps[19]?.tval, '0x0000000000000013');
    assert.equal(log.takeBatch(), undefined);
  });
});

/**
 * Exception filters (which trap stops for which filter), stop descriptions in words, and
 * the trap log's ring and rate-limited batches.
 */
import assert from 'node:assert/strict';
import { Priv, type TrapInfo } from '../../emulator/types';
import { TrapLog, filterCauses, filterMatches, trapDescription } from '../../adapter/traps';
import { TrapRing } from '../../emulator/cpu/trap-ring';
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

/** Record `t` as the CPU does: addresses as the signed numbers the hart holds. */
function record(ring: TrapRing, t: TrapInfo): void {
  const signed = (v: bigint): number => Number(BigInt.asIntN(64, v));
  ring.record(
    t.hart,
    t.interrupt,
    t.cause,
    signed(t.tval),
    undefined,
    signed(t.epc),
    t.fromPriv,
    t.toPriv,
    t.instret,
  );
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
    for (let i = 0; i < 600; i++) record(log.ring, trap(8, Priv.U, { instret: i }));
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

  it('asks the CPU for the hook on every exception a filter can match, and on no other', () => {
    for (const id of filters) {
      for (let cause = 0; cause < 32; cause++) {
        for (const p of [Priv.U, Priv.S, Priv.M]) {
          if (filterMatches(id, trap(cause, p)))
            assert.equal((filterCauses(id) >>> cause) & 1, 1, `${id} matches cause ${cause}`);
        }
        const any = [Priv.U, Priv.S, Priv.M].some((p) => filterMatches(id, trap(cause, p)));
        if (!any) assert.equal((filterCauses(id) >>> cause) & 1, 0, `${id} never matches cause ${cause}`);
      }
    }
  });

  it('gives back high addresses and exact 64-bit values as recorded', () => {
    const ring = new TrapRing(2);
    ring.record(1, false, 13, -0x1000, undefined, -0x2000, Priv.S, Priv.M, 7);
    ring.record(0, true, 5, 0, undefined, 0x80001000, Priv.U, Priv.S, 8);
    ring.record(0, false, 2, 0, 0x8000_0000_0000_0013n, 0x80001004, Priv.S, Priv.S, 9);
    assert.equal(ring.total, 3);
    assert.equal(ring.get(0), undefined, 'overwritten');
    assert.equal(ring.get(3), undefined, 'not yet taken');
    assert.deepEqual(ring.since(0), [
      {
        hart: 0,
        interrupt: true,
        cause: 5,
        tval: 0n,
        epc: 0x80001000n,
        fromPriv: Priv.U,
        toPriv: Priv.S,
        instret: 8,
      },
      {
        hart: 0,
        interrupt: false,
        cause: 2,
        tval: 0x8000_0000_0000_0013n,
        epc: 0x80001004n,
        fromPriv: Priv.S,
        toPriv: Priv.S,
        instret: 9,
      },
    ]);
    const first = new TrapRing(4);
    first.record(1, false, 13, -0x1000, undefined, -0x2000, Priv.S, Priv.M, 7);
    assert.deepEqual(first.get(0), {
      hart: 1,
      interrupt: false,
      cause: 13,
      tval: 0xffff_ffff_ffff_f000n,
      epc: 0xffff_ffff_ffff_e000n,
      fromPriv: Priv.S,
      toPriv: Priv.M,
      instret: 7,
    });
  });

  it('hands out batches of at most 20 traps with a count of the rest', () => {
    const log = new TrapLog(undefined);
    assert.equal(log.takeBatch(), undefined);
    for (let i = 0; i < 25; i++) record(log.ring, trap(13, Priv.U, { tval: BigInt(i) }));
    const b = log.takeBatch();
    assert.equal(b?.traps.length, 20);
    assert.equal(b?.dropped, 5);
    assert.equal(b?.traps[19]?.tval, '0x0000000000000013');
    assert.equal(log.takeBatch(), undefined);
    // More than the ring holds between two batches: the oldest still held come first.
    for (let i = 0; i < 600; i++) record(log.ring, trap(13, Priv.U, { instret: i }));
    const c = log.takeBatch();
    assert.equal(c?.traps[0]?.instret, 88);
    assert.equal(c?.traps.length, 20);
    assert.equal(c?.dropped, 580);
  });
});

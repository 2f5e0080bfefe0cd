/**
 * The Sv39 walker, over page tables built by hand in a byte buffer: a process's table
 * (text, data, guard, stack, heap, trapframe, trampoline, lazy gap, labelled by xv6's
 * layout or by the program's ELF segments), superpages, merged
 * ranges, and corrupt entries that must be reported, never thrown.
 */
import assert from 'node:assert/strict';
import { MAXVA, walkPageTable, type PhysMem } from '../../adapter/pagetable';
import { userLayout, userSegments, type UserSegment } from '../../adapter/userlayout';
import { PT_LOAD, type ElfFile } from '../../emulator/elf';

const RAM = 0x8000_0000;
const RAM_SIZE = 1 << 22;
const V = 1n;
const R = 2n;
const W = 4n;
const X = 8n;
const U = 16n;
const A = 64n;
const D = 128n;

class Ram implements PhysMem {
  readonly bytes = new Uint8Array(RAM_SIZE);
  private readonly dv = new DataView(this.bytes.buffer);
  readPhys(paddr: number, len: number): Uint8Array | undefined {
    const off = paddr - RAM;
    if (off < 0 || off + len > RAM_SIZE) return undefined;
    return this.bytes.slice(off, off + len);
  }
  /** Set entry `index` of the table at physical `table`. */
  set(table: number, index: number, value: bigint): void {
    this.dv.setBigUint64(table - RAM + index * 8, value, true);
  }
}

const pte = (pa: number, flags: bigint): bigint => ((BigInt(pa) >> 12n) << 10n) | flags;
const satpOf = (root: number): bigint => (8n << 60n) | BigInt(root / 4096);
const page = (n: number): number => RAM + n * 0x1000;

/** A process's table: root page(0), low L1 page(1), low L0 page(2), high L1 page(3), high L0 page(4). */
function userTable(): Ram {
  const m = new Ram();
  m.set(page(0), 0, pte(page(1), V));
  m.set(page(1), 0, pte(page(2), V));
  // text: two pages, contiguous physical memory, R-X
  m.set(page(2), 0, pte(page(16), V | R | X | U | A));
  m.set(page(2), 1, pte(page(17), V | R | X | U));
  // data: RW
  m.set(page(2), 2, pte(page(18), V | R | W | U | A | D));
  // guard: no U
  m.set(page(2), 3, pte(page(19), V | R | W));
  // stack
  m.set(page(2), 4, pte(page(20), V | R | W | U | A | D));
  // one heap page touched far up; the pages between are lazy
  m.set(page(2), 8, pte(page(30), V | R | W | U | A | D));
  // trampoline and trapframe at the top of the user half: VPN2 255, VPN1 511, VPN0 511/510
  m.set(page(0), 255, pte(page(3), V));
  m.set(page(3), 511, pte(page(4), V));
  m.set(page(4), 511, pte(page(40), V | R | X | A));
  m.set(page(4), 510, pte(page(41), V | R | W | A | D));
  return m;
}

describe('Sv39 page-table walker', () => {
  it('lists the tree with levels, indexes, ranges and flags as letters', () => {
    const r = walkPageTable(userTable(), { satp: satpOf(page(0)) });
    assert.equal(r.mode, 'Sv39');
    assert.equal(r.rootPa, '0x80000000');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.entries.map((e) => [e.level, e.index, e.vaStart, e.leaf]),
      [
        [2, 0, '0x0', false],
        [2, 255, '0x3fc0000000', false],
      ],
    );
    const text = r.entries[0]!.children![0]!.children![0]!;
    assert.deepEqual(
      {
        level: text.level,
        va: text.vaStart,
        end: text.vaEnd,
        pa: text.pa,
        flags: text.flags,
        leaf: text.leaf,
      },
      { level: 0, va: '0x0', end: '0x1000', pa: '0x80010000', flags: 'VR-XU-A-', leaf: true },
    );
    assert.equal(text.raw, '0x000000002000405b');
  });

  it('merges contiguous runs and labels trampoline, trapframe, guard, stack, heap and the lazy gap', () => {
    const r = walkPageTable(userTable(), { satp: satpOf(page(0)), sz: 0xa000 });
    const rows = r.ranges.map((x) => [x.vaStart, x.vaEnd, x.pa ?? '', x.flags, x.pages, x.label ?? '']);
    assert.deepEqual(rows, [
      ['0x0', '0x2000', '0x80010000', 'VR-XU---', 2, 'text+data'],
      ['0x2000', '0x3000', '0x80012000', 'VRW-U-AD', 1, 'text+data'],
      ['0x3000', '0x4000', '0x80013000', 'VRW-----', 1, 'guard'],
      ['0x4000', '0x5000', '0x80014000', 'VRW-U-AD', 1, 'stack'],
      ['0x5000', '0x8000', '', '', 3, 'lazy'],
      ['0x8000', '0x9000', '0x8001e000', 'VRW-U-AD', 1, 'heap'],
      ['0x9000', '0xa000', '', '', 1, 'lazy'],
      [
        (MAXVA - 8192).toString(16).replace(/^/, '0x'),
        (MAXVA - 4096).toString(16).replace(/^/, '0x'),
        '0x80029000',
        'VRW---AD',
        1,
        'trapframe',
      ],
      ['0x3ffffff000', '0x4000000000', '0x80028000', 'VR-X--A-', 1, 'trampoline'],
    ]);
  });

  it("names text and data from the program's segments, and splits a run where they meet", () => {
    const m = userTable();
    // Data with text's permissions and the next physical page: one run but for the labels.
    m.set(page(2), 2, pte(page(18), V | R | X | U));
    const segments: UserSegment[] = [
      { va: 0, end: 0x2000, kind: 'text' },
      { va: 0x2000, end: 0x3000, kind: 'data' },
    ];
    const r = walkPageTable(m, { satp: satpOf(page(0)), sz: 0x9000, segments });
    const rows = r.ranges.filter((x) => BigInt(x.vaStart) < 0x9000n).map((x) => [x.vaStart, x.label ?? '']);
    assert.deepEqual(rows, [
      ['0x0', 'text'],
      ['0x2000', 'data'],
      ['0x3000', 'guard'],
      ['0x4000', 'stack'],
      ['0x5000', 'lazy'],
      ['0x8000', 'heap'],
    ]);
  });

  it('segments of an ELF widened to pages; no guard page means no stack or heap guess', () => {
    const elf = {
      segments: [
        { type: PT_LOAD, flags: 5, offset: 0, vaddr: 0, paddr: 0, filesz: 0x1234, memsz: 0x1234 },
        { type: PT_LOAD, flags: 6, offset: 0, vaddr: 0x2000, paddr: 0, filesz: 0x10, memsz: 0x1800 },
        { type: 0x6474e551, flags: 6, offset: 0, vaddr: 0, paddr: 0, filesz: 0, memsz: 0 },
      ],
    } as unknown as ElfFile;
    assert.deepEqual(userSegments(elf), [
      { va: 0, end: 0x2000, kind: 'text' },
      { va: 0x2000, end: 0x4000, kind: 'data' },
    ]);
    const at = userLayout(
      [0, 0x1000, 0x5000].map((va) => ({ va, user: true })),
      userSegments(elf),
    );
    assert.deepEqual([at(0), at(0x2000), at(0x5000)], ['text', 'data', undefined]);
  });

  it('reports no lazy region when sz is covered', () => {
    const r = walkPageTable(userTable(), { satp: satpOf(page(0)), sz: 0x5000 });
    assert.equal(r.ranges.filter((x) => x.label === 'lazy').length, 0);
  });

  it('handles 1 GiB and 2 MiB superpages, sign-extended upper-half addresses', () => {
    const m = new Ram();
    m.set(page(0), 2, pte(0x8000_0000, V | R | W | X | A | D)); // 1 GiB at VA 2 GiB
    m.set(page(0), 0, pte(page(1), V));
    m.set(page(1), 1, pte(0x1000_0000, V | R | W)); // 2 MiB of device space at VA 2 MiB
    m.set(page(1), 2, pte(0x1020_0000, V | R | W)); // the next 2 MiB, contiguous: merged
    m.set(page(0), 511, pte(0x4000_0000, V | R)); // top of the upper half
    const r = walkPageTable(m, { rootPa: page(0) });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.ranges.map((x) => [x.vaStart, x.vaEnd, x.pa, x.pages, x.pageSize]),
      [
        ['0xffffffffc0000000', '0x0', '0x40000000', 1, 1 << 30],
        ['0x200000', '0x600000', '0x10000000', 2, 1 << 21],
        ['0x80000000', '0xc0000000', '0x80000000', 1, 1 << 30],
      ],
    );
  });

  it('marks corrupt entries invalid with the reason and goes on', () => {
    const m = new Ram();
    m.set(page(0), 0, pte(page(1), V));
    m.set(page(0), 1, pte(0x1000_0000, V)); // pointer outside RAM
    m.set(page(0), 3, pte(0x4000_1000, V | R)); // misaligned 1 GiB superpage
    m.set(page(0), 4, (1n << 60n) | pte(page(2), V | R)); // reserved bits
    m.set(page(1), 0, pte(page(2), V));
    m.set(page(2), 0, pte(page(3), V | W)); // W without R
    m.set(page(2), 1, pte(page(3), V)); // pointer at the last level
    m.set(page(2), 2, pte(page(3), V | R)); // a good one survives
    const r = walkPageTable(m, { rootPa: page(0) });
    assert.deepEqual(r.problems, [
      'level-0 entry 0 (VA 0x0): W without R is a reserved combination',
      'level-0 entry 1 (VA 0x1000): a pointer at the last level (R, W and X all clear)',
      'level-2 entry 1 (VA 0x40000000): points to 0x10000000, outside RAM',
      'level-2 entry 3 (VA 0xc0000000): misaligned superpage',
      'level-2 entry 4 (VA 0x100000000): reserved bits 54-63 are set',
    ]);
    assert.equal(r.entries.find((e) => e.index === 1)?.invalid, 'points to 0x10000000, outside RAM');
    assert.deepEqual(
      r.ranges.map((x) => [x.vaStart, x.flags]),
      [['0x2000', 'VR------']],
    );
  });

  it('survives a table full of garbage and a root outside RAM', () => {
    const m = new Ram();
    for (let i = 0; i < RAM_SIZE; i++) m.bytes[i] = (i * 2654435761) >>> 24;
    const r = walkPageTable(m, { rootPa: page(0), sz: 1 << 20 });
    assert.ok(r.problems.length > 0);
    const outside = walkPageTable(m, { rootPa: 0x1000 });
    assert.deepEqual(outside.problems, ['the root page table at 0x1000 is outside RAM']);
  });

  it('says there is no table when satp is Bare', () => {
    const r = walkPageTable(new Ram(), { satp: 0n });
    assert.equal(r.mode, 'Bare');
    assert.deepEqual(r.problems, ['satp is Bare: translation is off, there is no page table']);
  });
});

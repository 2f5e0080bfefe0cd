/**
 * The Page Tables view's model on real adapter responses (fixtures/*.json, produced by
 * fixtures/make-fixtures.ts: the bundled kernel stopped at usertrap on lazytests' first
 * page fault, 2 harts): which processes are listed and which is current, the merged
 * ranges with flags as letters and xv6's labels, the Sv39 tree, tooltips with the raw
 * PTE, and where the memory inspector reads a page.
 */
import assert from 'node:assert/strict';
import type {
  HartsResponse,
  MappedRange,
  PageTableResponse,
  ProcessesResponse,
} from '../../../adapter/protocol';
import {
  currentPid,
  entryRows,
  listedProcesses,
  memoryTarget,
  parseMode,
  processRow,
  rangeRows,
  treeRootRows,
} from '../../../extension/views/model/pageTables';
import { flagsSpelledOut, permissionLetters, sizeText } from '../../../extension/views/model/format';
import processesJson from './fixtures/processes.json';
import hartsJson from './fixtures/harts.json';
import pageTableJson from './fixtures/pagetable-lazytests.json';

const procs = processesJson as ProcessesResponse;
const harts = hartsJson as HartsResponse;
const pt = pageTableJson as PageTableResponse;

describe('Page Tables view model', () => {
  it('spells flags as the letters a student reads', () => {
    assert.equal(permissionLetters('VR-XU-A-'), 'R X U');
    assert.equal(permissionLetters('VRW-U-AD'), 'R W U');
    assert.equal(permissionLetters('V-------'), '');
    assert.equal(flagsSpelledOut('VRW---AD'), 'valid, readable, writable, accessed, dirty');
    assert.equal(sizeText(20480), '0x5000 (20 KiB)');
    assert.equal(sizeText(1073762304), '0x40005000 (1 GiB)');
    assert.equal(parseMode('tree'), 'tree');
    assert.equal(parseMode('bogus'), 'ranges');
  });

  it('lists the processes in use and marks the one on the stopped hart as current, expanded', () => {
    const listed = listedProcesses([
      ...procs.processes,
      { pid: 0, name: '', state: 'UNUSED', sz: 0, satp: '0x0' },
    ]);
    assert.deepEqual(
      listed.map((p) => p.pid),
      [1, 2, 3, 4],
    );
    // The breakpoint hit on hart 1, which runs the faulting lazytests child.
    assert.equal(currentPid(listed, harts.harts, 1), 4);
    assert.equal(currentPid(listed, harts.harts, 0), undefined);
    assert.equal(currentPid(listed, undefined, undefined), 4);
    const rows = listed.map((p) => processRow(p, p.pid === 4, 's'));
    assert.deepEqual(
      rows.map((r) => [r.label, r.collapsible]),
      [
        ['1 init', 'collapsed'],
        ['2 sh', 'collapsed'],
        ['3 lazytests', 'collapsed'],
        ['4 lazytests', 'expanded'],
      ],
    );
    assert.equal(rows[3]!.description, 'running · sz 0x40005000 (1 GiB) · hart 1 · current');
    assert.equal(rows[0]!.description, 'sleeping · sz 0x4000 (16 KiB)');
    assert.match(rows[3]!.tooltip!, /satp: 0x8000000000087f75/);
    assert.equal(new Set(rows.map((r) => r.id)).size, 4);
  });

  it("names a process's text, data, stack and heap, with what each holds", () => {
    const range = (va: number, label: MappedRange['label'], flags: string): MappedRange => ({
      vaStart: `0x${va.toString(16)}`,
      vaEnd: `0x${(va + 0x1000).toString(16)}`,
      pa: `0x${(0x87f00000 + va).toString(16)}`,
      flags,
      pages: 1,
      pageSize: 4096,
      label,
    });
    const labelled: PageTableResponse = {
      ...pt,
      problems: [],
      entries: [],
      ranges: [
        range(0, 'text', 'VR-XU-A-'),
        range(0x1000, 'data', 'VRW-U-AD'),
        range(0x2000, 'guard', 'VRW---AD'),
        range(0x3000, 'stack', 'VRW-U-AD'),
        range(0x4000, 'heap', 'VRW-U-AD'),
      ],
    };
    const rows = rangeRows(labelled, 's/pid4');
    assert.deepEqual(
      rows.map((r) => [r.description, r.icon]),
      [
        ['→ 0x87f00000 R X U · text', 'symbol-method'],
        ['→ 0x87f01000 R W U · data', 'symbol-variable'],
        ['→ 0x87f02000 R W · guard', 'shield'],
        ['→ 0x87f03000 R W U · stack', 'layers'],
        ['→ 0x87f04000 R W U · heap', 'database'],
      ],
    );
    assert.match(rows[0]!.tooltip!, /text: the program's instructions/);
    assert.match(rows[3]!.tooltip!, /stack: the user stack exec set up above the guard page/);
    assert.match(rows[4]!.tooltip!, /heap: memory sbrk added above the stack, up to sz/);
    const merged = rangeRows({ ...labelled, ranges: [range(0, 'text+data', 'VRWXU-AD')] }, 's');
    assert.match(merged[0]!.description!, /· text\+data$/);
    assert.match(merged[0]!.tooltip!, /add the program's ELF to userPrograms/);
  });

  it('shows merged ranges with PA, letters and the lazy/guard/trapframe/trampoline labels', () => {
    const rows = rangeRows(pt, 's/pid4');
    assert.deepEqual(
      rows.map((r) => [r.label, r.description, r.contextValue]),
      [
        ['0x0-0x1000', '→ 0x87f67000 R X U', 'xv6.pageRange'],
        ['0x1000-0x2000', '→ 0x87f55000 R X U', 'xv6.pageRange'],
        ['0x2000-0x3000', '→ 0x87f56000 R W U', 'xv6.pageRange'],
        ['0x3000-0x4000', '→ 0x87f69000 R W · guard', 'xv6.pageRange'],
        ['0x4000-0x5000', '→ 0x87f66000 R W U', 'xv6.pageRange'],
        ['0x5000-0x40005000', 'not mapped · 262144 pages (1 GiB) · lazy', 'xv6.lazyRange'],
        ['0x3fffffe000-0x3ffffff000', '→ 0x87f53000 R W · trapframe', 'xv6.pageRange'],
        ['0x3ffffff000-0x4000000000', '→ 0x80006000 R X · trampoline', 'xv6.pageRange'],
      ],
    );
    // The lazy region has no physical page, so nothing to open.
    assert.equal(rows[5]!.page, undefined);
    assert.match(rows[5]!.tooltip!, /no physical page/);
    // Tooltip: raw PTE, PA, level, index, flags spelled out.
    const text = rows[0]!.tooltip!;
    assert.match(text, /^VA 0x0-0x1000 → PA 0x87f67000-0x87f68000\n/);
    assert.match(text, /PTE 0x[0-9a-f]{16} \(level 0, index 0\)/);
    assert.match(text, /flags VR-XU-A-: valid, readable, executable, user, accessed/);
    assert.deepEqual(rows[4]!.page, { va: '0x4000', pa: '0x87f66000', satp: pt.satp });
  });

  it('walks the Sv39 tree from L2 to L0 with raw PTEs in tooltips', () => {
    const l2 = treeRootRows(pt, 't');
    assert.deepEqual(
      l2.map((r) => r.label),
      ['L2[0] 0x0-0x40000000', 'L2[255] 0x3fc0000000-0x4000000000'],
    );
    assert.equal(l2[0]!.collapsible, 'collapsed');
    assert.match(l2[0]!.description!, /^→ table 0x[0-9a-f]+ · 1 valid entry$/);
    const l1 = entryRows(l2[0]!.children!, pt, 't');
    assert.equal(l1[0]!.label, 'L1[0] 0x0-0x200000');
    const l0 = entryRows(l1[0]!.children!, pt, 't');
    assert.deepEqual(
      l0.map((r) => r.label),
      [
        'L0[0] 0x0-0x1000',
        'L0[1] 0x1000-0x2000',
        'L0[2] 0x2000-0x3000',
        'L0[3] 0x3000-0x4000',
        'L0[4] 0x4000-0x5000',
      ],
    );
    assert.equal(l0[3]!.description, '→ 0x87f69000 R W · guard');
    assert.equal(l0[0]!.contextValue, 'xv6.pageRange');
    assert.match(l0[0]!.tooltip!, /PTE 0x0000000021fd9c5b \(level 0, index 0\)\nPA 0x87f67000\n/);
    const top = entryRows(l2[1]!.children!, pt, 't');
    const leaves = entryRows(top[0]!.children!, pt, 't');
    assert.deepEqual(
      leaves.map((r) => r.description),
      ['→ 0x87f53000 R W · trapframe', '→ 0x80006000 R X · trampoline'],
    );
    const ids = [...l2, ...l1, ...l0, ...top, ...leaves].map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('reports corrupt entries as one problem row, never throws', () => {
    const bad: PageTableResponse = {
      ...pt,
      problems: ['L2[3]: reserved bits set', 'L1[0]: misaligned superpage'],
    };
    const rows = rangeRows(bad, 'x');
    assert.equal(rows[0]!.label, '2 problems in this page table: L2[3]: reserved bits set');
    assert.equal(rows[0]!.icon, 'warning');
    assert.equal(rows.length, pt.ranges.length + 1);
  });

  it('reads a page at its VA on its own table, else at its PA through the kernel direct map', () => {
    const page = { va: '0x4000', pa: '0x87f66000', satp: pt.satp };
    // Stopped in usertrap: the hart runs the kernel's table, which maps RAM at PA.
    const kernelHart = harts.harts[1]!;
    assert.deepEqual(memoryTarget(page, kernelHart), {
      memoryReference: '0x87f66000',
      space: 'physical',
      address: '0x87f66000',
    });
    const onTable = { ...kernelHart, priv: 'U' as const, satp: '0x8000000000087f75' };
    assert.deepEqual(memoryTarget(page, onTable), {
      memoryReference: '0x4000',
      space: 'virtual',
      address: '0x4000',
    });
    const other = { ...onTable, satp: '0x8000000000087f62' };
    const r = memoryTarget(page, other);
    assert.ok('error' in r && /user mode on another page table/.test(r.error));
  });
});

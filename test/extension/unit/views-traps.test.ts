/**
 * The Traps and Harts views' models on real adapter responses (fixtures/*.json from
 * fixtures/make-fixtures.ts: the bundled kernel stopped at usertrap on lazytests' first
 * page fault, 2 harts): the trap log latest first, exceptions only unless interrupts and
 * system calls are asked for, repeats grouped, each row with its process, cause in words,
 * stval, sepc as function (program) and instruction count; live trap events bounded, the source of a kernel sepc and the reason
 * a user sepc has none, the hart rows, and the hex dump of a page.
 */
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type {
  HartsResponse,
  ProcessesResponse,
  TrapEventBody,
  TrapLogResponse,
} from '../../../adapter/protocol';
import {
  DEFAULT_FILTER,
  TrapList,
  filterDescription,
  filterFrom,
  groupRow,
  hiddenMessage,
  noSourceMessage,
  sepcText,
  shownTraps,
  sourceOf,
  summaryRow,
  trapRow,
  type TrapItem,
} from '../../../extension/views/model/traps';
import { hartRow, processTableRow, processesHeaderRow } from '../../../extension/views/model/harts';
import { decodeBase64, hexDump } from '../../../extension/views/model/hexdump';
import { errorText, messageRow } from '../../../extension/views/model/rows';
import trapLogJson from './fixtures/traplog.json';
import trapEventJson from './fixtures/trap-event.json';
import hartsJson from './fixtures/harts.json';
import processesJson from './fixtures/processes.json';
import kernelDis from './fixtures/disassemble-kernel-epc.json';
import userDis from './fixtures/disassemble-user-epc.json';

const log = trapLogJson as TrapLogResponse;
const harts = hartsJson as HartsResponse;

describe('Traps view model', () => {
  const list = new TrapList();
  list.replace(log.traps, log.total);
  const all = { interrupts: true, systemCalls: true };

  it('shows exceptions only by default and counts what it hides', () => {
    const shown = shownTraps(list.latest(), DEFAULT_FILTER);
    const rows = shown.groups.map((g) => groupRow(g, 's'));
    assert.deepEqual(
      rows.map((r) => r.label),
      ['Store/AMO page fault'],
    );
    const interrupts = log.traps.filter((t) => t.interrupt).length;
    const calls = log.traps.filter((t) => !t.interrupt && t.cause === 8).length;
    assert.ok(interrupts > 0 && calls > 0);
    assert.deepEqual(shown.hidden, { interrupts, systemCalls: calls });
    assert.equal(
      hiddenMessage(shown),
      `Hidden: ${interrupts} interrupts and ${calls} system calls (show them from the title bar).`,
    );
    assert.equal(filterDescription(DEFAULT_FILTER), 'exceptions');
    assert.equal(filterDescription({ interrupts: true, systemCalls: false }), 'exceptions, interrupts');
    assert.equal(filterDescription(all), 'all traps');
    assert.equal(hiddenMessage(shownTraps(list.latest(), all)), undefined);
    // The stored filter: anything odd reads as the default.
    assert.deepEqual(filterFrom(undefined), DEFAULT_FILTER);
    assert.deepEqual(filterFrom({ interrupts: 'yes', systemCalls: true }), {
      interrupts: false,
      systemCalls: true,
    });
  });

  it('gives each row its process, cause, stval, sepc as function (program) and instruction count', () => {
    const fault = trapRow(list.latest()[0]!, 's');
    assert.equal(fault.label, 'Store/AMO page fault');
    assert.equal(
      fault.description,
      'pid 4 lazytests · stval 0x5000 · sepc sparse_memory (lazytests) · hart 0 · insn 62,051,023',
    );
    assert.equal(fault.contextValue, 'xv6.trap');
    assert.match(fault.tooltip!, /process: pid 4 \(lazytests\)/);
    assert.match(fault.tooltip!, /hart 0, U-mode -> S-mode, after 62,051,023 instructions/);
    assert.match(fault.tooltip!, /sepc  0x000000000000032c in sparse_memory \(lazytests\)/);
    // Interrupts: no stval; the idle scheduler's have no process, said so.
    const rows = shownTraps(list.latest(), all)
      .groups.flat()
      .map((t) => trapRow(t, 's'));
    const timer = rows.find((r) => r.label === 'Supervisor timer interrupt')!;
    assert.match(timer.description!, /^no process · sepc scheduler · hart \d · insn [\d,]+$/);
    assert.match(timer.tooltip!, /interrupt, scause 0x8000000000000000 \| 5/);
    // A system call of the shell (its ELF is not among userPrograms): the pid, sepc in user code.
    const sh = rows.find(
      (r) => r.label === 'Environment call from U-mode' && /pid 2 sh/.test(r.description!),
    )!;
    assert.match(sh.description!, /^pid 2 sh · stval 0x0 · sepc 0x[0-9a-f]+ \(user\) · hart \d · insn /);
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
    // The log holds all traps since launch: no summary row.
    assert.equal(log.total, log.traps.length);
    assert.equal(summaryRow(list, 's'), undefined);
    assert.equal(
      sepcText({ ...log.traps[0]!, func: undefined, program: 'ls', from: 'U', epc: '0x10' }),
      '0x10 (ls)',
    );
  });

  it('groups consecutive repeats of one trap (hart, cause, process, function) into one row', () => {
    const shown = shownTraps(list.latest(), all);
    const groups = shown.groups.filter((g) => g.length > 1);
    assert.ok(groups.length > 0, 'repeats in the log');
    // lazytests' three sbrk calls in a row before the fault.
    const sbrk = shown.groups[1]!;
    assert.equal(sbrk.length, 3);
    const row = groupRow(sbrk, 's');
    assert.equal(row.label, 'Environment call from U-mode ×3');
    assert.equal(row.collapsible, 'collapsed');
    assert.match(
      row.description!,
      /^pid 4 lazytests · stval 0x0 · sepc sbrk \(lazytests\) · hart 0 · insn [\d,]+–[\d,]+$/,
    );
    // The shell's reads at one sepc: one row; its other calls (other stubs) rows of their own.
    assert.ok(
      shown.groups.some((g) => g.length >= 5 && g[0]!.trap.process === 'sh'),
      'the shell reading the command line one byte at a time',
    );
    // Every shown trap is in exactly one group, in order, latest first; no two neighbours alike.
    assert.equal(shown.groups.flat().length, log.traps.length);
    const seqs = shown.groups.flat().map((t) => t.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    );
    for (let i = 1; i < shown.groups.length; i++) {
      const [a, b] = [shown.groups[i - 1]![0]!.trap, shown.groups[i]![0]!.trap];
      assert.ok(
        a.hart !== b.hart ||
          a.cause !== b.cause ||
          a.pid !== b.pid ||
          (a.func ?? a.epc) !== (b.func ?? b.epc) ||
          a.interrupt !== b.interrupt,
        'neighbouring groups differ (sepc where no function is known)',
      );
    }
    // A filter that hides the traps between two alike makes them neighbours: one group.
    const t = (instret: number, interrupt = false, cause = 13): TrapItem => ({
      seq: instret,
      trap: { ...log.traps.at(-1)!, instret, interrupt, cause },
    });
    const mixed = [t(5), t(4, true, 5), t(3)];
    assert.equal(shownTraps(mixed, DEFAULT_FILTER).groups.length, 1);
    assert.equal(shownTraps(mixed, all).groups.length, 3);
    assert.equal(groupRow(shownTraps(mixed, DEFAULT_FILTER).groups[0]!, 's').id, 's/g3');
  });

  it('appends live trap events while running, bounded, and counts the dropped ones', () => {
    const ev = trapEventJson as TrapEventBody;
    assert.ok(ev.traps.length > 0);
    const list = new TrapList(10);
    list.replace(log.traps, log.total);
    assert.equal(list.size, 10);
    list.append({ traps: ev.traps.slice(0, 3), dropped: 7 });
    assert.equal(list.size, 10);
    assert.equal(list.total, log.total + 10);
    assert.deepEqual(list.latest()[0]!.trap, ev.traps[2]);
    const summary = summaryRow(list, 's')!;
    assert.equal(summary.label, `${log.total + 10} traps since launch; the latest 10 are kept`);
    assert.match(summary.tooltip!, /7 traps while running were only counted/);
    list.clear();
    assert.equal(list.size, 0);
  });

  it('finds the source line of a kernel sepc and says why a user sepc has none', () => {
    const k = kernelDis as { epc: string; body: DebugProtocol.DisassembleResponse['body'] };
    const loc = sourceOf(k.body);
    assert.ok(loc);
    assert.match(loc.path, /kernel\/kernel\/riscv\.h$/);
    assert.equal(loc.line, 55);
    const u = userDis as { epc: string; body: DebugProtocol.DisassembleResponse['body'] };
    assert.equal(sourceOf(u.body), undefined);
    assert.equal(sourceOf(undefined), undefined);
    const fault = log.traps[log.traps.length - 1]!;
    assert.match(
      noSourceMessage(fault),
      /^sepc 0x32c is in sparse_memory \(lazytests\), but its source line/,
    );
    const { program: _p, func: _f, ...unknown } = fault;
    assert.match(
      noSourceMessage(unknown),
      /^sepc 0x32c is in user code of no known program: its process may have exited/,
    );
    const timer = log.traps[0]!;
    assert.match(noSourceMessage(timer), /^sepc 0x80003100 \(scheduler\) has no source line/);
  });
});

describe('Harts and Processes view model', () => {
  it('shows what runs where: privilege, function, process, idle harts', () => {
    const rows = harts.harts.map((h) => hartRow(h, h.hart === 1, 's'));
    assert.deepEqual(
      rows.map((r) => [r.label, r.description]),
      [
        ['hart 0', 'S · idle (wfi) in scheduler'],
        ['hart 1', 'S · usertrap · pid 4 lazytests · stopped here'],
      ],
    );
    assert.match(rows[1]!.tooltip!, /^hart 1: supervisor mode\npc 0x0000000080004d12 in usertrap\n/);
    const procs = (processesJson as ProcessesResponse).processes.map((p) => processTableRow(p, 's'));
    assert.deepEqual(
      procs.map((r) => [r.label, r.description]),
      [
        ['1 init', 'sleeping'],
        ['2 sh', 'sleeping'],
        ['3 lazytests', 'sleeping'],
        ['4 lazytests', 'running · hart 1'],
      ],
    );
    assert.equal(processesHeaderRow(4, 's').description, '4');
  });

  it('turns an adapter error into one informative row', () => {
    const note = "the process table needs the kernel's debug information (struct proc), which is not loaded";
    const r = messageRow('x', note, 'info');
    assert.equal(r.label, note);
    assert.equal(r.icon, 'info');
    assert.equal(
      errorText(new Error('there is no process with pid 9\n  at ...')),
      'there is no process with pid 9',
    );
  });
});

describe('page hex dump', () => {
  it('prints address, bytes and ASCII, marking unreadable bytes', () => {
    const bytes = decodeBase64(Buffer.from('xv6 kernel is booting\n').toString('base64'));
    const text = hexDump(0x87f66000n, bytes, 10);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.equal(
      lines[0],
      '0000000087f66000  78 76 36 20 6b 65 72 6e  65 6c 20 69 73 20 62 6f  |xv6 kernel is bo|',
    );
    assert.equal(
      lines[1],
      '0000000087f66010  6f 74 69 6e 67 0a ?? ??  ?? ?? ?? ?? ?? ?? ?? ??  |oting.          |',
    );
    assert.equal(decodeBase64(undefined).length, 0);
  });
});

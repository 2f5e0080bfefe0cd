/**
 * The Traps and Harts views' models on real adapter responses (fixtures/*.json from
 * fixtures/make-fixtures.ts: the bundled kernel stopped at usertrap on lazytests' first
 * page fault, 2 harts): the trap log latest first with causes in words and the pid of the
 * faulting process, live trap events bounded, the source of a kernel sepc and the reason
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
  TrapList,
  noSourceMessage,
  sourceOf,
  summaryRow,
  trapRow,
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
  it('lists the trap log latest first, the page fault with its pid, stval and sepc', () => {
    const list = new TrapList();
    list.replace(log.traps, log.total);
    list.attributePids(harts.harts);
    const rows = list.latest().map((t) => trapRow(t, 's'));
    assert.equal(rows.length, log.traps.length);
    assert.equal(rows[0]!.label, 'Store/AMO page fault');
    assert.equal(rows[0]!.description, 'hart 1 · pid 4 · stval 0x5000 · sepc 0x32c (user)');
    assert.equal(rows[0]!.contextValue, 'xv6.trap');
    assert.match(rows[0]!.tooltip!, /process: pid 4 \(lazytests\)/);
    assert.match(rows[0]!.tooltip!, /hart 1, U-mode -> S-mode/);
    // The system call before it is older: its hart may have switched process, no pid.
    assert.equal(rows[1]!.label, 'Environment call from U-mode');
    assert.doesNotMatch(rows[1]!.description!, /pid/);
    // Interrupts: no stval, the interrupted function named.
    const timer = rows.find((r) => r.label === 'Supervisor timer interrupt')!;
    assert.match(timer.description!, /^hart \d · sepc 0x[0-9a-f]+ \w+$/);
    assert.match(timer.tooltip!, /interrupt, scause 0x8000000000000000 \| 5/);
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
    // The log holds all 65 traps since launch: no summary row.
    assert.equal(log.total, log.traps.length);
    assert.equal(summaryRow(list, 's'), undefined);
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
    assert.equal(summary.label, `${log.total + 10} traps since launch; the latest 10 are shown`);
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
      /^sepc 0x32c is in user code: no source for it \(set "userPrograms"/,
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

/**
 * "Debug Anyway" after a failed build: the adapter (dist/adapter.js under a DebugClient)
 * says in one debug-console line, and an `xv6.staleKernel` event, when the kernel ELF is
 * older than a source file its line table names. The tree is a copy of the bundled
 * kernel as `kernel/kernel` beside copies of its sources, with file times set by the test.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { clientPerTest, launch } from './client';

const REPO = join(__dirname, '..', '..');
const SOURCES = join(REPO, 'kernel', 'kernel');
const LINE =
  /is older than (\S+): the last build may have failed; stops may point at lines that no longer hold that code/;

describe('adapter: a kernel older than its sources', function () {
  this.timeout(60_000);
  let dc: DebugClient;
  let output = '';
  let events: DebugProtocol.Event[] = [];
  clientPerTest((d) => {
    dc = d;
    output = '';
    events = [];
    d.on('output', (e: DebugProtocol.OutputEvent) => {
      output += e.body.output;
    });
    d.on('xv6.staleKernel', (e: DebugProtocol.Event) => events.push(e));
  });

  let root = '';
  let kernel = '';
  const base = Date.now() / 1000 - 3600;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'xv6-stale-'));
    mkdirSync(join(root, 'kernel'));
    // The bundled kernel records kernel/trap.c relative to a comp_dir of `.`: the tree's top.
    for (const f of readdirSync(SOURCES)) {
      if (!/\.[chS]$/.test(f)) continue;
      copyFileSync(join(SOURCES, f), join(root, 'kernel', f));
      utimesSync(join(root, 'kernel', f), base, base);
    }
    kernel = join(root, 'kernel', 'kernel');
    copyFileSync(join(REPO, 'kernel', 'prebuilt', 'kernel'), kernel);
    utimesSync(kernel, base + 60, base + 60);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

  it('one line naming the newest source, and the event for the extension', async () => {
    utimesSync(join(root, 'kernel', 'proc.c'), base + 90, base + 90);
    utimesSync(join(root, 'kernel', 'trap.c'), base + 120, base + 120);
    await launch(dc, { kernel, disk: null, stopOnEntry: true });
    await settle();
    const lines = output.split('\n').filter((l) => LINE.test(l));
    assert.equal(lines.length, 1, `one line, got:\n${output}`);
    assert.equal(LINE.exec(lines[0]!)?.[1], join(root, 'kernel', 'trap.c'));
    assert.ok(lines[0]!.startsWith(`${kernel} is older than`), lines[0]);
    assert.equal(events.length, 1);
    const body = events[0]!.body as { kernel: string; source: string; message: string };
    assert.equal(body.kernel, kernel);
    assert.equal(body.source, join(root, 'kernel', 'trap.c'));
    assert.equal(body.message, lines[0]);
  });

  it('a header counts too', async () => {
    utimesSync(join(root, 'kernel', 'riscv.h'), base + 100, base + 100);
    await launch(dc, { kernel, disk: null, stopOnEntry: true });
    await settle();
    assert.equal(LINE.exec(output)?.[1], join(root, 'kernel', 'riscv.h'), output);
  });

  it('says nothing when the kernel is newer than every source', async () => {
    await launch(dc, { kernel, disk: null, stopOnEntry: true });
    await settle();
    assert.doesNotMatch(output, /is older than/);
    assert.match(output, /booted /, 'the launch printed its boot line');
    assert.equal(events.length, 0);
  });

  it('says nothing for the bundled kernel', async () => {
    await launch(dc, { disk: null, stopOnEntry: true });
    await settle();
    assert.doesNotMatch(output, /is older than/);
    assert.match(output, /booted /);
  });
});

/**
 * User programs from upstream xv6's own disk image (../shared/xv6-riscv, MIT's kernel and
 * fs.img as its Makefile builds them; see its README): the image reader lists every
 * program mkfs put in `/` and nothing else, and a session on that kernel and image, with
 * no userPrograms folder (the tree ships no user/_* here), names the shell's frames at a
 * usertrap breakpoint. Skipped, with a note, when ../shared/xv6-riscv is absent.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { bytesDevice, FsImage } from '../../adapter/fsimage';
import { imagePrograms } from '../../adapter/userprogs-load';
import * as C from '../adapter/client';
import { root } from '../helpers/guest';

const upstream = process.env.XV6_UPSTREAM ?? join(root, '..', 'shared', 'xv6-riscv');
const kernel = join(upstream, 'kernel');
const disk = join(upstream, 'fs.img');

/** The programs of upstream's Makefile (UPROGS), as mkfs names them in `/`. */
const UPROGS = [
  'cat',
  'echo',
  'forktest',
  'grep',
  'grind',
  'init',
  'kill',
  'ln',
  'ls',
  'mkdir',
  'rm',
  'sh',
  'stressfs',
  'usertests',
  'wc',
  'zombie',
];

describe('user programs from upstream xv6 fs.img', function () {
  this.timeout(300_000);
  before(function () {
    if (!existsSync(kernel) || !existsSync(disk)) {
      console.log(`    (skipped: no upstream xv6 at ${upstream})`);
      this.skip();
    }
  });

  it("lists upstream's programs (and its README is not one)", () => {
    const bytes = readFileSync(disk);
    const fs = FsImage.open(bytesDevice(bytes));
    assert.ok(typeof fs !== 'string', typeof fs === 'string' ? fs : '');
    assert.equal(fs.format, 'xv6');
    assert.deepEqual(fs.files.map((f) => f.name).sort(), ['README', ...UPROGS].sort());
    const r = imagePrograms(bytesDevice(bytes), disk);
    assert.ok(typeof r !== 'string', typeof r === 'string' ? r : '');
    assert.deepEqual(r.programs.map((p) => p.name).sort(), UPROGS);
    assert.deepEqual(r.skipped, []);
    for (const p of r.programs) assert.ok(p.elf.symbol('main'), `${p.name} has main`);
    assert.ok(r.programs.find((p) => p.name === 'sh')?.elf.symbol('getcmd'));
  });

  describe('a session on the upstream kernel and fs.img', () => {
    const client = C.consoleClientPerTest();

    it("names the shell's frames at a usertrap breakpoint with no userPrograms folder", async () => {
      const dc = client.dc;
      // Upstream's Makefile runs QEMU with modern virtio (its README).
      await C.launch(dc, { kernel, disk, virtio: 'modern' }, async () => {}, false);
      await client.prompt();
      assert.match(client.output, /user programs: 16 programs in the disk image .*fs\.img\n/);
      // The shell reads the command a byte at a time: its next system call is from getcmd.
      await dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'usertrap', condition: "cpus[0].proc->name[0] == 's'" }],
      });
      const ev = C.nextStop(dc, 240_000);
      await dc.customRequest('xv6.consoleInput', { text: 'ls\n' });
      assert.equal((await ev).body.reason, 'function breakpoint');
      const st = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      const label = st.findIndex((f: DebugProtocol.StackFrame) => f.presentationHint === 'label');
      assert.ok(label > 0, st.map((f) => f.name).join(', '));
      const user = st.slice(label + 1).map((f) => f.name);
      assert.ok(user.length > 0 && user.every((n) => n.endsWith(' (sh)')), user.join(', '));
      for (const fn of ['getcmd', 'main']) assert.ok(user.includes(`${fn} (sh)`), user.join(', '));
    });
  });
});

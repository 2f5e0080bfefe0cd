/**
 * Where user-program symbols come from in a session: with no `userPrograms` the bundled
 * disk image's programs name the user frames of a lazy-fault stop in lazytests; with an
 * empty `userPrograms` folder (F5 right after `make clean`) and a disk whose programs
 * carry no symbols, the frames get their function names once `_lazytests` is copied into
 * the folder mid-session. The folder's bookkeeping (UserPrograms) is tested directly:
 * a folder that appears later, changed files, what is not a program, and the merge with
 * the image's programs.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { bytesDevice } from '../../adapter/fsimage';
import { nodeHost } from '../../adapter/host';
import { RESCAN_MS, UserPrograms } from '../../adapter/userprogs-load';
import { STT_FUNC } from '../../emulator/elf';
import { buildElf } from '../helpers/elf-builder';
import * as C from './client';

const prebuilt = (name: string): string => join(__dirname, '..', '..', 'kernel', 'prebuilt', name);
const committedLazytests = join(__dirname, 'user', '_lazytests');
const lazyFaults = { breakpoints: [{ name: 'usertrap', condition: '$scause == 13 || $scause == 15' }] };

/**
 * A copy of the bundled disk whose programs have no section headers (as if stripped):
 * they still run, but give no symbols, so only the userPrograms folder can name functions.
 */
function diskWithoutSymbols(dir: string): string {
  const img = Uint8Array.from(readFileSync(prebuilt('fs.img')));
  const dv = new DataView(img.buffer);
  let n = 0;
  for (let at = 0; at + 64 <= img.length; at += 1024) {
    if (dv.getUint32(at, true) !== 0x464c457f) continue; // "\x7fELF" opens a program's first block
    dv.setBigUint64(at + 40, 0n, true); // e_shoff
    dv.setUint16(at + 60, 0, true); // e_shnum
    dv.setUint16(at + 62, 0, true); // e_shstrndx
    n++;
  }
  assert.ok(n >= 10, `found the programs in the image (${n})`);
  const path = join(dir, 'fs-nosyms.img');
  writeFileSync(path, img);
  return path;
}

describe('user programs from the disk image and a folder that fills in later', function () {
  this.timeout(180_000);
  const client = C.consoleClientPerTest();
  let dc: DebugClient;
  beforeEach(() => {
    dc = client.dc;
  });
  const frames = async (): Promise<DebugProtocol.StackFrame[]> =>
    (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  const userFrames = async (): Promise<DebugProtocol.StackFrame[]> => {
    const st = await frames();
    const label = st.findIndex((f) => f.presentationHint === 'label');
    assert.ok(label > 0, `a trap-from-user label: ${st.map((f) => f.name).join(', ')}`);
    return st.slice(label + 1);
  };

  it('names user frames from the disk image when the launch has no userPrograms', async () => {
    const ev = C.nextStop(dc);
    await C.launch(dc, { disk: undefined }, () => dc.setFunctionBreakpointsRequest(lazyFaults), false);
    await client.shell('lazytests');
    await ev;
    assert.match(client.output, /user programs: 16 programs in the disk image .*fs\.img\n/);
    const user = await userFrames();
    const names = user.map((f) => f.name);
    assert.ok(
      user.every((f) => f.name.endsWith(' (lazytests)') && f.line > 0),
      names.join(', '),
    );
    assert.equal(user[0]!.source?.name, 'lazytests.c');
    assert.ok(names.includes('main (lazytests)'), names.join(', '));
  });

  it('names user frames once the ELFs are copied into an empty userPrograms folder mid-session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xv6-userprogs-'));
    const folder = join(dir, 'user');
    mkdirSync(folder);
    const ev = C.nextStop(dc);
    await C.launch(
      dc,
      { disk: diskWithoutSymbols(dir), userPrograms: folder },
      () => dc.setFunctionBreakpointsRequest(lazyFaults),
      false,
    );
    await client.shell('lazytests');
    await ev;
    assert.match(client.output, /user programs: none in the folder .*user yet/);
    assert.match(client.output, /user programs: 16 programs in the disk image .*fs-nosyms\.img\n/);
    const before = (await userFrames()).map((f) => f.name);
    assert.ok(!before.includes('main (lazytests)'), `no function names yet: ${before.join(', ')}`);

    // make builds the program while the machine is stopped; the next stop sees it.
    copyFileSync(committedLazytests, join(folder, '_lazytests'));
    const next = C.nextStop(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await next).body.reason, 'function breakpoint');
    assert.match(client.output, /user programs: 1 program in the folder .*user \(new: lazytests\)\n/);
    const user = await userFrames();
    const names = user.map((f) => f.name);
    assert.ok(names.includes('main (lazytests)'), names.join(', '));
    assert.equal(user[0]!.source?.name, 'lazytests.c');
    assert.ok(user[0]!.line > 0);
  });
});

describe('UserPrograms (folder and image bookkeeping)', () => {
  const tiny = (size: number): Uint8Array =>
    buildElf({
      loadAddr: 0,
      entry: 0,
      code: new Uint8Array(size).fill(0x13),
      symbols: [{ name: 'main', value: 0, size: 4, type: STT_FUNC }],
    });

  it('finds a folder that appears after launch, and files that change, at most once a second', () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'xv6-userprogs-')), 'user');
    const up = new UserPrograms(nodeHost, folder);
    const t0 = 1_000_000;
    assert.match(up.loadFolder(t0) ?? '', /the folder .*user does not exist yet/);
    assert.equal(up.refresh(t0 + 10), undefined, 'still missing: nothing to say');
    mkdirSync(folder);
    copyFileSync(committedLazytests, join(folder, '_lazytests'));
    // Not programs: sources, objects, initcode, a relocatable with the program prefix.
    writeFileSync(join(folder, 'ls.c'), 'int main(void) { return 0; }\n');
    writeFileSync(join(folder, 'ls.o'), tiny(64));
    writeFileSync(join(folder, 'initcode.out'), tiny(64));
    const relocatable = Uint8Array.from(tiny(64));
    relocatable[16] = 1;
    writeFileSync(join(folder, '_rel'), relocatable);
    // The folder itself changed: looked at again at once.
    assert.match(
      up.refresh(t0 + 20) ?? '',
      /^user programs: 1 program in the folder .* \(new: lazytests\) \(skipped: _rel \(an object file, not a program\)\)$/,
    );
    assert.deepEqual(
      up.programs.map((p) => [p.name, p.origin]),
      [['lazytests', 'folder']],
    );
    assert.equal(up.refresh(t0 + 30), undefined, 'nothing changed');
    // Rewritten in place (the folder's own time may not change): seen within a second.
    writeFileSync(join(folder, '_lazytests'), tiny(256));
    writeFileSync(join(folder, '_echo'), tiny(128));
    assert.match(up.refresh(t0 + 40 + RESCAN_MS) ?? '', /\(new: echo; changed: lazytests\)/);
    assert.deepEqual(up.programs.map((p) => p.name).sort(), ['echo', 'lazytests']);
    assert.equal(up.programs.find((p) => p.name === 'lazytests')?.bytes.length, tiny(256).length);
  });

  it('puts the image programs first and drops folder copies identical to them', () => {
    const folder = mkdtempSync(join(tmpdir(), 'xv6-userprogs-'));
    copyFileSync(committedLazytests, join(folder, '_lazytests'));
    writeFileSync(join(folder, '_extra'), tiny(64));
    const up = new UserPrograms(nodeHost, folder);
    assert.match(
      up.loadImage(bytesDevice(readFileSync(prebuilt('fs.img'))), 'fs.img') ?? '',
      /^user programs: 16 programs in the disk image fs\.img$/,
    );
    assert.match(up.loadFolder() ?? '', /^user programs: 2 programs in the folder /);
    const lazy = up.programs.filter((p) => p.name === 'lazytests');
    assert.deepEqual(
      lazy.map((p) => p.origin),
      ['image'],
    );
    assert.equal(up.programs.length, 17);
    assert.equal(up.programs.find((p) => p.name === 'extra')?.origin, 'folder');
    assert.match(
      up.loadImage(bytesDevice(new Uint8Array(8192)), 'blank.img') ?? '',
      /^note: no user programs from the disk image blank\.img: no xv6 file system \(superblock magic 0x0\)$/,
    );
  });
});

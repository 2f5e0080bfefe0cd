/**
 * A copied tree whose build folder still exists: the kernel's DWARF names the build
 * folder (an absolute comp_dir, as a student's own `make` records it), the sources and
 * the kernel ELF were copied to another folder, and the session is launched on the copy.
 * Stack frames, and breakpoints set in the copy's files, must name the copy's files.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { parseElf } from '../../emulator/elf';
import { Symbols } from '../../adapter/symbols';
import { withBuildFolder } from '../helpers/moved-build';
import * as C from './client';

const repo = join(__dirname, '..', '..');
const sources = join(repo, 'kernel', 'kernel');
const vmLines = readFileSync(join(sources, 'vm.c'), 'latin1').split('\n');
/** The line of `pte_t *pte = walk(pagetable, a, 1);` inside mappages' loop. */
const MAPPAGES_WALK = vmLines.findIndex((l) => l.includes('pte_t *pte = walk(pagetable, a, 1);')) + 1;

describe('a copied tree whose build folder still exists', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  C.clientPerTest((c) => (dc = c));
  const base = mkdtempSync(join(tmpdir(), 'xv6-copy-'));
  const build = join(base, 'build');
  const copy = join(base, 'copy');
  after(() => rmSync(base, { recursive: true, force: true }));

  before(() => {
    mkdirSync(build);
    cpSync(sources, join(build, 'kernel'), { recursive: true });
    const elf = withBuildFolder(
      new Uint8Array(readFileSync(join(repo, 'kernel', 'prebuilt', 'kernel'))),
      build,
    );
    writeFileSync(join(build, 'kernel', 'kernel'), elf);
    cpSync(build, copy, { recursive: true });
    // The ELF names the build folder: without care, its files would open.
    const syms = new Symbols(parseElf(elf));
    const at = syms.functionByName('mappages')?.line;
    assert.equal(at?.compDir, build, 'the rewritten kernel records the build folder');
  });

  it('shows frames and hits breakpoints in the copy, not in the build folder', async () => {
    const vmc = join(copy, 'kernel', 'vm.c');
    let set: Awaited<ReturnType<DebugClient['setBreakpointsRequest']>> | undefined;
    const ev = await C.launch(
      dc,
      { kernel: join(copy, 'kernel', 'kernel'), disk: join(repo, 'kernel', 'prebuilt', 'fs.img') },
      async () => {
        set = await dc.setBreakpointsRequest({
          source: { path: vmc },
          breakpoints: [{ line: MAPPAGES_WALK }],
        });
      },
    );
    assert.equal(set?.body.breakpoints[0]?.verified, true);
    assert.equal(ev?.body.reason, 'breakpoint');
    const st = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(st[0]?.name, 'mappages');
    assert.equal(st[0]?.source?.path, vmc);
    assert.equal(st[0]?.line, MAPPAGES_WALK);
    const withSource = st.filter((f) => f.source?.path);
    assert.ok(withSource.length >= 3, `frames: ${st.map((f) => f.name).join(', ')}`);
    for (const f of withSource)
      assert.ok(f.source!.path!.startsWith(copy + sep), `${f.name}: ${f.source!.path} is not in the copy`);
  });
});

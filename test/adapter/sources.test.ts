/**
 * Finding the source files a line table names: relative to an xv6 tree's top (where the
 * kernel ELF's parent folders are), absolute as recorded, and through the launch
 * configuration's sourceMap.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setSourceMap, sourcePath } from '../../adapter/sources';

describe('source paths', () => {
  const top = mkdtempSync(join(tmpdir(), 'xv6-src-'));
  mkdirSync(join(top, 'kernel'));
  writeFileSync(join(top, 'kernel', 'vm.c'), '// vm\n');
  afterEach(() => setSourceMap([]));

  it("finds kernel/vm.c from the kernel ELF's folder (comp_dir '.')", () => {
    assert.equal(
      sourcePath({ file: 'kernel/vm.c', compDir: '.' }, join(top, 'kernel', 'kernel')),
      join(top, 'kernel', 'vm.c'),
    );
    assert.equal(
      sourcePath({ file: 'kernel/nosuch.c', compDir: '.' }, join(top, 'kernel', 'kernel')),
      undefined,
    );
  });

  it('maps a build folder to a local one', () => {
    const rec = { file: 'kernel/vm.c', compDir: '/build/xv6' };
    assert.equal(sourcePath(rec, undefined), undefined);
    setSourceMap([['/build/xv6', top]]);
    assert.equal(sourcePath(rec, undefined), join(top, 'kernel', 'vm.c'));
  });
});

describe('source paths of a moved or copied tree', () => {
  const base = mkdtempSync(join(tmpdir(), 'xv6-moved-'));
  const build = join(base, 'build', 'xv6');
  const copy = join(base, 'copy', 'xv6');
  for (const top of [build, copy]) {
    mkdirSync(join(top, 'kernel'), { recursive: true });
    writeFileSync(join(top, 'kernel', 'vm.c'), '// vm\n');
  }
  afterEach(() => setSourceMap([]));

  it('prefers the tree of the kernel ELF to the build folder the DWARF names', () => {
    setSourceMap([], join(copy, 'kernel', 'kernel'));
    const elf = join(copy, 'kernel', 'kernel');
    // comp_dir is the old build folder; the same file exists in both trees.
    assert.equal(sourcePath({ file: 'kernel/vm.c', compDir: build }, elf), join(copy, 'kernel', 'vm.c'));
    assert.equal(
      sourcePath({ file: join(build, 'kernel', 'vm.c'), compDir: build }, elf),
      join(copy, 'kernel', 'vm.c'),
    );
    // Not in the copy: the recorded file, as before.
    writeFileSync(join(build, 'kernel', 'only-here.c'), '\n');
    assert.equal(
      sourcePath({ file: 'kernel/only-here.c', compDir: build }, elf),
      join(build, 'kernel', 'only-here.c'),
    );
  });

  it("prefers the launch's folder, and leaves paths inside a tree alone", () => {
    setSourceMap([], undefined, copy);
    assert.equal(
      sourcePath({ file: 'kernel/vm.c', compDir: build }, undefined),
      join(copy, 'kernel', 'vm.c'),
    );
    setSourceMap([], undefined, build);
    assert.equal(
      sourcePath({ file: 'kernel/vm.c', compDir: build }, undefined),
      join(build, 'kernel', 'vm.c'),
    );
  });

  it('lets an explicit sourceMap win', () => {
    const other = join(base, 'other');
    mkdirSync(join(other, 'kernel'), { recursive: true });
    writeFileSync(join(other, 'kernel', 'vm.c'), '\n');
    setSourceMap([[build, other]], join(copy, 'kernel', 'kernel'));
    assert.equal(
      sourcePath({ file: 'kernel/vm.c', compDir: build }, join(copy, 'kernel', 'kernel')),
      join(other, 'kernel', 'vm.c'),
    );
  });
});

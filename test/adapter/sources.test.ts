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

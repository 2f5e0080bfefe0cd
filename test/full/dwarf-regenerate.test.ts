// Full suite (needs the RISC-V GCC and binutils, clang-14 and gdb-multiarch): rebuilds
// the DWARF fixtures from source in a scratch directory, checks the committed ELFs are
// exactly what the Makefile produces, and that expected.json matches what the GNU tools
// say today. `npm test` uses the committed files and needs none of these tools.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../unit/fixtures/dwarf/load';

const fixtures = join(__dirname, '..', 'unit', 'fixtures', 'dwarf');

describe('dwarf fixtures regenerate from source', () => {
  let dir = '';
  before(function () {
    this.timeout(300_000);
    dir = mkdtempSync(join(tmpdir(), 'dwarf-fixtures-'));
    for (const f of ['src', 'Makefile', 'expect.mjs', 'expected.json'])
      cpSync(join(fixtures, f), join(dir, f), { recursive: true });
    execFileSync('make', ['-s', 'all'], { cwd: dir, stdio: 'pipe' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds byte-identical ELFs', () => {
    for (const elf of FIXTURES)
      assert.ok(readFileSync(join(dir, elf)).equals(readFileSync(join(fixtures, elf))), `${elf} differs`);
  });

  it('finds expected.json up to date with objdump, readelf and gdb', function () {
    this.timeout(300_000);
    const out = execFileSync('node', ['expect.mjs', '--check'], { cwd: dir, encoding: 'utf8' });
    assert.match(out, /up to date/);
  });
});

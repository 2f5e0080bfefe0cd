// Line tables and breakpoint placement of the DWARF reader, checked against
// objdump --dwarf=decodedline and gdb's breakpoints on the committed fixtures.
import assert from 'node:assert/strict';
import { expected, FIXTURES, loadSymbols } from './fixtures/dwarf/load';

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

for (const name of FIXTURES) {
  describe(`dwarf line tables: ${name}`, () => {
    const syms = loadSymbols(name);
    const exp = expected(name);

    it('loads without errors', () => {
      assert.deepEqual(syms.loadErrors, []);
    });

    it('decodes the same rows as objdump', () => {
      const mine: [string, number | null, number, boolean][] = [];
      for (const unit of syms.units) {
        const table = syms.lineTable(unit);
        if (!table) continue;
        for (const seq of table.sequences) {
          for (const r of seq.rows)
            mine.push([basename(table.files[r.file] ?? '?'), r.line, r.address, r.isStmt]);
          mine.push([
            basename(table.files[seq.rows[seq.rows.length - 1]!.file] ?? '?'),
            null,
            seq.high,
            false,
          ]);
        }
      }
      const key = (r: [string, number | null, number, boolean]): string =>
        [basename(r[0]), ...r.slice(1)].join(' ');
      assert.deepEqual(mine.map(key).sort(), exp.lines.map(key).sort());
      assert.ok(mine.length > 50);
    });

    it('finds the line gdb info line finds at every row address and between rows', () => {
      const mismatches: string[] = [];
      for (const [addr, want] of Object.entries(exp.linesAt)) {
        const got = syms.lineAt(Number(addr));
        const mine = got ? `${basename(got.file)}:${got.line}` : 'none';
        const theirs = want ? `${basename(want[0])}:${want[1]}` : 'none';
        if (mine !== theirs) mismatches.push(`0x${Number(addr).toString(16)}: mine ${mine}, gdb ${theirs}`);
      }
      assert.ok(Object.keys(exp.linesAt).length > 50);
      assert.deepEqual(mismatches, []);
    });

    it('reports paths joined with their directory', () => {
      const main = syms.functionByName('main');
      assert.ok(main?.line);
      assert.equal(main.line.file, 'src/main.c');
      assert.equal(syms.lineAt(syms.functionByName('walk')!.low)?.file, 'src/util.c');
    });

    it('places function breakpoints where gdb does', () => {
      for (const [fn, bp] of Object.entries(exp.breakpoints)) {
        const f = syms.functionByName(fn);
        assert.ok(f, fn);
        assert.equal(`0x${f.entry.toString(16)}`, `0x${bp.address.toString(16)}`, `${fn} entry`);
        assert.equal(f.line?.line, bp.line, `${fn} line`);
        assert.equal(f.line?.file, bp.file.replace(/^\.\//, ''), `${fn} file`);
      }
    });

    it('places file:line breakpoints where gdb does, for every line of the sources', () => {
      const mismatches: string[] = [];
      let located = 0;
      for (const [spec, want] of Object.entries(exp.lineBreakpoints)) {
        const [file, n] = spec.split(':') as [string, string];
        const got = syms.resolveLine(file, Number(n));
        const mine = (got?.locations ?? []).map((l) => `0x${l.address.toString(16)}:${l.line}`);
        const theirs = want.map((l) => `0x${l.address.toString(16)}:${l.line}`).sort();
        if (mine.join(' ') !== theirs.join(' '))
          mismatches.push(`${spec}: mine [${mine.join(' ')}] gdb [${theirs.join(' ')}]`);
        located += want.length;
      }
      assert.ok(located > 40);
      assert.deepEqual(mismatches, []);
    });

    it('matches files by whole trailing path components', () => {
      const want = syms.resolveLine('src/util.c', 50);
      assert.ok(want && want.addresses.length > 0);
      assert.equal(want.file, 'src/util.c');
      const stmt = exp.lines
        .filter(([f, l, , st]) => basename(f) === 'util.c' && l === want.line && st)
        .map(([, , a]) => a);
      assert.ok(want.stmtAddresses.length > 0);
      assert.ok(want.stmtAddresses.every((a) => stmt.includes(a)));
      for (const query of ['util.c', './src/util.c', '/home/student/project/src/util.c'])
        assert.deepEqual(syms.resolveLine(query, 50), want, query);
      assert.equal(syms.resolveLine('til.c', 50), undefined, 'a partial component does not match');
      assert.equal(syms.resolveLine('util.c', 10_000), undefined);
    });
  });
}

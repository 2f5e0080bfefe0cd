/**
 * Runs our RISC-V ISA test programs (test/isa/src/*.S, committed prebuilt in
 * test/isa/prebuilt/) on the emulator through the CLI's HTIF mode, one `it` per program.
 * A program exits with 0 when every check passed, or with the number of the first failed
 * check (the `CHECK(n)` in its source). The self-tests in prebuilt/selftest/ show that a
 * failing program (fail42) and a program that never reports (stuck-wfi) do not pass.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const prebuilt = join(__dirname, 'prebuilt');
const programs = readdirSync(prebuilt)
  .filter((f) => f.endsWith('.elf'))
  .map((f) => f.slice(0, -'.elf'.length))
  .sort();

/** Wall-clock limit for one program; the slowest takes well under a second today. */
const TIMEOUT_MS = 60_000;

interface HtifRun {
  status: number | null;
  output: string;
}

function runHtif(elf: string): HtifRun {
  assert.ok(
    existsSync(cli),
    `${cli} does not exist: build the emulator's CLI first (npm run build, or npm test which builds)`,
  );
  const r = spawnSync(process.execPath, [cli, '--htif', elf], { encoding: 'utf8', timeout: TIMEOUT_MS });
  if (r.error) assert.fail(`could not run ${elf}: ${r.error.message}`);
  if (r.signal) assert.fail(`${elf} did not finish within ${TIMEOUT_MS / 1000} s (killed by ${r.signal})`);
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** What an exit status means, for the failure message. */
function explain(name: string, run: HtifRun): string {
  const failed = /test failed with code (\d+)/.exec(run.output);
  const where = `test/isa/src/${name}.S`;
  const detail = run.output ? `\n--- emulator output ---\n${run.output}` : '';
  if (failed) return `${name}: check ${failed[1]} failed (see CHECK(${failed[1]}) in ${where})${detail}`;
  return `${name}: the emulator exited with status ${run.status} without an HTIF result${detail}`;
}

describe('ISA tests on the emulator (--htif)', function () {
  this.timeout(TIMEOUT_MS + 10_000);

  it('finds the prebuilt programs', () => {
    assert.ok(programs.length >= 10, `only ${programs.length} programs in ${prebuilt}`);
  });

  for (const name of programs) {
    it(name, () => {
      const run = runHtif(join(prebuilt, `${name}.elf`));
      assert.equal(run.status, 0, explain(name, run));
    });
  }

  it('reports a failing check by its number (selftest/fail42)', () => {
    const run = runHtif(join(prebuilt, 'selftest', 'fail42.elf'));
    assert.equal(run.status, 42, `expected exit status 42, got ${run.status}: ${run.output}`);
    assert.match(run.output, /test failed with code 42/);
  });

  it('does not pass a program that never writes tohost (selftest/stuck-wfi)', () => {
    const run = runHtif(join(prebuilt, 'selftest', 'stuck-wfi.elf'));
    assert.notEqual(
      run.status,
      0,
      `a program stuck in wfi with no interrupt enabled exited with 0: ${run.output}`,
    );
  });
});

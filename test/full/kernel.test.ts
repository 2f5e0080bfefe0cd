/**
 * Full suite for the teaching kernel (needs the RISC-V cross compiler and QEMU, which
 * .ci/run installs): the committed prebuilt images are exactly what the sources build,
 * the kernel passes its suites under qemu-system-riscv64 on 1 and 3 harts and with both
 * virtio interfaces, each staged kernel fails there the way it does on our emulator, and
 * the two machines print the same transcript for the same command.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasQemu, prebuilt, root, runEmu, runQemu } from '../helpers/guest';

const images = [
  'kernel',
  'kernel-stage1',
  'kernel-stage2',
  'kernel-stage3',
  'kernel-stage4',
  'kernel-stage5',
  'fs.img',
];

describe('teaching kernel: reproducible build', () => {
  it('rebuilds the prebuilt kernels and disk image byte for byte', function () {
    this.timeout(600_000);
    const dir = mkdtempSync(join(tmpdir(), 'kernel-build-'));
    try {
      cpSync(join(root, 'kernel'), join(dir, 'kernel'), {
        recursive: true,
        filter: (src) => !/[/\\](build|prebuilt)([/\\]|$)/.test(src.slice(join(root, 'kernel').length)),
      });
      execFileSync('make', ['-s', '-C', join(dir, 'kernel'), 'prebuilt'], { stdio: 'pipe' });
      for (const f of images) {
        const built = readFileSync(join(dir, 'kernel', 'prebuilt', f));
        assert.ok(
          built.equals(readFileSync(prebuilt(f))),
          `kernel/prebuilt/${f} differs from what the sources build`,
        );
      }
      // The adapter tests use a committed copy of one user program for its symbols.
      const lazytests = readFileSync(join(dir, 'kernel', 'build', 'user', '_lazytests'));
      assert.ok(
        lazytests.equals(readFileSync(join(root, 'test', 'adapter', 'user', '_lazytests'))),
        'test/adapter/user/_lazytests differs from kernel/build/user/_lazytests: copy it again',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('teaching kernel: built with clang', () => {
  it('builds with clang and lld (make TOOLPREFIX=) and passes lazytests and usertests -q here', function () {
    this.timeout(900_000);
    const dir = mkdtempSync(join(tmpdir(), 'kernel-clang-'));
    try {
      cpSync(join(root, 'kernel'), join(dir, 'kernel'), {
        recursive: true,
        filter: (src) => !/[/\\](build|prebuilt)([/\\]|$)/.test(src.slice(join(root, 'kernel').length)),
      });
      execFileSync('make', ['-s', '-C', join(dir, 'kernel'), 'TOOLPREFIX='], { stdio: 'pipe' });
      const build = join(dir, 'kernel', 'build');
      for (const cmd of ['lazytests', 'usertests -q']) {
        const r = runEmu(cmd, { kernel: join(build, 'kernel'), disk: join(build, 'fs.img') });
        assert.equal(r.status, 0, r.stderr + r.output.slice(-2000));
        assert.match(r.transcript, /ALL TESTS PASSED/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('teaching kernel under QEMU', function () {
  this.timeout(900_000);
  before(() =>
    assert.ok(hasQemu(), 'qemu-system-riscv64 is not installed (.ci/run installs qemu-system-misc)'),
  );

  for (const harts of [1, 3]) {
    for (const cmd of ['lazytests', 'usertests']) {
      it(`${cmd} passes on ${harts} hart(s)`, async () => {
        const r = await runQemu(cmd, { harts });
        assert.equal(r.status, 0, r.output.slice(-3000));
        assert.doesNotMatch(r.transcript, /FAILED/);
        assert.match(r.transcript, /ALL TESTS PASSED/);
      });
    }
  }

  it('boots with the modern virtio interface', async () => {
    const r = await runQemu('echo modern > f; cat f', { virtio: 'modern' });
    assert.match(r.output, /virtio disk: modern interface/);
    assert.match(r.transcript, /^modern\n/);
  });

  const staged: [number, string, RegExp][] = [
    [1, 'lazytests', /panic: uvmunmap: (walk|not mapped)/],
    [2, 'usertests sparsefork', /panic: uvmcopy: page not present/],
    [3, 'usertests sbrkarg', /test sbrkarg: FAILED/],
    [4, 'usertests argptest', /panic: freewalk: leaf/],
    [5, 'usertests stacktest', /panic: remap/],
  ];
  for (const [stage, cmd, expected] of staged) {
    it(`stage ${stage}: ${cmd} shows ${expected.source}`, async () => {
      const r = await runQemu(cmd, { kernel: prebuilt(`kernel-stage${stage}`), timeoutMs: 300_000 });
      assert.match(r.output, expected, r.output.slice(-2000));
    });
  }
});

describe('differential: QEMU and this emulator print the same transcript', function () {
  this.timeout(900_000);
  const commands = [
    'lazytests',
    'usertests -q',
    'echo a b c | cat; ls',
    'forktest; stressfs; wc README; grep "^ +[a-z]+ +f" README; ln README x; ls x',
  ];
  for (const cmd of commands) {
    it(cmd, async () => {
      const [q, e] = [await runQemu(cmd), runEmu(cmd)];
      assert.equal(q.status, 0, q.output.slice(-2000));
      assert.equal(e.status, 0, e.stderr + e.output.slice(-2000));
      assert.ok(q.transcript.length > 0, 'QEMU printed nothing for the command');
      assert.equal(e.transcript, q.transcript);
    });
  }

  for (const harts of [1, 3]) {
    it(`full usertests on this emulator, ${harts} hart(s)`, () => {
      const r = runEmu('usertests', { harts });
      assert.equal(r.status, 0, r.stderr + r.output.slice(-3000));
      assert.doesNotMatch(r.transcript, /FAILED/);
      assert.match(r.transcript, /ALL TESTS PASSED/);
    });
  }
});

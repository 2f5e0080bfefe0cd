/**
 * The xv6emu command line: one clear line and status 2 for bad input, HTIF exit codes,
 * the panic report (message + backtrace, status 3: `file:line` frames from the DWARF of
 * the staged kernels, `function+offset` for a kernel without debug information), and
 * `--run` with `--expect`. Runs dist/cli.js, which `npm test` builds first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildElf } from '../helpers/elf-builder';
import { asm, program } from '../helpers/asm';
import { STT_FUNC, STT_OBJECT } from '../../emulator/elf';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const prebuilt = (name: string): string => join(root, 'kernel', 'prebuilt', name);
const dir = mkdtempSync(join(tmpdir(), 'xv6emu-cli-'));

function run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  assert.ok(existsSync(cli), `${cli} is missing: run npm run build`);
  const p = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    input: input ?? '',
  });
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A bare-metal program storing `value` to its tohost symbol. */
function htifProgram(value: number): string {
  const a0 = 10;
  const t0 = 5;
  const code = program([
    asm.auipc(t0, 0), // t0 = 0x80000000
    asm.addi(t0, t0, 64), // &tohost
    asm.addi(a0, 0, value),
    asm.sd(a0, t0, 0),
    asm.jal(0, 0), // spin
  ]);
  const img = new Uint8Array(72);
  img.set(code);
  return file(
    `htif-${value}.elf`,
    buildElf({ code: img, symbols: [{ name: 'tohost', value: 0x8000_0040, size: 8, type: STT_OBJECT }] }),
  );
}

describe('xv6emu command line', function () {
  const oneLine = (s: string): void =>
    assert.equal(s.trim().split('\n').length, 1, `expected one line, got:\n${s}`);

  it('rejects an unknown option', () => {
    const r = run(['--frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option '--frobnicate'/);
  });

  it('reports a missing kernel in one line', () => {
    const r = run(['--kernel', join(dir, 'nope')]);
    assert.equal(r.status, 2);
    oneLine(r.stderr);
    assert.match(r.stderr, /kernel not found/);
  });

  it('reports a file that is not an ELF', () => {
    const r = run(['--kernel', file('notelf', 'hello world, definitely not an ELF image\n'.repeat(3))]);
    assert.equal(r.status, 2);
    oneLine(r.stderr);
    assert.match(r.stderr, /not an ELF file/);
  });

  it('reports a 32-bit ELF', () => {
    const r = run(['--kernel', file('rv32.elf', buildElf({ code: program([asm.nop()]), elfClass: 1 }))]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /32-bit/);
  });

  it('reports a segment outside RAM', () => {
    const r = run(['--kernel', file('low.elf', buildElf({ code: program([asm.nop()]), loadAddr: 0x1000 }))]);
    assert.equal(r.status, 2);
    oneLine(r.stderr);
    assert.match(r.stderr, /0x1000|outside/i);
  });

  it('reports a disk image that is not whole sectors', () => {
    const k = file('k.elf', buildElf({ code: program([asm.jal(0, 0)]) }));
    const r = run(['--kernel', k, '--disk', file('odd.img', new Uint8Array(1000))]);
    assert.equal(r.status, 2);
    oneLine(r.stderr);
    assert.match(r.stderr, /512-byte sectors/);
  });

  it('passes HTIF exit codes through', () => {
    assert.equal(run(['--htif', htifProgram(1)]).status, 0);
    const fail = run(['--htif', htifProgram((5 << 1) | 1)]);
    assert.equal(fail.status, 5);
    assert.match(fail.stderr, /code 5/);
  });

  it('runs with the JIT by default and without it under --no-jit, with the same result', () => {
    const workload = join(__dirname, '..', '..', 'bench', 'prebuilt', 'workload.elf');
    const stats = (args: string[]): { instret: number; jitRetired: number } => {
      const r = run(['--kernel', workload, '--stats', ...args]);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stderr.trim().split('\n').pop()!) as { instret: number; jitRetired: number };
    };
    const jit = stats([]);
    const interp = stats(['--no-jit']);
    assert.equal(interp.instret, jit.instret, 'same instruction count either way');
    assert.equal(interp.jitRetired, 0);
    assert.ok(jit.jitRetired > jit.instret / 2, `the JIT retired only ${jit.jitRetired} of ${jit.instret}`);
  });

  it('stops a run that exceeds --timeout-insns', () => {
    const k = file('spin.elf', buildElf({ code: program([asm.jal(0, 0)]) }));
    const r = run(['--kernel', k, '--timeout-insns', '100000']);
    assert.equal(r.status, 4);
    assert.match(r.stderr, /timeout/);
  });

  it('prints the panic message and a function+offset backtrace for a kernel without DWARF', () => {
    // _entry: sp = 0x80010000; call f1.   f1: frame record; a0 = &msg; call panic.
    const [sp, ra, s0, a0] = [2, 1, 8, 10];
    const code = [
      /* 0x00 _entry */ asm.auipc(sp, 0x10),
      /* 0x04 */ asm.jal(ra, 0x0c), // -> f1 at 0x10
      /* 0x08 */ asm.jal(0, 0),
      /* 0x0c */ asm.nop(),
      /* 0x10 f1 */ asm.addi(sp, sp, -16),
      /* 0x14 */ asm.sd(ra, sp, 8),
      /* 0x18 */ asm.sd(s0, sp, 0),
      /* 0x1c */ asm.addi(s0, sp, 16),
      /* 0x20 */ asm.auipc(a0, 0),
      /* 0x24 */ asm.addi(a0, a0, 0x20), // msg at 0x40
      /* 0x28 */ asm.jal(ra, 0x10), // -> panic at 0x38
      /* 0x2c */ asm.jal(0, 0),
      /* 0x30 */ asm.nop(),
      /* 0x34 */ asm.nop(),
      /* 0x38 panic */ asm.jal(0, 0),
      /* 0x3c */ asm.nop(),
    ];
    const img = program(code, Buffer.from('uvmunmap: walk\0', 'latin1'));
    const k = file(
      'panic.elf',
      buildElf({
        code: img,
        symbols: [
          { name: '_entry', value: 0x8000_0000, size: 0x10, type: STT_FUNC },
          { name: 'f1', value: 0x8000_0010, size: 0x28, type: STT_FUNC },
          { name: 'panic', value: 0x8000_0038, size: 8, type: STT_FUNC },
        ],
      }),
    );
    const r = run(['--kernel', k, '--timeout-insns', '1000000']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /panic: uvmunmap: walk/);
    assert.match(r.stdout, /#0 0x0000000080000038 in panic\+0/);
    assert.match(r.stdout, /#1 0x000000008000002c in f1\+28/);
    assert.match(r.stdout, /#2 0x0000000080000008 in _entry\+8/);
  });

  /** The source line a frame names, from the kernel's sources in this repository. */
  const sourceLine = (file: string, line: number): string =>
    readFileSync(join(root, 'kernel', file), 'latin1').split('\n')[line - 1] ?? '';

  // [stage, command, message, kernel functions the backtrace names below panic, in order]
  const panics: [number, string, string, string[]][] = [
    [1, 'lazytests', 'uvmunmap: not mapped', ['uvmunmap', 'uvmdealloc', 'growproc', 'sys_sbrk']],
    [2, 'usertests sparsefork', 'uvmcopy: page not present', ['uvmcopy', 'fork', 'sys_fork']],
    [4, 'usertests argptest', 'freewalk: leaf', ['freewalk', 'uvmfree', 'freeproc', 'wait', 'sys_wait']],
    [5, 'usertests stacktest', 'remap', ['mappages', 'lazymap', 'lazyalloc', 'usertrap']],
  ];
  for (const [stage, cmd, message, names] of panics) {
    // Stage 1 runs from an xv6 tree's layout, whose user/_lazytests names the user frames.
    const tree = stage === 1;
    it(`stage ${stage}: a file:line backtrace of the panic (${names.join(' < ')})${tree ? ', user frames from user/' : ''}`, () => {
      let kernel = prebuilt(`kernel-stage${stage}`);
      if (tree) {
        const top = mkdtempSync(join(dir, 'tree-'));
        mkdirSync(join(top, 'kernel'));
        mkdirSync(join(top, 'user'));
        kernel = join(top, 'kernel', 'kernel');
        copyFileSync(prebuilt('kernel-stage1'), kernel);
        copyFileSync(prebuilt('fs.img'), join(top, 'fs.img'));
        copyFileSync(join(root, 'test', 'adapter', 'user', '_lazytests'), join(top, 'user', '_lazytests'));
      }
      const r = run([
        '--kernel',
        kernel,
        '--disk',
        prebuilt('fs.img'),
        '--run',
        cmd,
        '--timeout-insns',
        '2000000000',
      ]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`^panic: ${message}\nxv6emu: kernel panic on hart 0; backtrace:\n#0 `, 'm'),
      );
      const bt = r.stdout.slice(r.stdout.indexOf('#0 ')).split('\n');
      const boundary = bt.findIndex((l) => l.startsWith('── trap from user'));
      assert.ok(boundary > 0, `the backtrace reaches the trap from user space:\n${bt.join('\n')}`);
      // Every kernel frame is gdb's `#N function at file:line`.
      const frames = bt.slice(0, boundary).map((l, i) => {
        const m = /^#(\d+) (\w+) at (kernel\/\w+\.c):(\d+)$/.exec(l);
        assert.ok(m, `frame ${i} has a function and a file:line: '${l}'`);
        assert.equal(Number(m[1]), i);
        return { name: m[2]!, file: m[3]!, line: Number(m[4]) };
      });
      assert.equal(frames[0]!.name, 'panic');
      assert.equal(frames[0]!.file, 'kernel/printf.c');
      assert.match(sourceLine(frames[0]!.file, frames[0]!.line), /\bpanic\(/);
      // The line of each caller frame is the call of the frame above it (system calls go
      // through syscall()'s table of handlers).
      for (let i = 1; i < frames.length; i++) {
        const f = frames[i]!;
        const callee = frames[i - 1]!.name;
        const call = callee.startsWith('sys_')
          ? String.raw`\bsyscall_table\[\w+\]\(`
          : String.raw`\b${callee}\(`;
        assert.match(
          sourceLine(f.file, f.line),
          new RegExp(call),
          `${f.name} at ${f.file}:${f.line} calls ${callee}`,
        );
      }
      const shown = frames.map((f) => f.name);
      let at = 1;
      for (const n of names) {
        const i = shown.indexOf(n, at);
        assert.ok(i >= at, `${n} follows ${shown[at - 1]} in ${shown.join(' < ')}`);
        at = i + 1;
      }
      const user = bt.slice(boundary + 1).filter((l) => l.startsWith('#'));
      if (tree) {
        assert.match(user[0] ?? '', /^#\d+ sbrk \(lazytests\) at \S*usys\.S:\d+$/);
        assert.ok(
          user.some((l) => /^#\d+ main \(lazytests\) at user\/lazytests\.c:\d+$/.test(l)),
          user.join('\n'),
        );
      } else {
        // No user/ folder: the programs come from the disk image, with their DWARF.
        assert.match(user[0] ?? '', /^#\d+ \w+ \(usertests\) at \S+:\d+$/);
        assert.ok(
          user.some((l) => /^#\d+ main \(usertests\) at \S*usertests\.c:\d+$/.test(l)),
          user.join('\n'),
        );
      }
    });
  }

  describe('--run with --expect', () => {
    it('exits 0 when the output of the command matches', () => {
      const r = run([
        '--run',
        'usertests sbrkarg',
        '--expect',
        '^ALL TESTS PASSED$',
        '--timeout-insns',
        '2000000000',
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /test sbrkarg: OK/);
      assert.equal(r.stderr, '');
    });

    it('exits 1 with one line when the output does not match', () => {
      const args = ['--kernel', prebuilt('kernel-stage3'), '--disk', prebuilt('fs.img')];
      const r = run([
        ...args,
        '--run',
        'usertests sbrkarg',
        '--expect',
        '^ALL TESTS PASSED$',
        '--timeout-insns',
        '2000000000',
      ]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /test sbrkarg: FAILED/, 'the output is shown as without --expect');
      oneLine(r.stderr);
      assert.match(
        r.stderr,
        /^xv6emu: the output of 'usertests sbrkarg' does not match --expect "\^ALL TESTS PASSED\$"$/m,
      );
    });

    it('checks what the command printed, not the echo of its own line', () => {
      const r = run(['--run', 'echo hello', '--expect', 'echo', '--timeout-insns', '2000000000']);
      assert.match(r.stdout, /^\$ echo hello\nhello\n/m);
      assert.equal(r.status, 1, r.stderr);
    });

    it('rejects a bad regular expression in one line, exit 2', () => {
      const r = run(['--run', 'ls', '--expect', 'ALL (TESTS']);
      assert.equal(r.status, 2);
      oneLine(r.stderr);
      assert.match(r.stderr, /^xv6emu: --expect: not a regular expression: "ALL \(TESTS": .*group/);
      assert.equal(r.stdout, '', 'nothing ran');
    });

    it('needs --run', () => {
      const r = run(['--expect', 'OK']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^xv6emu: --expect checks the output of --run/);
    });

    it('is in --help', () => {
      const r = run(['--help']);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /\[--run "CMD" \[--expect REGEX\]\]/);
      assert.match(r.stdout, /--expect it exits 1 unless CMD's output matches REGEX/);
      assert.match(r.stdout, /Ctrl-A h lists the other escape keys/);
    });
  });
});

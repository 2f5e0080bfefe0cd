/**
 * The everyday programs on the bundled disk, run at the shell of the bundled kernel on this
 * emulator: README is on the disk as committed, grep's matcher agrees with JavaScript's
 * regular expressions on it, wc counts it as we do here, ln makes a second name for one
 * inode, forktest fills the process table (NPROC from kernel/param.h) and reaps it,
 * stressfs's children share the file system and clean up, and zombie's child shows up as
 * a zombie under ^P until init reaps it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, root, runEmu, type GuestRun } from '../helpers/guest';

const readme = readFileSync(join(root, 'kernel', 'user', 'README'), 'latin1');
const readmeLines = readme.split('\n').slice(0, -1); // the file ends with '\n'
const nproc = Number(/#define NPROC (\d+)/.exec(readFileSync(join(root, 'kernel', 'kernel', 'param.h'), 'latin1'))?.[1]);

/** The console reads lines of at most 127 characters (INPUT_SIZE in console.c). */
const LINE_MAX = 126;
const SEPARATOR = '@@';

function run(cmd: string, harts?: number): GuestRun {
  assert.ok(cmd.length <= LINE_MAX, `command too long for the console: ${cmd}`);
  const r = runEmu(cmd, { harts });
  assert.equal(r.status, 0, r.stderr + r.output.slice(-2000));
  return r;
}

/**
 * What each command printed, running them in as few boots as the console's line length
 * allows: commands on one line are separated by `echo @@` (README holds no "@@").
 */
function transcripts(cmds: string[]): string[] {
  const results: string[] = [];
  let batch: string[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    const parts = run(batch.join(`; echo ${SEPARATOR}; `)).transcript.split(`${SEPARATOR}\n`);
    assert.equal(parts.length, batch.length, `output of ${batch.join('; ')} not in ${batch.length} parts`);
    results.push(...parts);
    batch = [];
  };
  for (const cmd of cmds) {
    const line = [...batch, cmd].join(`; echo ${SEPARATOR}; `);
    if (line.length > LINE_MAX) flush();
    batch.push(cmd);
  }
  flush();
  return results;
}

describe('bundled programs on the teaching kernel', () => {
  describe('grep', () => {
    // The same pattern for grep and for JavaScript (the shell keeps "..." as one word).
    const patterns: [string, RegExp][] = [
      ['tests', /tests/],
      ['"^  [a-z]+ +[A-Z]"', /^ {2}[a-z]+ +[A-Z]/],
      ['s$', /s$/],
      ['"^[^ a-z]"', /^[^ a-z]/],
      ['^$', /^$/],
      ['"l.*t.*s "', /l.*t.*s /],
      ['x?cat', /x?cat/],
      ['\\.$', /\.$/],
      ['"^ +[a-z]+ +[a-z]+ [A-Z]"', /^ +[a-z]+ +[a-z]+ [A-Z]/],
    ];
    it('prints the lines of README that a JavaScript RegExp matches, for each pattern', () => {
      const got = transcripts(patterns.map(([pattern]) => `grep ${pattern} README`));
      patterns.forEach(([pattern, re], i) => {
        const want = readmeLines.filter((l) => re.test(l));
        assert.ok(want.length > 0 && want.length < readmeLines.length, `${re} does not pick lines out`);
        assert.equal(got[i], want.map((l) => l + '\n').join(''), `grep ${pattern} README`);
      });
    });

    it('prefixes the file name with several files, reads standard input with none', () => {
      const r = run('grep ^Try README README; cat README | grep ^Console');
      const tryLine = readmeLines.find((l) => l.startsWith('Try'))!;
      const consoleLine = readmeLines.find((l) => l.startsWith('Console'))!;
      assert.equal(r.transcript, `README:${tryLine}\nREADME:${tryLine}\n${consoleLine}\n`);
    });

    it('reports a bad pattern or a missing file in one line', () => {
      const r = run('grep "[a" README; grep *x README; grep a nosuch; grep');
      assert.equal(
        r.transcript,
        'grep: bad pattern [a: [ without ]\n' +
          'grep: bad pattern *x: *, + or ? with nothing to repeat\n' +
          'grep: cannot open nosuch\n' +
          'usage: grep PATTERN [FILE...]\n',
      );
    });
  });

  it('README on the disk is kernel/user/README, and wc counts it as we do here', () => {
    const lines = readmeLines.length;
    const words = readme.split(/[ \t\n\r\v\f]+/).filter((w) => w !== '').length;
    const bytes = Buffer.byteLength(readme, 'latin1');
    const r = run('cat README; wc README; cat README | wc; wc README README');
    assert.equal(
      r.transcript,
      readme +
        `${lines} ${words} ${bytes} README\n${lines} ${words} ${bytes}\n` +
        `${lines} ${words} ${bytes} README\n${lines} ${words} ${bytes} README\n` +
        `${2 * lines} ${2 * words} ${2 * bytes} total\n`,
    );
  });

  it('ln gives a file a second name for the same inode, which outlives the first', () => {
    const [shown, linked, errors] = transcripts([
      'ls README; ln README notes; ls notes; rm README; cat notes',
      'ln notes notes',
      'ln nosuch x; ln . y; ln a',
    ]);
    const m = /^README +file (\d+) (\d+)\nnotes +file (\d+) (\d+)\n$/.exec(shown!.slice(0, -readme.length));
    assert.ok(m, `unexpected transcript:\n${shown}`);
    assert.equal(m[3], m[1], 'notes is the inode README was');
    assert.equal(m[4], m[2]);
    assert.ok(shown!.endsWith(readme), 'the contents are there under the new name after rm README');
    assert.equal(linked, 'ln: notes already exists\n');
    assert.equal(errors, 'ln: nosuch: no such file\nln: . is a directory\nusage: ln OLD NEW\n');
  });

  for (const harts of [1, 3]) {
    it(`forktest fills the process table and reaps every child on ${harts} hart(s)`, () => {
      assert.ok(nproc > 3, 'NPROC read from kernel/param.h');
      // init, sh and forktest itself hold three entries.
      const r = run('forktest', harts);
      assert.equal(r.transcript, `forktest: ${nproc - 3} children filled the process table\nforktest: OK\n`);
    });
  }

  it('stressfs children write and read back files side by side and remove them', () => {
    const r = run('stressfs; ls', 3);
    assert.match(r.transcript, /^stressfs: 4 children each wrote and read back 20480 bytes\nstressfs: OK\n/);
    assert.match(r.transcript, /^README +file /m, 'ls ran after stressfs');
    assert.doesNotMatch(r.transcript, /stressfs\.\d/, 'no stressfs.N file left');
  });

  it('zombie leaves a child that ^P lists as a zombie until init reaps it', async () => {
    const p = spawn(process.execPath, [cli, '--timeout-insns', '4000000000'], { stdio: 'pipe' });
    let out = '';
    let exited: number | null | undefined;
    p.stdout.on('data', (d: Buffer) => (out += d.toString('latin1').replace(/\r/g, '')));
    p.on('exit', (code) => (exited = code));
    // A guard against a hang, inside mocha's timeout so the emulator is never left behind.
    let stuck = false;
    const guard = setTimeout(() => {
      stuck = true;
      p.kill('SIGKILL');
    }, 100_000);
    // Resolves with the first match of re in the output after `from`; fails if the
    // emulator exits first.
    const until = (re: RegExp, from: number): Promise<RegExpExecArray> =>
      new Promise((resolve, reject) => {
        const poll = setInterval(() => {
          const m = re.exec(out.slice(from));
          if (m || exited !== undefined) {
            clearInterval(poll);
            if (m) resolve(m);
            else {
              const why = stuck ? 'still waiting after 100 s' : `the emulator exited (${exited})`;
              reject(new Error(`${why} before ${re} appeared:\n${out.slice(-2000)}`));
            }
          }
        }, 20);
      });
    try {
      await until(/\$ $/, 0);
      p.stdin.write('zombie\n');
      const pid = (await until(/zombie: child (\d+) has exited and is not waited for/, 0))[1]!;
      let mark = out.length;
      p.stdin.write('\x10'); // ^P while the parent sleeps
      await until(new RegExp(`^${pid} zombie zombie sz=`, 'm'), mark);
      await until(/\n\$ $/, mark); // the parent has exited: the shell prompts again
      mark = out.length;
      p.stdin.write('\x10echo listed\n');
      await until(/^listed\n/m, mark);
      const dump = out.slice(mark);
      assert.match(dump, /^1 sleep init/m, '^P listed the processes');
      assert.doesNotMatch(dump, new RegExp(`^${pid} `, 'm'), 'init reaped the zombie');
      p.stdin.end();
      const code = await new Promise<number | null>((r) => (exited !== undefined ? r(exited) : p.on('exit', r)));
      assert.equal(code, 0, out.slice(-2000));
    } finally {
      clearTimeout(guard);
      p.kill('SIGKILL');
    }
  });
});

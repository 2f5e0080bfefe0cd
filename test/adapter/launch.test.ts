/**
 * Launch configuration validation: defaults, and one clear sentence for every bad field.
 * Uses an in-memory Host, so no real files are needed.
 */
import assert from 'node:assert/strict';
import type { Host } from '../../adapter/host';
import { problemMessage, validateLaunch, type LaunchConfig } from '../../adapter/launch';

function fakeHost(files: string[], dirs: string[], cwd = '/home/student/xv6'): Host {
  return {
    kind: (p) => (files.includes(p) ? 'file' : dirs.includes(p) ? 'dir' : undefined),
    readFile: () => new Uint8Array(0),
    readDir: () => [],
    stat: () => undefined,
    cwd: () => cwd,
  };
}

const bundled = { kernel: '/ext/kernel/prebuilt/kernel', disk: '/ext/kernel/prebuilt/fs.img' };
const host = fakeHost(
  [
    bundled.kernel,
    bundled.disk,
    '/home/student/xv6/kernel/kernel',
    '/home/student/xv6/fs.img',
    '/tmp/other.img',
  ],
  ['/home/student/xv6', '/home/student/xv6/kernel', '/home/student/xv6/user'],
);

function ok(args: unknown): LaunchConfig {
  const v = validateLaunch(args, host, bundled);
  assert.ok(v.ok, v.ok ? '' : v.problems.join('; '));
  return v.config;
}

function problems(args: unknown): string[] {
  const v = validateLaunch(args, host, bundled);
  assert.ok(!v.ok, 'expected the configuration to be rejected');
  return v.problems;
}

describe('launch configuration', () => {
  it('fills in the defaults: bundled kernel and disk, 1 hart, 128 MiB, panic', () => {
    const c = ok({ type: 'xv6', request: 'launch', name: 'Debug xv6' });
    assert.equal(c.kernel, bundled.kernel);
    assert.equal(c.disk, bundled.disk);
    assert.equal(c.diskIsBundled, true);
    assert.equal(c.harts, 1);
    assert.equal(c.memoryMB, 128);
    assert.equal(c.stopOnEntry, false);
    assert.equal(c.persistDisk, false);
    assert.equal(c.panicSymbol, 'panic');
    assert.equal(c.virtio, 'auto');
  });

  it('never gives your own kernel the bundled disk: no fs.img beside it means no disk', () => {
    const c = ok({ kernel: '/tmp/other.img' });
    assert.equal(c.disk, null);
    assert.equal(c.diskIsBundled, false);
    assert.match(c.diskNote ?? '', /no fs\.img beside \/tmp\/other\.img, so the machine has no disk/);
    assert.equal(ok({}).diskNote, undefined);
  });

  it("resolves relative paths and finds fs.img beside the kernel's folder", () => {
    const c = ok({ kernel: 'kernel/kernel', harts: 3, userPrograms: 'user', sourceMap: { '/build': 'src' } });
    assert.equal(c.kernel, '/home/student/xv6/kernel/kernel');
    assert.equal(c.disk, '/home/student/xv6/fs.img');
    assert.equal(c.diskIsBundled, false);
    assert.equal(c.harts, 3);
    assert.equal(c.userPrograms, '/home/student/xv6/user');
    assert.deepEqual(c.sourceMap, [['/build', '/home/student/xv6/src']]);
  });

  it('accepts a userPrograms folder that make has not created yet (read again at each stop)', () => {
    assert.equal(ok({ userPrograms: 'bin' }).userPrograms, '/home/student/xv6/bin');
  });

  it('takes disk: null as no disk, and persistDisk with an own disk', () => {
    assert.equal(ok({ disk: null }).disk, null);
    const c = ok({ disk: '/tmp/other.img', persistDisk: true });
    assert.equal(c.disk, '/tmp/other.img');
    assert.equal(c.persistDisk, true);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    [
      'missing kernel',
      { kernel: '/x/kernel/kernel' },
      'kernel not found: /x/kernel/kernel — run make first?',
    ],
    [
      'kernel is a folder',
      { kernel: 'kernel' },
      'kernel is a folder, not a file: /home/student/xv6/kernel — give the kernel ELF inside it',
    ],
    ['kernel not a string', { kernel: 7 }, 'kernel must be the path of a kernel ELF file'],
    [
      'missing disk',
      { disk: 'nope.img' },
      'disk image not found: /home/student/xv6/nope.img — run make fs.img first?',
    ],
    ['disk not a string', { disk: 5 }, 'disk must be the path of a disk image, or null for none'],
    ['harts 0', { harts: 0 }, 'harts must be 1 to 8, not 0'],
    ['harts 9', { harts: 9 }, 'harts must be 1 to 8, not 9'],
    ['harts 1.5', { harts: 1.5 }, 'harts must be 1 to 8, not 1.5'],
    ['harts string', { harts: '2' }, 'harts must be 1 to 8, not "2"'],
    ['memory 0', { memoryMB: 0 }, 'memoryMB must be a whole number of MiB from 1 to 2048, not 0'],
    ['memory huge', { memoryMB: 4096 }, 'memoryMB must be a whole number of MiB from 1 to 2048, not 4096'],
    ['stopOnEntry string', { stopOnEntry: 'yes' }, 'stopOnEntry must be true or false, not "yes"'],
    ['persistDisk number', { persistDisk: 1 }, 'persistDisk must be true or false, not 1'],
    [
      'persistDisk on the bundled disk',
      { persistDisk: true },
      'persistDisk needs your own disk image in "disk": the bundled image is never changed',
    ],
    [
      'persistDisk without a disk',
      { persistDisk: true, disk: null },
      'persistDisk is true but there is no disk (disk is null)',
    ],
    [
      'userPrograms a file',
      { userPrograms: '/tmp/other.img' },
      'userPrograms must be a folder of user program ELFs, not a file: /tmp/other.img',
    ],
    ['panicSymbol empty', { panicSymbol: '' }, 'panicSymbol must be a function name such as "panic", not ""'],
    [
      'panicSymbol with spaces',
      { panicSymbol: 'my panic' },
      'panicSymbol must be a function name such as "panic", not "my panic"',
    ],
    [
      'sourceMap a list',
      { sourceMap: ['/a'] },
      'sourceMap must map build folders to local folders: { "/build/dir": "/local/dir" }',
    ],
    ['sourceMap bad target', { sourceMap: { '/a': 3 } }, 'sourceMap entry "/a" must map to a folder path'],
    ['virtio unknown', { virtio: 'new' }, 'virtio must be "legacy", "modern" or "auto", not "new"'],
    ['type', { type: 'gdb' }, 'type must be "xv6", not "gdb"'],
    [
      'request attach',
      { request: 'attach' },
      'request must be "launch" (attaching is not supported), not "attach"',
    ],
    ['cwd missing', { cwd: '/nowhere' }, 'cwd folder not found: /nowhere'],
    ['typo hart', { hart: 2 }, 'unknown setting "hart": did you mean "harts"?'],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what} with one sentence`, () => {
      assert.deepEqual(problems(args), [message]);
    });
  }

  it('rejects a configuration that is not an object', () => {
    assert.deepEqual(problems('kernel'), ['the launch configuration must be an object of settings']);
  });

  it('reports every problem at once in one message', () => {
    const p = problems({ harts: 0, memoryMB: -1 });
    assert.equal(p.length, 2);
    assert.equal(
      problemMessage(p),
      '2 problems in the launch configuration: harts must be 1 to 8, not 0; ' +
        'memoryMB must be a whole number of MiB from 1 to 2048, not -1',
    );
  });

  it('says when the bundled kernel is missing', () => {
    const bare = fakeHost([], ['/home/student/xv6']);
    const v = validateLaunch({}, bare, bundled);
    assert.ok(!v.ok);
    assert.match(v.problems[0]!, /^the bundled kernel is missing: \/ext\/kernel\/prebuilt\/kernel/);
  });
});

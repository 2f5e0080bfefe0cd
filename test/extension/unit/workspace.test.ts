/**
 * The launch logic of extension/workspace.ts on trees described as path lists: which
 * folders are xv6 trees (MIT's layout, this project's build/ layout, neither), what a
 * bare or empty `xv6` configuration becomes in each, what launch.json is offered, and
 * that settings only fill what the configuration leaves unset.
 */
import assert from 'node:assert/strict';
import {
  detectTree,
  fillConfiguration,
  initialConfigurations,
  isInside,
  makeCommand,
  type FolderProbe,
} from '../../../extension/workspace';

/** A folder made of these files (every parent folder exists too). */
function tree(...files: string[]): FolderProbe {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const fileSet = new Set(files);
  return {
    kind: (rel) => Promise.resolve(fileSet.has(rel) ? 'file' : dirs.has(rel) ? 'dir' : undefined),
  };
}

const WS = '${workspaceFolder}';

describe('extension workspace: xv6 tree detection', () => {
  it('a built MIT-layout tree: kernel/kernel, fs.img, user/_* and a Makefile', async () => {
    const t = await detectTree(
      tree('Makefile', 'kernel/kernel', 'kernel/trap.c', 'fs.img', 'user/_ls', 'user/ls.c'),
    );
    assert.deepEqual(t, {
      kernel: 'kernel/kernel',
      disk: 'fs.img',
      userPrograms: 'user',
      makeTargets: ['kernel/kernel', 'fs.img'],
    });
  });

  it('an unbuilt MIT-layout tree: the Makefile will build the kernel and disk', async () => {
    const t = await detectTree(tree('Makefile', 'kernel/trap.c', 'user/ls.c'));
    assert.equal(t?.kernel, 'kernel/kernel');
    assert.equal(t?.disk, 'fs.img');
    assert.equal(t?.userPrograms, 'user', 'the folder make builds user/_* in, built or not');
    assert.deepEqual(t?.makeTargets, ['kernel/kernel', 'fs.img']);
  });

  it('a kernel ELF without Makefile: no make task, and no disk unless fs.img exists', async () => {
    const bare = await detectTree(tree('kernel/kernel'));
    assert.deepEqual(bare, { kernel: 'kernel/kernel' });
    const withDisk = await detectTree(tree('kernel/kernel', 'fs.img'));
    assert.equal(withDisk?.disk, 'fs.img');
    assert.equal(withDisk?.makeTargets, undefined);
  });

  it("this project's kernel folder: sources in kernel/kernel/, images in build/", async () => {
    const own = await detectTree(
      tree('Makefile', 'kernel/kernel/trap.c', 'user/sh.c', 'build/kernel', 'build/user/_sh'),
    );
    assert.deepEqual(own, {
      kernel: 'build/kernel',
      disk: 'build/fs.img',
      userPrograms: 'build/user',
      makeTargets: [],
    });
    const clean = await detectTree(tree('Makefile', 'kernel/kernel/trap.c', 'user/sh.c'));
    assert.equal(clean?.userPrograms, 'build/user', 'after make clean build/ is gone; make makes it');
  });

  it('folders that are not xv6 trees', async () => {
    assert.equal(await detectTree(tree('Makefile', 'src/main.c')), undefined);
    assert.equal(await detectTree(tree('fs.img', 'README.md')), undefined);
    assert.equal(await detectTree(tree('kernel/kernel/trap.c')), undefined, 'sources, no Makefile, no ELF');
    assert.equal(await detectTree(tree('kernel')), undefined, 'kernel is a file, not a folder');
  });
});

describe('extension workspace: filling in a configuration', () => {
  const mit = {
    kernel: 'kernel/kernel',
    disk: 'fs.img',
    userPrograms: 'user',
    makeTargets: ['kernel/kernel', 'fs.img'],
  };

  it('a bare xv6 configuration in an xv6 tree gets its kernel, disk, programs and make task', () => {
    const c = fillConfiguration({ type: 'xv6', request: 'launch', name: 'xv6 (F5)' }, mit, {});
    assert.deepEqual(c, {
      type: 'xv6',
      request: 'launch',
      name: 'xv6 (F5)',
      kernel: `${WS}/kernel/kernel`,
      disk: `${WS}/fs.img`,
      userPrograms: `${WS}/user`,
      preLaunchTask: 'xv6: make',
    });
  });

  it('F5 with no launch.json ({}) becomes a launch, of the tree or of the demo', () => {
    const inTree = fillConfiguration({}, mit, {});
    assert.equal(inTree.type, 'xv6');
    assert.equal(inTree.request, 'launch');
    assert.equal(inTree.kernel, `${WS}/kernel/kernel`);
    const demo = fillConfiguration({}, undefined, {});
    assert.deepEqual(demo, { type: 'xv6', request: 'launch', name: 'xv6 demo' });
  });

  it('user programs before the first build (make clean); no make task without a Makefile', () => {
    // fillConfiguration runs before the make task: the folder is given even when empty,
    // and the adapter reads it again at each stop.
    const unbuilt = fillConfiguration({}, mit, {});
    assert.equal(unbuilt.userPrograms, `${WS}/user`);
    const c = fillConfiguration({}, { kernel: 'kernel/kernel' }, {});
    assert.equal(c.userPrograms, undefined);
    assert.equal(c.preLaunchTask, undefined);
    assert.equal(c.disk, undefined);
  });

  it('never overrides what the configuration gives', () => {
    const given = {
      type: 'xv6',
      request: 'launch',
      name: 'mine',
      disk: null,
      userPrograms: '/elsewhere',
      preLaunchTask: 'build it',
      harts: 3,
      memoryMB: 64,
    };
    const c = fillConfiguration(given, mit, { harts: 2, memoryMB: 256 });
    assert.equal(c.disk, null);
    assert.equal(c.userPrograms, '/elsewhere');
    assert.equal(c.preLaunchTask, 'build it');
    assert.equal(c.harts, 3);
    assert.equal(c.memoryMB, 64);
    assert.equal(c.kernel, `${WS}/kernel/kernel`);
  });

  it('a configuration naming its kernel is left alone but for settings', () => {
    const c = fillConfiguration({ type: 'xv6', request: 'launch', name: 'k', kernel: '/k' }, mit, {
      harts: 2,
      memoryMB: 256,
    });
    assert.deepEqual(c, { type: 'xv6', request: 'launch', name: 'k', kernel: '/k', harts: 2, memoryMB: 256 });
  });

  it('settings that are not whole numbers are not copied (the adapter keeps its defaults)', () => {
    const c = fillConfiguration({}, undefined, { harts: '2', memoryMB: 1.5 });
    assert.equal(c.harts, undefined);
    assert.equal(c.memoryMB, undefined);
  });

  it('the launch.json offered: the tree configuration, or the demo', () => {
    const [own, ...rest] = initialConfigurations(mit);
    assert.equal(rest.length, 0);
    assert.equal(own?.kernel, `${WS}/kernel/kernel`);
    assert.equal(own?.userPrograms, `${WS}/user`);
    assert.equal(own?.preLaunchTask, 'xv6: make');
    const demo = initialConfigurations(undefined);
    assert.equal(demo.length, 1);
    assert.equal(demo[0]?.name, 'xv6 demo');
    assert.equal(demo[0]?.kernel, undefined, 'the demo leaves the kernel to the adapter');
  });

  it('the make command and path containment', () => {
    assert.equal(makeCommand(['kernel/kernel', 'fs.img']), 'make kernel/kernel fs.img');
    assert.equal(makeCommand([]), 'make');
    assert.ok(isInside('/ext/kernel/kernel/trap.c', '/ext/kernel'));
    assert.ok(isInside('/ext/kernel/trap.c', '/ext/kernel/'));
    assert.ok(!isInside('/ext/kernel2/trap.c', '/ext/kernel'));
    assert.ok(!isInside('/ext/kernel', '/ext/kernel'));
    assert.ok(isInside('C:\\ext\\kernel\\trap.c', 'C:\\ext\\kernel'));
  });
});

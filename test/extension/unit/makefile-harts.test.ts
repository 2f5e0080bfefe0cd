/**
 * How many harts F5 boots: the tree's Makefile CPUS as extension/makefile.ts reads it
 * (xv6's `ifndef CPUS`, the labs' `ifeq ($(LAB),fs)` with LAB from conf/lab.mk, comments,
 * bounds), detectTree passing it on, and the order fillConfiguration applies (launch
 * configuration, then a user-set `xv6.harts`, then the Makefile, then the setting's
 * default). Also: the workspaceContains activation events match both tree layouts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makefileCpus, makeVariables } from '../../../extension/makefile';
import { defaultHarts, detectTree, fillConfiguration, type FolderProbe } from '../../../extension/workspace';

const UPSTREAM = `K=kernel
U=user

OBJS = \\
  $K/entry.o \\
  $K/start.o

# riscv64-unknown-elf- or riscv64-linux-gnu-
#TOOLPREFIX =

QEMU = qemu-system-riscv64

clean:
\trm -f *.tex *.dvi

ifndef CPUS
CPUS := 3
endif

QEMUOPTS = -machine virt -bios none -kernel $K/kernel -m 128M -smp $(CPUS) -nographic
`;

const LABS = `-include conf/lab.mk
K=kernel

ifndef CPUS
CPUS := 3
endif
ifeq ($(LAB),fs)
CPUS := 1
endif
`;

describe('extension makefile: the tree CPUS', () => {
  it('upstream xv6: CPUS := 3 inside ifndef CPUS, past a recipe and comments', () => {
    assert.equal(makefileCpus(UPSTREAM), 3);
  });

  it('the labs: 1 for the fs lab (LAB from conf/lab.mk), 3 for the others', () => {
    assert.equal(
      makefileCpus(LABS, (rel) => (rel === 'conf/lab.mk' ? 'LAB=fs\n' : undefined)),
      1,
    );
    assert.equal(
      makefileCpus(LABS, (rel) => (rel === 'conf/lab.mk' ? 'LAB=lazy\n' : undefined)),
      3,
    );
    assert.equal(makefileCpus(LABS), 3, 'no conf/lab.mk: LAB is empty');
  });

  it('plain and conditional assignments, comments and else branches', () => {
    assert.equal(makefileCpus('CPUS = 2\n'), 2);
    assert.equal(makefileCpus('CPUS ?= 4\n'), 4);
    assert.equal(makefileCpus('CPUS := 2\nCPUS ?= 4\n'), 2, '?= keeps an earlier value');
    assert.equal(makefileCpus('# CPUS := 5\nCPUS := 2 # two harts\n'), 2);
    assert.equal(makefileCpus('CPUS := 2\nifndef CPUS\nCPUS := 3\nendif\n'), 2, 'ifndef of a set variable');
    assert.equal(makefileCpus('ifdef SMALL\nCPUS := 1\nelse\nCPUS := 4\nendif\n'), 4);
    assert.equal(
      makefileCpus('X=a\nifeq ($(X),b)\nCPUS:=1\nelse ifeq ($(X),a)\nCPUS:=2\nelse\nCPUS:=3\nendif\n'),
      2,
    );
    assert.equal(makefileCpus('ifneq "$(X)" ""\nCPUS := 6\nendif\nCPUS ?= 2\n'), 2);
    assert.equal(makefileCpus('N := 2\nCPUS := $(N)\n'), 2, 'a variable reference');
  });

  it('recipe lines and disabled branches do not count', () => {
    assert.equal(makefileCpus('qemu:\n\tCPUS=5 make run\n'), undefined);
    assert.equal(makefileCpus('ifeq (a,b)\nCPUS := 5\nendif\n'), undefined);
  });

  it('bounded: 1 to 8, whole numbers only', () => {
    assert.equal(makefileCpus('CPUS := 64\n'), 8);
    assert.equal(makefileCpus('CPUS := 0\n'), undefined);
    assert.equal(makefileCpus('CPUS := three\n'), undefined);
    assert.equal(makefileCpus('CPUS := $(shell nproc)\n'), undefined, 'functions are not evaluated');
    assert.equal(makefileCpus(''), undefined);
  });

  it('a huge or self-including Makefile ends', () => {
    const big = 'X := 1\n'.repeat(100_000) + 'CPUS := 2\n';
    assert.equal(makefileCpus(big), undefined, 'lines past the limit are not read');
    const vars = makeVariables('include Makefile\nCPUS := 2\n', () => 'include Makefile\nA := 1\n');
    assert.equal(vars.get('CPUS'), '2');
  });
});

/** A tree of files with contents. */
function tree(files: Record<string, string>): FolderProbe {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return {
    kind: (rel) => Promise.resolve(rel in files ? 'file' : dirs.has(rel) ? 'dir' : undefined),
    read: (rel) => Promise.resolve(files[rel]),
  };
}

describe('extension workspace: harts of an F5 launch', () => {
  it("detectTree reads the Makefile's CPUS, with conf/lab.mk", async () => {
    const up = await detectTree(tree({ Makefile: UPSTREAM, 'kernel/kernel.ld': '', 'kernel/trap.c': '' }));
    assert.equal(up?.cpus, 3);
    const fs = await detectTree(tree({ Makefile: LABS, 'conf/lab.mk': 'LAB=fs\n', 'kernel/trap.c': '' }));
    assert.equal(fs?.cpus, 1);
    const none = await detectTree(tree({ Makefile: 'all:\n', 'kernel/trap.c': '' }));
    assert.equal(none?.cpus, undefined);
  });

  it('the order: launch configuration, user-set setting, Makefile CPUS, setting default', () => {
    const tree3 = { treeCpus: 3 };
    assert.equal(
      defaultHarts({ harts: 1, hartsUserSet: false, ...tree3 }),
      3,
      'the default loses to the tree',
    );
    assert.equal(defaultHarts({ harts: 2, hartsUserSet: true, ...tree3 }), 2, 'a user setting wins');
    assert.equal(
      defaultHarts({ harts: 1, hartsUserSet: true, ...tree3 }),
      1,
      'even when it equals the default',
    );
    assert.equal(defaultHarts({ harts: 1 }), 1, 'no tree: the setting');
    assert.equal(defaultHarts({}), undefined);
    assert.equal(
      fillConfiguration({ harts: 4 }, undefined, { harts: 2, hartsUserSet: true, ...tree3 }).harts,
      4,
    );
    assert.equal(fillConfiguration({}, undefined, { harts: 1, ...tree3 }).harts, 3);
    assert.equal(fillConfiguration({ kernel: '/k' }, undefined, { harts: 1, ...tree3 }).harts, 3);
  });
});

describe('extension activation: workspaceContains matches both tree layouts', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    activationEvents: string[];
  };
  const patterns = pkg.activationEvents
    .filter((e) => e.startsWith('workspaceContains:'))
    .map((e) => e.slice('workspaceContains:'.length));

  /** Paths with no glob characters: VS Code checks that the file or folder exists. */
  const activates = (files: string[]): boolean => {
    const all = new Set<string>();
    for (const f of files) {
      const parts = f.split('/');
      for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
    }
    return patterns.some((p) => all.has(p));
  };

  it('plain paths only, each one an xv6 marker', () => {
    assert.ok(patterns.length > 0);
    for (const p of patterns) assert.doesNotMatch(p, /[*?{[]/, p);
  });

  it('an unbuilt and a built MIT tree, and this project`s layout, activate; other folders do not', async () => {
    const unbuilt = ['Makefile', 'kernel/kernel.ld', 'kernel/trap.c', 'user/ls.c'];
    const built = [...unbuilt, 'kernel/kernel', 'fs.img', 'user/_ls'];
    const own = ['Makefile', 'kernel/kernel/kernel.ld', 'kernel/kernel/trap.c'];
    for (const files of [unbuilt, built, own]) {
      const probe = tree(Object.fromEntries(files.map((f) => [f, ''])));
      assert.ok(await detectTree(probe), `${files.join(' ')} is a tree`);
      assert.ok(activates(files), `${files.join(' ')} activates the extension`);
    }
    assert.ok(!activates(['Makefile', 'src/main.c', 'kernel.ld']));
  });
});

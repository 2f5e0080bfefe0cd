/** ELF reader: valid images, symbols, and one clear error for every kind of bad file. */
import assert from 'node:assert/strict';
import { parseElf, ElfError, loadableSegments, STT_FUNC, STT_OBJECT } from '../../emulator/elf';
import { buildElf, words } from '../helpers/elf-builder';

describe('elf reader', () => {
  const code = words(0x00000013, 0x00000013, 0x0000006f);
  const image = buildElf({
    code,
    bss: 64,
    symbols: [
      { name: '_entry', value: 0x8000_0000, size: 8, type: STT_FUNC },
      { name: 'spin', value: 0x8000_0008, size: 4, type: STT_FUNC },
      { name: 'tohost', value: 0x8000_0010, size: 8, type: STT_OBJECT },
    ],
  });

  it('reads entry, segments and sections', () => {
    const elf = parseElf(image, 't.elf');
    assert.equal(elf.entry, 0x8000_0000);
    const segs = loadableSegments(elf, image);
    assert.equal(segs.length, 1);
    assert.equal(segs[0]!.paddr, 0x8000_0000);
    assert.equal(segs[0]!.memsz, code.length + 64);
    assert.deepEqual([...segs[0]!.data], [...code]);
    assert.deepEqual(
      elf.sections.map((s) => s.name),
      ['', '.text', '.symtab', '.strtab', '.shstrtab'],
    );
  });

  it('finds symbols by name and by address', () => {
    const elf = parseElf(image);
    assert.equal(elf.symbol('tohost')?.value, 0x8000_0010);
    assert.equal(elf.symbol('missing'), undefined);
    assert.equal(elf.symbolAt(0x8000_0004)?.name, '_entry');
    assert.equal(elf.symbolAt(0x8000_0008)?.name, 'spin');
    assert.equal(elf.symbolAt(0x8000_000c), undefined, 'past the end of spin');
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['an empty file', new Uint8Array(0), /not an ELF file/],
    [
      'a text file',
      Buffer.from('#!/bin/sh\necho hello, this is not an ELF file at all, sorry\n'.repeat(2)),
      /not an ELF/,
    ],
    ['a 32-bit ELF', buildElf({ code, elfClass: 1 }), /32-bit/],
    ['an x86-64 ELF', buildElf({ code, machine: 62 }), /machine 62, not RISC-V/],
    ['a truncated ELF', image.subarray(0, 130), /truncated/],
  ];
  for (const [what, bytes, msg] of bad) {
    it(`rejects ${what} with one clear line`, () => {
      assert.throws(
        () => parseElf(bytes, 'k.elf'),
        (e: unknown) => e instanceof ElfError && msg.test(e.message) && !e.message.includes('\n'),
      );
    });
  }

  it('never throws anything but ElfError on corrupted images', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 500; i++) {
      const b = Uint8Array.from(image);
      for (let k = 0; k < 8; k++) b[rand(b.length)] = rand(256);
      const cut = rand(3) === 0 ? b.subarray(0, rand(b.length)) : b;
      try {
        const elf = parseElf(cut);
        loadableSegments(elf, cut);
        elf.symbolAt(0x8000_0000);
      } catch (e) {
        assert.ok(e instanceof ElfError, `unexpected ${String(e)}`);
      }
    }
  });
});

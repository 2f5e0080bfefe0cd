// Call frame information and unwinding of the DWARF reader: CFI rows checked against
// readelf --debug-dump=frames-interp, then a stack laid out in a buffer is unwound
// through CFI and through the frame-pointer fallback.
import assert from 'node:assert/strict';
import { fdeRows, type Fde, type RegRule } from '../../adapter/symbols/frame';
import { unwindCfi } from '../../adapter/symbols/unwind';
import { expected, FIXTURES, loadSymbols, REG_NAMES } from './fixtures/dwarf/load';

function ruleText(rule: RegRule | undefined): string {
  if (!rule || rule.kind === 'undefined') return 'u';
  switch (rule.kind) {
    case 'offset':
      return `c${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'same':
      return 's';
    case 'register':
      return REG_NAMES[rule.reg] ?? `r${rule.reg}`;
    default:
      return rule.kind;
  }
}

/** A little-endian memory image: 8-byte words at addresses. */
function memory(words: Map<number, bigint>): (addr: number, len: number) => Uint8Array | undefined {
  return (addr, len) => {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const base = addr + i - ((addr + i) % 8);
      const w = words.get(base);
      if (w === undefined) return undefined;
      out[i] = Number((w >> BigInt(((addr + i) % 8) * 8)) & 0xffn);
    }
    return out;
  };
}

for (const name of FIXTURES) {
  describe(`dwarf call frames: ${name}`, () => {
    const syms = loadSymbols(name);
    const exp = expected(name);

    it('finds every FDE readelf lists', () => {
      assert.ok(exp.frames.length >= 8);
      assert.equal(syms.frames.count, exp.frames.length);
      for (const f of exp.frames) {
        const fde = syms.frames.fdeAt(f.low);
        assert.ok(fde, `FDE at 0x${f.low.toString(16)}`);
        assert.equal(fde.low, f.low);
        assert.equal(fde.high, f.high);
      }
    });

    it('computes the same CFI rows as readelf', () => {
      for (const f of exp.frames) {
        const rows = fdeRows(syms.frames.fdeAt(f.low)!);
        // Keep the last row per location, as readelf prints them.
        const byLoc = new Map<number, (typeof rows)[number]>();
        for (const r of rows) byLoc.set(r.loc, r);
        const mine = [...byLoc.values()].map((r) => {
          const cfa = r.cfa.kind === 'regOffset' ? `${REG_NAMES[r.cfa.reg]}+${r.cfa.offset}` : 'exp';
          const regs: Record<string, string> = {};
          for (const col of Object.keys(f.rows[0]?.regs ?? {}))
            regs[col] = ruleText(r.regs.get(REG_NAMES.indexOf(col)));
          return { loc: r.loc, cfa, regs };
        });
        // readelf prints no rows for an FDE without instructions: the CIE's row applies.
        const want = f.rows.length > 0 ? f.rows : [{ loc: f.low, cfa: 'sp+0', regs: {} }];
        assert.deepEqual(mine, want, `FDE 0x${f.low.toString(16)}`);
      }
    });

    it('unwinds a laid-out stack frame through CFI', () => {
      // Pick a pc after a prologue that saved ra and s0 (readelf's row says where).
      const row = exp.frames
        .flatMap((f) => f.rows)
        .find((r) => r.regs.ra?.startsWith('c') && r.regs.s0?.startsWith('c'));
      assert.ok(row, 'some function saves ra and s0');
      const [cfaReg, cfaOff] = row.cfa.split('+') as [string, string];
      const sp = 0x80010000n;
      const cfaRegNo = REG_NAMES.indexOf(cfaReg);
      const regs: bigint[] = new Array<bigint>(32).fill(0n);
      regs[2] = sp;
      const cfa = cfaReg === 'sp' ? sp + BigInt(cfaOff) : sp + 64n;
      regs[cfaRegNo] = cfa - BigInt(cfaOff);
      const words = new Map<number, bigint>();
      words.set(Number(cfa) + Number(row.regs.ra!.slice(1)), 0x80000abcn);
      words.set(Number(cfa) + Number(row.regs.s0!.slice(1)), 0x80020000n);
      const caller = syms.unwind(row.loc, regs, memory(words));
      assert.ok(caller);
      assert.equal(caller.method, 'cfi');
      assert.equal(caller.pc, 0x80000abc);
      assert.equal(caller.sp, cfa);
      assert.equal(caller.fp, 0x80020000n);
      assert.equal(caller.regs[2], cfa);
    });

    it('unwinds a leaf frame whose return address is still in ra', () => {
      const add = syms.functionByName('add')!;
      const regs: bigint[] = new Array<bigint>(32).fill(0n);
      regs[1] = 0x80000222n;
      regs[2] = 0x80010000n;
      regs[8] = 0x80010040n;
      // At the first instruction nothing is saved yet: CFA = sp, ra unchanged.
      const caller = syms.unwind(add.low, regs, memory(new Map()));
      assert.ok(caller);
      assert.equal(caller.pc, 0x80000222);
      assert.equal(caller.sp, 0x80010000n);
      assert.equal(caller.fp, 0x80010040n);
    });
  });
}

describe('dwarf unwinding without CFI', () => {
  const syms = loadSymbols('o0-dwarf4.elf');

  it('follows the frame-pointer chain: ra at fp-8, caller fp at fp-16', () => {
    const pc = 0x7000_0000; // no FDE covers it
    assert.equal(syms.frames.fdeAt(pc), undefined);
    const regs: bigint[] = new Array<bigint>(32).fill(0n);
    regs[2] = 0x80010000n;
    regs[8] = 0x80010030n;
    const words = new Map<number, bigint>([
      [0x80010028, 0x80000456n],
      [0x80010020, 0x80010090n],
    ]);
    const caller = syms.unwind(pc, regs, memory(words));
    assert.ok(caller);
    assert.equal(caller.method, 'frame-pointer');
    assert.equal(caller.pc, 0x80000456);
    assert.equal(caller.sp, 0x80010030n);
    assert.equal(caller.fp, 0x80010090n);
  });

  it('stops at a zero return address or unreadable memory', () => {
    const regs: bigint[] = new Array<bigint>(32).fill(0n);
    regs[8] = 0x80010030n;
    assert.equal(syms.unwind(0x7000_0000, regs, memory(new Map())), undefined);
    assert.equal(
      syms.unwind(
        0x7000_0000,
        regs,
        memory(
          new Map([
            [0x80010028, 0n],
            [0x80010020, 0n],
          ]),
        ),
      ),
      undefined,
    );
  });
});

describe('dwarf call frame instructions beyond what GCC emits', () => {
  // A hand-assembled FDE at 0x1000: code alignment 2, data alignment -8, ra = x1.
  const cie: Fde['cie'] = {
    offset: 0,
    codeAlign: 2,
    dataAlign: -8,
    raReg: 1,
    addrSize: 8,
    fdeEncoding: 0,
    instructions: Uint8Array.from([0x0c, 2, 0]), // def_cfa sp+0
    isEh: false,
    hasAugData: false,
  };
  /** An FDE from instructions, one array per instruction. */
  const fde = (...code: number[][]): Fde => ({
    offset: 0,
    low: 0x1000,
    high: 0x1100,
    cie,
    instructions: Uint8Array.from(code.flat()),
  });

  it('applies the rarer rules and advances by the code alignment', () => {
    const rows = fdeRows(
      fde(
        [0x0e, 32], // def_cfa_offset 32
        [0x41], // advance_loc 1 (2 bytes)
        [0x11, 8, 0x7e], // offset_extended_sf s0, -2 * -8: c+16
        [0x14, 9, 1], // val_offset s1: CFA - 8
        [0x09, 18, 10], // register: s2 is in a0
        [0x07, 19], // undefined s3
        [0x08, 20], // same_value s4
        [0x02, 3], // advance_loc1 3 (6 bytes)
        [0x10, 1, 2, 0x23, 0x08], // expression: ra at CFA + 8 (the CFA is pushed first)
        [0x0f, 2, 0x72, 0x10], // def_cfa_expression: sp + 16
      ),
    );
    assert.deepEqual(
      rows.map((r) => r.loc),
      [0x1000, 0x1002, 0x1008],
    );
    const mid = rows[1]!;
    assert.deepEqual(mid.cfa, { kind: 'regOffset', reg: 2, offset: 32 });
    assert.deepEqual(mid.regs.get(8), { kind: 'offset', offset: 16 });
    assert.deepEqual(mid.regs.get(9), { kind: 'valOffset', offset: -8 });
    assert.deepEqual(mid.regs.get(18), { kind: 'register', reg: 10 });
    assert.deepEqual(mid.regs.get(19), { kind: 'undefined' });
    assert.deepEqual(mid.regs.get(20), { kind: 'same' });
    const last = rows[2]!;
    assert.equal(last.cfa.kind, 'expression');
    // Unwind with the last row: CFA = sp + 16 = 0x2010; ra = *(CFA + 8); s0 = *(CFA + 16).
    const regs: bigint[] = new Array<bigint>(32).fill(0n);
    regs[2] = 0x2000n;
    regs[10] = 0xaan;
    regs[20] = 0x44n;
    const words = new Map<number, bigint>([
      [0x2018, 0x80000100n],
      [0x2020, 0x3000n],
    ]);
    const caller = unwindCfi(last, 1, regs, memory(words));
    assert.ok(caller);
    assert.equal(caller.cfa, 0x2010n);
    assert.equal(caller.pc, 0x80000100);
    assert.equal(caller.fp, 0x3000n);
    assert.equal(caller.regs[9], 0x2008n);
    assert.equal(caller.regs[18], 0xaan);
    assert.equal(caller.regs[19], undefined);
    assert.equal(caller.regs[20], 0x44n);
    assert.equal(caller.regs[10], undefined, 'a0 is caller-saved: unknown in the caller');
  });

  it('remembers and restores state, and restores a register to the CIE rule', () => {
    const rows = fdeRows(
      fde(
        [0x0e, 16], // def_cfa_offset 16
        [0x81, 1], // offset ra: c-8
        [0x41], // advance_loc 1
        [0x0a], // remember_state
        [0xc1], // restore ra (the CIE has no rule for it)
        [0x0e, 0], // def_cfa_offset 0
        [0x41], // advance_loc 1
        [0x0b], // restore_state
      ),
    );
    assert.deepEqual(
      rows.map((r) => [r.loc, r.cfa.kind === 'regOffset' ? r.cfa.offset : -1, r.regs.has(1)]),
      [
        [0x1000, 16, true],
        [0x1002, 0, false],
        [0x1004, 16, true],
      ],
    );
  });

  it('rejects an unknown instruction and restore_state without remember_state', () => {
    assert.throws(() => fdeRows(fde([0x3f])), /unknown instruction/);
    assert.throws(() => fdeRows(fde([0x0b])), /restore_state without remember_state/);
  });
});

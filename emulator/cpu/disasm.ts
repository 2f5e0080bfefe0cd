/**
 * The disassembler: renders one instruction from the instruction table in the syntax of
 * GNU objdump with `-M no-aliases` (ABI register names, CSR names, decimal immediates, hex
 * shift amounts and upper immediates, absolute branch targets). Used by the debugger's
 * disassembly view and checked against objdump by the tests.
 */
import { lookup } from './table';
import { Csr } from './csr';

export const ABI_NAMES: readonly string[] = [
  'zero',
  'ra',
  'sp',
  'gp',
  'tp',
  't0',
  't1',
  't2',
  's0',
  's1',
  'a0',
  'a1',
  'a2',
  'a3',
  'a4',
  'a5',
  'a6',
  'a7',
  's2',
  's3',
  's4',
  's5',
  's6',
  's7',
  's8',
  's9',
  's10',
  's11',
  't3',
  't4',
  't5',
  't6',
];

/** Names of the CSRs this hart implements (privileged spec 2.2, tables 2.2-2.5). */
export const CSR_NAMES: ReadonlyMap<number, string> = (() => {
  // The CSRs the hart knows by name (csr.ts), plus the numbered families.
  const m = new Map<number, string>(Object.entries(Csr).map(([name, n]) => [n, name]));
  for (let k = 3; k < 32; k++) {
    m.set(0xc00 + k, `hpmcounter${k}`);
    m.set(0xb00 + k, `mhpmcounter${k}`);
    m.set(0x320 + k, `mhpmevent${k}`);
  }
  for (let k = 0; k < 16; k += 2) m.set(0x3a0 + k, `pmpcfg${k}`);
  for (let k = 0; k < 64; k++) m.set(0x3b0 + k, `pmpaddr${k}`);
  return m;
})();

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

function fenceSet(bits: number): string {
  let s = '';
  if (bits & 8) s += 'i';
  if (bits & 4) s += 'o';
  if (bits & 2) s += 'r';
  if (bits & 1) s += 'w';
  return s === '' ? '0' : s;
}

/** Disassemble one instruction at `pc`; unknown encodings print as objdump's `.insn`-less raw word. */
export function disassemble(insn: number, pc: bigint): { text: string; length: 2 | 4 } {
  const length: 2 | 4 = (insn & 3) === 3 ? 4 : 2;
  const raw = length === 4 ? insn >>> 0 : insn & 0xffff;
  const e = lookup(raw);
  const fl = e?.fields(raw);
  if (e === undefined || fl === null || fl === undefined) {
    return { text: length === 4 ? `.4byte ${hex(raw)}` : `.2byte ${hex(raw)}`, length };
  }
  let name = e.name;
  if (e.asm === 'd,a' || e.asm === 'd,t,a') {
    const aq = (raw >>> 26) & 1;
    const rl = (raw >>> 25) & 1;
    name += aq && rl ? '.aqrl' : aq ? '.aq' : rl ? '.rl' : '';
  }
  let ops = '';
  for (const c of e.asm) {
    switch (c) {
      case 'd':
        ops += ABI_NAMES[fl.rd];
        break;
      case 's':
        ops += ABI_NAMES[fl.rs1];
        break;
      case 't':
        ops += ABI_NAMES[fl.rs2];
        break;
      case 'i':
        ops += String(fl.imm);
        break;
      case 'h':
        ops += hex(fl.imm);
        break;
      case 'x':
        ops += hex((fl.imm >>> 12) & 0xfffff);
        break;
      case 'o':
        ops += hex(BigInt.asUintN(64, pc + BigInt(fl.imm)));
        break;
      case 'm':
        ops += `${fl.imm}(${ABI_NAMES[fl.rs1]})`;
        break;
      case 'a':
        ops += `(${ABI_NAMES[fl.rs1]})`;
        break;
      case 'c':
        ops += CSR_NAMES.get(fl.imm) ?? hex(fl.imm);
        break;
      case 'u':
        ops += String(fl.rs2);
        break;
      case 'f':
        ops += `${fenceSet(fl.imm >>> 4)},${fenceSet(fl.imm & 15)}`;
        break;
      default:
        ops += c;
    }
  }
  return { text: ops === '' ? name : `${name}\t${ops}`, length };
}

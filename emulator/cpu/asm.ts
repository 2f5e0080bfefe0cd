/**
 * A tiny two-pass assembler for the 32-bit encodings of the instruction table, for the
 * CPU tests and the CPU benchmark (guest code without a cross compiler). It inverts the
 * operand templates of table.ts: one line per instruction in objdump's syntax
 * (`addi a0,a0,1`, `ld a1,8(sp)`, `csrrw zero,mstatus,a0`, `amoadd.w.aqrl a0,a1,(a2)`),
 * `label:` lines, and branch/jump targets given as a label or a byte offset. Pseudo
 * instructions: nop, mv, j, ret, li (32-bit values).
 */
import { ABI_NAMES, CSR_NAMES } from './disasm';
import { INSTRUCTIONS, type InsnDef } from './table';

const csrByName = new Map<string, number>([...CSR_NAMES].map(([n, s]) => [s, n]));

function reg(s: string): number {
  const t = s.trim();
  const i = ABI_NAMES.indexOf(t);
  if (i >= 0) return i;
  if (t === 'fp') return 8;
  const m = /^x(\d+)$/.exec(t);
  if (m !== null && Number(m[1]) < 32) return Number(m[1]);
  throw new Error(`asm: bad register "${s}"`);
}

function num(s: string): number {
  const t = s.trim();
  const v = Number(t);
  if (!Number.isFinite(v)) throw new Error(`asm: bad number "${s}"`);
  return v;
}

function expand(line: string): string[] {
  const [mn = '', ...rest] = line.trim().split(/\s+/);
  const ops = rest.join('').split(',');
  switch (mn) {
    case 'nop':
      return ['addi zero,zero,0'];
    case 'mv':
      return [`addi ${ops[0]},${ops[1]},0`];
    case 'j':
      return [`jal zero,${ops[0]}`];
    case 'ret':
      return ['jalr zero,0(ra)'];
    case 'li': {
      const v = num(ops[1]!) | 0;
      if (v >= -2048 && v < 2048) return [`addi ${ops[0]},zero,${v}`];
      const lo = (v << 20) >> 20;
      const hi = ((v - lo) >>> 12) & 0xfffff;
      return [`lui ${ops[0]},${hi}`, `addiw ${ops[0]},${ops[0]},${lo}`];
    }
    default:
      return [line.trim()];
  }
}

function encodeOne(line: string, pc: number, labels: Map<string, number>): number {
  const sp = line.search(/\s/);
  const full = sp < 0 ? line : line.slice(0, sp);
  const args = sp < 0 ? [] : line.slice(sp).replace(/\s+/g, '').split(',');
  let name = full;
  let aqrl = 0;
  const suf = /\.(aqrl|aq|rl)$/.exec(full);
  if (suf !== null && (full.startsWith('amo') || full.startsWith('lr') || full.startsWith('sc'))) {
    name = full.slice(0, suf.index);
    aqrl = suf[1] === 'aqrl' ? 3 : suf[1] === 'aq' ? 2 : 1;
  }
  const e: InsnDef | undefined = INSTRUCTIONS.find((d) => d.name === name && d.length === 4);
  if (e === undefined) throw new Error(`asm: unknown instruction "${full}"`);
  const target = (s: string): number => (labels.has(s) ? labels.get(s)! - pc : num(s));
  const mem = (s: string): [number, number] => {
    const m = /^(-?[\w]*)\((\w+)\)$/.exec(s);
    if (m === null) throw new Error(`asm: bad memory operand "${s}"`);
    return [m[1] === '' ? 0 : num(m[1]!), reg(m[2]!)];
  };
  const a = (k: number): string => {
    const v = args[k];
    if (v === undefined) throw new Error(`asm: missing operand in "${line}"`);
    return v;
  };
  const rdF = (r: number): number => r << 7;
  const rs1F = (r: number): number => r << 15;
  const rs2F = (r: number): number => r << 20;
  const iImm = (v: number): number => (v & 0xfff) << 20;
  const sImm = (v: number): number => (((v >> 5) & 0x7f) << 25) | ((v & 0x1f) << 7);
  let w: number;
  switch (e.asm) {
    case 'd,x':
      w = rdF(reg(a(0))) | ((num(a(1)) & 0xfffff) << 12);
      break;
    case 'd,o': {
      const o = target(a(1));
      w =
        rdF(reg(a(0))) |
        (((o >> 20) & 1) << 31) |
        (((o >> 1) & 0x3ff) << 21) |
        (((o >> 11) & 1) << 20) |
        (((o >> 12) & 0xff) << 12);
      break;
    }
    case 's,t,o': {
      const o = target(a(2));
      w =
        rs1F(reg(a(0))) |
        rs2F(reg(a(1))) |
        (((o >> 12) & 1) << 31) |
        (((o >> 5) & 0x3f) << 25) |
        (((o >> 1) & 0xf) << 8) |
        (((o >> 11) & 1) << 7);
      break;
    }
    case 'd,m': {
      const [off, base] = mem(a(1));
      w = rdF(reg(a(0))) | rs1F(base) | iImm(off);
      break;
    }
    case 't,m': {
      const [off, base] = mem(a(1));
      w = rs2F(reg(a(0))) | rs1F(base) | sImm(off);
      break;
    }
    case 'd,s,i':
      w = rdF(reg(a(0))) | rs1F(reg(a(1))) | iImm(num(a(2)));
      break;
    case 'd,s,h':
      w = rdF(reg(a(0))) | rs1F(reg(a(1))) | ((num(a(2)) & 63) << 20);
      break;
    case 'd,s,t':
      w = rdF(reg(a(0))) | rs1F(reg(a(1))) | rs2F(reg(a(2)));
      break;
    case 's,t':
      w = rs1F(reg(a(0))) | rs2F(reg(a(1)));
      break;
    case 'd,c,s':
    case 'd,c,u': {
      const c = csrByName.get(a(1)) ?? num(a(1));
      const src = e.asm === 'd,c,s' ? reg(a(2)) : num(a(2)) & 31;
      w = rdF(reg(a(0))) | (c << 20) | rs1F(src);
      break;
    }
    case 'd,a':
      w = rdF(reg(a(0))) | rs1F(reg(a(1).replace(/[()]/g, '')));
      break;
    case 'd,t,a':
      w = rdF(reg(a(0))) | rs2F(reg(a(1))) | rs1F(reg(a(2).replace(/[()]/g, '')));
      break;
    case 'f':
      w = 0xff << 20;
      break;
    default:
      w = 0;
  }
  return (w | e.match | (aqrl << 25)) >>> 0;
}

/** Assemble `source` (lines; `#` comments) for an image loaded at address 0 of its own. */
export function assemble(source: string | string[]): Uint32Array {
  const raw = typeof source === 'string' ? source.split('\n') : source;
  const lines: string[] = [];
  const labels = new Map<string, number>();
  for (const l of raw) {
    const t = l.replace(/#.*/, '').trim();
    if (t === '') continue;
    const m = /^(\w+):\s*(.*)$/.exec(t);
    if (m !== null) {
      labels.set(m[1]!, lines.length * 4);
      if (m[2] !== '') lines.push(...expand(m[2]!));
    } else lines.push(...expand(t));
  }
  return Uint32Array.from(lines.map((l, k) => encodeOne(l, k * 4, labels)));
}

/**
 * Control and status registers as a student wants to read them in the debugger: trap
 * causes in words, status flags by name, satp split into mode, ASID and root table, the
 * interrupt-enable and -pending bits by name, trap vectors as base + mode. Pure functions
 * over bigint values (display code, off the hot path). References: privileged spec
 * 3.1.6 (mstatus), 3.1.7 (mtvec), 3.1.9 (mip/mie), 3.1.15 (mcause, table 3.6), 4.1.1
 * (sstatus), 4.1.11 (satp).
 */
import { Csr } from '../emulator/cpu/csr';

export interface CsrInfo {
  name: string;
  addr: number;
  /** A short decoding of the value, or '' when the number says it all. */
  decode: (v: bigint) => string;
}

const EXCEPTIONS: Record<number, string> = {
  0: 'Instruction address misaligned',
  1: 'Instruction access fault',
  2: 'Illegal instruction',
  3: 'Breakpoint',
  4: 'Load address misaligned',
  5: 'Load access fault',
  6: 'Store/AMO address misaligned',
  7: 'Store/AMO access fault',
  8: 'Environment call from U-mode',
  9: 'Environment call from S-mode',
  11: 'Environment call from M-mode',
  12: 'Instruction page fault',
  13: 'Load page fault',
  15: 'Store/AMO page fault',
};

const INTERRUPTS: Record<number, string> = {
  1: 'Supervisor software interrupt',
  3: 'Machine software interrupt',
  5: 'Supervisor timer interrupt',
  7: 'Machine timer interrupt',
  9: 'Supervisor external interrupt',
  11: 'Machine external interrupt',
};

/** A trap cause in words (privileged spec table 3.6). */
export function causeName(interrupt: boolean, code: number): string {
  const known = interrupt ? INTERRUPTS[code] : EXCEPTIONS[code];
  if (known) return known;
  return `${interrupt ? 'Interrupt' : 'Exception'} ${code} (reserved or custom)`;
}

const INTERRUPT_BIT = 1n << 63n;

/** scause/mcause: the interrupt bit (XLEN-1) and the code below it. */
export function decodeCause(v: bigint): string {
  const interrupt = (v & INTERRUPT_BIT) !== 0n;
  const code = v & ~INTERRUPT_BIT;
  if (code > 0xffffn) return `${interrupt ? 'interrupt' : 'exception'} code 0x${code.toString(16)}`;
  return causeName(interrupt, Number(code));
}

/** Whether a cause is an exception with a faulting address in xtval. */
export function causeHasAddress(interrupt: boolean, code: number): boolean {
  return !interrupt && [0, 1, 4, 5, 6, 7, 12, 13, 15].includes(code);
}

const PRIV_NAMES = ['U', 'S', 'H', 'M'] as const;
export function privName(p: number): string {
  return PRIV_NAMES[p & 3] ?? '?';
}

const EXT_STATE = ['Off', 'Initial', 'Clean', 'Dirty'] as const;
const XLEN_NAMES: Record<number, string> = { 1: '32', 2: '64', 3: '128' };

interface StatusField {
  name: string;
  shift: number;
  width: number;
  /** Shown in sstatus as well as mstatus. */
  s: boolean;
  show?: (v: number) => string;
}

// Privileged spec 3.1.6, figure 3.7 (mstatus, RV64); sstatus (4.1.1) is the subset marked s.
const STATUS_FIELDS: StatusField[] = [
  { name: 'SD', shift: 63, width: 1, s: true },
  { name: 'MBE', shift: 37, width: 1, s: false },
  { name: 'SBE', shift: 36, width: 1, s: false },
  { name: 'SXL', shift: 34, width: 2, s: false, show: (v) => XLEN_NAMES[v] ?? String(v) },
  { name: 'UXL', shift: 32, width: 2, s: true, show: (v) => XLEN_NAMES[v] ?? String(v) },
  { name: 'TSR', shift: 22, width: 1, s: false },
  { name: 'TW', shift: 21, width: 1, s: false },
  { name: 'TVM', shift: 20, width: 1, s: false },
  { name: 'MXR', shift: 19, width: 1, s: true },
  { name: 'SUM', shift: 18, width: 1, s: true },
  { name: 'MPRV', shift: 17, width: 1, s: false },
  { name: 'XS', shift: 15, width: 2, s: true, show: (v) => EXT_STATE[v] ?? String(v) },
  { name: 'FS', shift: 13, width: 2, s: true, show: (v) => EXT_STATE[v] ?? String(v) },
  { name: 'MPP', shift: 11, width: 2, s: false, show: privName },
  { name: 'VS', shift: 9, width: 2, s: true, show: (v) => EXT_STATE[v] ?? String(v) },
  { name: 'SPP', shift: 8, width: 1, s: true, show: (v) => (v ? 'S' : 'U') },
  { name: 'MPIE', shift: 7, width: 1, s: false },
  { name: 'UBE', shift: 6, width: 1, s: true },
  { name: 'SPIE', shift: 5, width: 1, s: true },
  { name: 'MIE', shift: 3, width: 1, s: false },
  { name: 'SIE', shift: 1, width: 1, s: true },
];

function field(v: bigint, shift: number, width: number): number {
  return Number((v >> BigInt(shift)) & ((1n << BigInt(width)) - 1n));
}

/**
 * mstatus/sstatus: set one-bit flags by name; multi-bit fields as NAME=value. SPP and MPP
 * are always shown (they matter even when 0: "returns to U-mode").
 */
export function decodeStatus(v: bigint, supervisorView: boolean): string {
  const parts: string[] = [];
  for (const f of STATUS_FIELDS) {
    if (supervisorView && !f.s) continue;
    const x = field(v, f.shift, f.width);
    if (f.show) {
      if (x !== 0 || f.name === 'SPP' || f.name === 'MPP') parts.push(`${f.name}=${f.show(x)}`);
    } else if (x) parts.push(f.name);
  }
  return parts.join(' ');
}

const SATP_MODES: Record<number, string> = { 0: 'Bare', 8: 'Sv39', 9: 'Sv48', 10: 'Sv57', 11: 'Sv64' };

export interface Satp {
  mode: number;
  modeName: string;
  asid: number;
  ppn: number;
  /** Physical address of the root page table (ppn * 4096). */
  rootPa: number;
}

/** satp (privileged spec 4.1.11, RV64): MODE[63:60], ASID[59:44], PPN[43:0]. */
export function splitSatp(v: bigint): Satp {
  const mode = Number((v >> 60n) & 0xfn);
  const ppn = Number(v & 0xfff_ffff_ffffn);
  return {
    mode,
    modeName: SATP_MODES[mode] ?? `reserved mode ${mode}`,
    asid: Number((v >> 44n) & 0xffffn),
    ppn,
    rootPa: ppn * 4096,
  };
}

export function decodeSatp(v: bigint): string {
  const s = splitSatp(v);
  if (s.mode === 0) return 'Bare: no translation';
  return `${s.modeName}, ASID ${s.asid}, root PPN 0x${s.ppn.toString(16)} at 0x${s.rootPa.toString(16)}`;
}

// Interrupt bits of mip/mie (privileged spec 3.1.9) and sip/sie (4.1.3), by position.
const IRQ_BITS: [number, string][] = [
  [1, 'SS'],
  [3, 'MS'],
  [5, 'ST'],
  [7, 'MT'],
  [9, 'SE'],
  [11, 'ME'],
];

/** mie/sie (suffix IE) or mip/sip (suffix IP): the set bits by name, e.g. "SEIE STIE". */
export function decodeInterruptBits(v: bigint, suffix: 'IE' | 'IP', supervisorView: boolean): string {
  const names: string[] = [];
  for (const [bit, name] of [...IRQ_BITS].reverse()) {
    if (supervisorView && name.startsWith('M')) continue;
    if ((v >> BigInt(bit)) & 1n) names.push(`${name}${suffix}`);
  }
  const other = v & ~IRQ_BITS.reduce((m, [b]) => m | (1n << BigInt(b)), 0n);
  if (other) names.push(`other 0x${other.toString(16)}`);
  return names.length ? names.join(' ') : 'none';
}

/** stvec/mtvec (privileged spec 3.1.7): BASE (4-byte aligned) and MODE. */
export function decodeTvec(v: bigint): string {
  const mode = Number(v & 3n);
  const base = v & ~3n;
  const modeName = mode === 0 ? 'Direct' : mode === 1 ? 'Vectored' : `reserved mode ${mode}`;
  return `base 0x${base.toString(16)}, ${modeName}`;
}

/** medeleg/mideleg (privileged spec 3.1.8): the delegated causes in words. */
function decodeDeleg(v: bigint, interrupt: boolean): string {
  const names: string[] = [];
  for (let i = 0; i < 64; i++)
    if ((v >> BigInt(i)) & 1n)
      names.push(interrupt ? (INTERRUPTS[i] ?? `irq ${i}`) : (EXCEPTIONS[i] ?? `exception ${i}`));
  return names.length ? names.join(', ') : 'none';
}

const none = (): string => '';

/** The CSRs the debugger shows, in display order. */
export const CSRS: CsrInfo[] = [
  { name: 'sstatus', addr: Csr.sstatus, decode: (v) => decodeStatus(v, true) },
  { name: 'sie', addr: Csr.sie, decode: (v) => decodeInterruptBits(v, 'IE', true) },
  { name: 'stvec', addr: Csr.stvec, decode: decodeTvec },
  { name: 'sscratch', addr: Csr.sscratch, decode: none },
  { name: 'sepc', addr: Csr.sepc, decode: none },
  { name: 'scause', addr: Csr.scause, decode: decodeCause },
  { name: 'stval', addr: Csr.stval, decode: none },
  { name: 'sip', addr: Csr.sip, decode: (v) => decodeInterruptBits(v, 'IP', true) },
  { name: 'stimecmp', addr: Csr.stimecmp, decode: none },
  { name: 'satp', addr: Csr.satp, decode: decodeSatp },
  { name: 'mstatus', addr: Csr.mstatus, decode: (v) => decodeStatus(v, false) },
  { name: 'misa', addr: Csr.misa, decode: decodeMisa },
  { name: 'medeleg', addr: Csr.medeleg, decode: (v) => decodeDeleg(v, false) },
  { name: 'mideleg', addr: Csr.mideleg, decode: (v) => decodeDeleg(v, true) },
  { name: 'mie', addr: Csr.mie, decode: (v) => decodeInterruptBits(v, 'IE', false) },
  { name: 'mtvec', addr: Csr.mtvec, decode: decodeTvec },
  { name: 'menvcfg', addr: Csr.menvcfg, decode: none },
  { name: 'mscratch', addr: Csr.mscratch, decode: none },
  { name: 'mepc', addr: Csr.mepc, decode: none },
  { name: 'mcause', addr: Csr.mcause, decode: decodeCause },
  { name: 'mtval', addr: Csr.mtval, decode: none },
  { name: 'mip', addr: Csr.mip, decode: (v) => decodeInterruptBits(v, 'IP', false) },
  { name: 'mhartid', addr: Csr.mhartid, decode: none },
  { name: 'time', addr: Csr.time, decode: none },
  { name: 'instret', addr: Csr.instret, decode: none },
];

const BY_NAME = new Map(CSRS.map((c) => [c.name, c]));

export function csrByName(name: string): CsrInfo | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** misa (3.1.1): MXL and extension letters. */
function decodeMisa(v: bigint): string {
  let letters = '';
  for (let i = 0; i < 26; i++) if ((v >> BigInt(i)) & 1n) letters += String.fromCharCode(65 + i);
  const mxl = Number((v >> 62n) & 3n);
  return `RV${XLEN_NAMES[mxl] ?? '?'}${letters}`;
}

export function hex64(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** `scause = 0xf (Store/AMO page fault)`: a CSR value with its decoding. */
export function formatCsr(name: string, v: bigint): string {
  const info = csrByName(name);
  const d = info?.decode(v) ?? '';
  const hex = '0x' + BigInt.asUintN(64, v).toString(16);
  return d ? `${name} = ${hex} (${d})` : `${name} = ${hex}`;
}

/** The value column of the debugger's CSR view: hex and the decoding. */
export function csrValueText(info: CsrInfo, v: bigint): string {
  const d = info.decode(v);
  const hex = '0x' + BigInt.asUintN(64, v).toString(16);
  return d ? `${hex} (${d})` : hex;
}

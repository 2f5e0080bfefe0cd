/**
 * What the debugger shows of a stopped hart, shaped for the Debug Adapter Protocol but
 * independent of the session object: the register and CSR variables, frame-pointer call
 * stacks named from ELF symbols, `$reg`/`$csr` expressions, memory read and written
 * through the hart's address translation, and disassembly. Everything here only reads or
 * writes guest state through the debugger accessors (no side effects on TLB, A/D bits or
 * devices), and reports problems as one-line `ViewError`s. Disassembly carries the
 * source line of each instruction when the ELF has a line table.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Access, type HartApi } from '../emulator/types';
import { STT_FUNC, type ElfFile } from '../emulator/elf';
import { fpBacktrace, type PhysReader } from '../emulator/inspect';
import { ABI_NAMES, disassemble } from '../emulator/cpu/disasm';
import { CSRS, csrByName, csrValueText, formatCsr, privName } from './csr';
import { ConditionError, parseCondition, type Env } from './condition';
import { basename } from 'node:path';
import { codeSymbolAt, symbolsOf, type Reader } from './debuginfo';
import { sourcePath } from './sources';

export class ViewError extends Error {
  override name = 'ViewError';
}

export interface Mem extends PhysReader {
  writePhys(paddr: number, bytes: Uint8Array): boolean;
}

const PAGE = 4096;

export function hex16(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** `func+off` for an address inside a known function. */
export function symbolize(elf: ElfFile | undefined, addr: bigint): string | undefined {
  const s = elf?.symbolAt(Number(BigInt.asIntN(64, addr)));
  if (!s) return undefined;
  const off = Number(BigInt.asIntN(64, addr)) - s.value;
  return off ? `${s.name}+${off}` : s.name;
}

// ---- registers and CSRs ------------------------------------------------------------

export function registerVariables(hart: HartApi, elf: ElfFile | undefined): DebugProtocol.Variable[] {
  const out: DebugProtocol.Variable[] = [];
  const pc = hart.getPc();
  out.push(regVar('pc', pc, elf, true));
  for (let i = 1; i < 32; i++) out.push(regVar(ABI_NAMES[i]!, hart.getReg(i), elf, i === 1));
  out.push({
    name: 'priv',
    value: `${privName(hart.priv)}-mode`,
    variablesReference: 0,
    evaluateName: '$priv',
  });
  return out;
}

function regVar(name: string, v: bigint, elf: ElfFile | undefined, code: boolean): DebugProtocol.Variable {
  const sym = code ? symbolize(elf, v) : undefined;
  return {
    name,
    value: sym ? `${hex16(v)} <${sym}>` : hex16(v),
    variablesReference: 0,
    evaluateName: `$${name}`,
    memoryReference: '0x' + BigInt.asUintN(64, v).toString(16),
  };
}

export function csrVariables(hart: HartApi): DebugProtocol.Variable[] {
  const out: DebugProtocol.Variable[] = [];
  for (const c of CSRS) {
    const v = hart.readCsr(c.addr);
    if (v === undefined) continue;
    out.push({ name: c.name, value: csrValueText(c, v), variablesReference: 0, evaluateName: `$${c.name}` });
  }
  return out;
}

/** Register number for an ABI or xN name (fp = s0), or 'pc'. */
export function registerIndex(name: string): number | 'pc' | undefined {
  const n = name.replace(/^\$/, '').toLowerCase();
  if (n === 'pc') return 'pc';
  if (n === 'fp') return 8;
  const x = /^x([0-9]|[12][0-9]|3[01])$/.exec(n);
  if (x) return Number(x[1]);
  const i = ABI_NAMES.indexOf(n);
  return i >= 0 ? i : undefined;
}

/** The values an expression may name: every register and CSR, with and without `$`. */
export function valueEnv(hart: HartApi): { env: Env; names: string[] } {
  const env: Record<string, bigint> = {};
  const put = (n: string, v: bigint): void => {
    env[n] = v;
    env['$' + n] = v;
  };
  put('pc', hart.getPc());
  put('priv', BigInt(hart.priv));
  for (let i = 0; i < 32; i++) {
    const v = hart.getReg(i);
    put(`x${i}`, v);
    put(ABI_NAMES[i]!, v);
  }
  put('fp', hart.getReg(8));
  for (const c of CSRS) {
    const v = hart.readCsr(c.addr);
    if (v !== undefined) put(c.name, v);
  }
  return { env, names: Object.keys(env) };
}

/** Evaluate `$reg`, `$csr`, numbers and arithmetic over them. */
export function evaluateExpression(hart: HartApi, elf: ElfFile | undefined, expr: string): string {
  const e = expr.trim();
  const csr = csrByName(e.replace(/^\$/, ''));
  if (csr) {
    const v = hart.readCsr(csr.addr);
    if (v === undefined) throw new ViewError(`this hart has no CSR ${csr.name}`);
    return formatCsr(csr.name, v);
  }
  const { env, names } = valueEnv(hart);
  let v: bigint;
  try {
    v = parseCondition(e, names).value(env);
  } catch (err) {
    if (err instanceof ConditionError)
      throw new ViewError(err.message.replace(/: use .*/, ': use $pc, $a0, $sp, $scause, ... or a number'));
    throw err;
  }
  const sym = symbolize(elf, v);
  return `${hex16(v)} (${BigInt.asIntN(64, v)})${sym ? ` <${sym}>` : ''}`;
}

/** Set a register or CSR from an expression (`0x80001000`, `sp + 16`). Returns the new value text. */
export function setRegister(
  hart: HartApi,
  elf: ElfFile | undefined,
  name: string,
  valueText: string,
): string {
  const { env, names } = valueEnv(hart);
  let v: bigint;
  try {
    v = BigInt.asUintN(64, parseCondition(valueText, names).value(env));
  } catch (err) {
    if (err instanceof ConditionError) throw new ViewError(`cannot set ${name}: ${err.message}`);
    throw err;
  }
  const reg = registerIndex(name);
  if (reg === 'pc') {
    hart.setPc(v);
    return regVar('pc', v, elf, true).value;
  }
  if (reg !== undefined) {
    if (reg === 0) throw new ViewError('zero (x0) is hard-wired to 0');
    hart.setReg(reg, v);
    return regVar(name, hart.getReg(reg), elf, reg === 1).value;
  }
  const csr = csrByName(name);
  if (csr) {
    if (!hart.writeCsr(csr.addr, v)) throw new ViewError(`${csr.name} cannot be written`);
    return csrValueText(csr, hart.readCsr(csr.addr) ?? v);
  }
  throw new ViewError(`${name} is not a register`);
}

// ---- call stack --------------------------------------------------------------------

export interface FrameView {
  index: number;
  pc: bigint;
  name: string;
}

export function callStack(mem: PhysReader, hart: HartApi, elf: ElfFile | undefined, max = 64): FrameView[] {
  const pc = hart.getPc();
  const sym = elf?.symbolAt(Number(BigInt.asIntN(64, pc)));
  const atEntry = sym !== undefined && sym.value === Number(BigInt.asIntN(64, pc));
  const frames: FrameView[] = [];
  for (const f of fpBacktrace(mem, hart, elf, atEntry, max)) {
    // An outer frame whose return address is in no function (the top of a kernel stack,
    // a trap frame, data) ends the chain: what lies beyond is not a caller.
    if (frames.length > 0 && elf && elf.symbolAt(Number(BigInt.asIntN(64, f.pc)) - 1)?.type !== STT_FUNC)
      break;
    frames.push({
      index: frames.length,
      pc: f.pc,
      name: f.func ? (f.offset ? `${f.func}+${f.offset}` : f.func) : `?? ${hex16(f.pc)}`,
    });
  }
  return frames;
}

// ---- memory ------------------------------------------------------------------------

/** Read up to `len` bytes at `va` through the hart's translation; stops at the first unreadable byte. */
export function readVirtual(mem: PhysReader, hart: HartApi, va: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const cur = va + BigInt(done);
    const t = hart.translate(cur, Access.Load);
    if (!t.ok) break;
    const n = Math.min(len - done, PAGE - Number(BigInt.asUintN(64, cur) & 0xfffn));
    const chunk = mem.readPhys(t.paddr, n);
    if (!chunk) break;
    out.set(chunk, done);
    done += n;
  }
  return out.subarray(0, done);
}

/** Write through the hart's translation (checked page by page first: all or nothing). */
export function writeVirtual(mem: Mem, hart: HartApi, va: bigint, data: Uint8Array): void {
  const pieces: { paddr: number; from: number; to: number }[] = [];
  let done = 0;
  while (done < data.length) {
    const cur = va + BigInt(done);
    const t = hart.translate(cur, Access.Store);
    if (!t.ok) throw new ViewError(`cannot write at ${hex16(cur)}: the address is not mapped writable`);
    const n = Math.min(data.length - done, PAGE - Number(BigInt.asUintN(64, cur) & 0xfffn));
    pieces.push({ paddr: t.paddr, from: done, to: done + n });
    done += n;
  }
  for (const p of pieces) {
    if (!mem.writePhys(p.paddr, data.subarray(p.from, p.to))) {
      throw new ViewError(`cannot write at physical ${hex16(BigInt(p.paddr))}: not RAM`);
    }
  }
}

export function parseAddress(ref: string, offset = 0): bigint {
  const t = ref.trim();
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) throw new ViewError(`not a memory address: ${ref}`);
  return BigInt.asUintN(64, BigInt(t) + BigInt(offset));
}

// ---- disassembly -------------------------------------------------------------------

/** The 16- or 32-bit instruction at `pc` (undefined when it cannot be read). */
export function fetchInsn(mem: PhysReader, hart: HartApi, pc: bigint): number | undefined {
  const b = readVirtual(mem, hart, pc, 2);
  if (b.length < 2) return undefined;
  const lo = b[0]! | (b[1]! << 8);
  if ((lo & 3) !== 3) return lo;
  const b2 = readVirtual(mem, hart, pc + 2n, 2);
  if (b2.length < 2) return undefined;
  return (lo | (b2[0]! << 16) | (b2[1]! << 24)) >>> 0;
}

/** The instruction at `pc` read through `read` (a process's address space). */
function fetchWith(read: Reader, pc: bigint): number | undefined {
  const b = read(Number(pc), 2);
  if (!b || b.length < 2) return undefined;
  const lo = b[0]! | (b[1]! << 8);
  if ((lo & 3) !== 3) return lo;
  const b2 = read(Number(pc) + 2, 2);
  if (!b2 || b2.length < 2) return undefined;
  return (lo | (b2[0]! << 16) | (b2[1]! << 24)) >>> 0;
}

function insnAt(
  mem: PhysReader,
  hart: HartApi,
  elf: ElfFile | undefined,
  pc: bigint,
  elfPath?: string,
  read?: Reader,
): { insn: DebugProtocol.DisassembledInstruction; len: number } {
  const w = read ? fetchWith(read, pc) : fetchInsn(mem, hart, pc);
  const address = '0x' + BigInt.asUintN(64, pc).toString(16);
  if (w === undefined) {
    return { insn: { address, instruction: '<unreadable>', presentationHint: 'invalid' }, len: 2 };
  }
  const d = disassemble(w, BigInt.asUintN(64, pc));
  const bytes = d.length === 4 ? w.toString(16).padStart(8, '0') : w.toString(16).padStart(4, '0');
  // objdump separates mnemonic and operands with a tab; the view wants plain columns.
  const tab = d.text.indexOf('\t');
  const text = tab < 0 ? d.text : d.text.slice(0, tab).padEnd(7) + ' ' + d.text.slice(tab + 1);
  const insn: DebugProtocol.DisassembledInstruction = { address, instructionBytes: bytes, instruction: text };
  const s = codeSymbolAt(elf, Number(BigInt.asIntN(64, pc)));
  if (s) insn.symbol = s.name;
  const line = symbolsOf(elf)?.lineAt(Number(BigInt.asUintN(64, pc)));
  if (line) {
    const path = sourcePath(line, elfPath);
    insn.location = { name: basename(line.file), path: path ?? line.file };
    insn.line = line.line;
    if (line.column) insn.column = line.column;
  }
  return { insn, len: d.length };
}

/**
 * `count` instructions starting `instructionOffset` instructions from `addr`. Going
 * backwards over variable-length code is ambiguous; decoding forward from the start of
 * the enclosing function (or a few bytes back) finds the real boundaries in practice.
 */
export function disassembleRange(
  mem: PhysReader,
  hart: HartApi,
  elf: ElfFile | undefined,
  addr: bigint,
  instructionOffset: number,
  count: number,
  elfPath?: string,
  /** Reads the code instead of the hart's translation (a user program's address space). */
  read?: Reader,
): DebugProtocol.DisassembledInstruction[] {
  const out: DebugProtocol.DisassembledInstruction[] = [];
  if (instructionOffset < 0) {
    const back = -instructionOffset;
    // At most 4 bytes an instruction: decode from the function holding that point.
    const probe = addr - BigInt(back * 4);
    const sym = elf?.symbolAt(Number(BigInt.asIntN(64, probe)));
    const symStart = sym ? BigInt(sym.value) : undefined;
    const start = symStart !== undefined && probe - symStart <= 4096n ? symStart : probe;
    const before: DebugProtocol.DisassembledInstruction[] = [];
    for (let pc = start; pc < addr;) {
      const { insn, len } = insnAt(mem, hart, elf, pc, elfPath, read);
      before.push(insn);
      pc += BigInt(len);
    }
    let tail = before.slice(-back);
    // Not enough code before: pad with placeholders at lower addresses.
    let pad = start - 2n;
    while (tail.length < back) {
      tail = [
        {
          address: '0x' + BigInt.asUintN(64, pad).toString(16),
          instruction: '',
          presentationHint: 'invalid',
        },
        ...tail,
      ];
      pad -= 2n;
    }
    out.push(...tail.slice(0, count));
  }
  let pc = addr;
  for (let i = 0; i < Math.max(0, instructionOffset); i++)
    pc += BigInt(insnAt(mem, hart, elf, pc, elfPath, read).len);
  while (out.length < count) {
    const { insn, len } = insnAt(mem, hart, elf, pc, elfPath, read);
    out.push(insn);
    pc += BigInt(len);
  }
  return out;
}

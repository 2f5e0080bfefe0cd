/**
 * Call frame information (DWARF 5 section 6.4): CIEs and FDEs from .debug_frame, or
 * from .eh_frame (the same format with pc-relative pointers and augmentation data, as
 * specified by the LSB "Exception Frames"). Loading indexes only the FDEs' address
 * ranges; an FDE's instructions are run (6.4.2 DW_CFA_*) when a pc inside it is
 * unwound, giving the row of rules for that pc: how to compute the CFA and where each
 * register of the caller was saved.
 */
import { DwarfError, Reader } from './reader';

export type RegRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  | { kind: 'offset'; offset: number }
  | { kind: 'valOffset'; offset: number }
  | { kind: 'register'; reg: number }
  | { kind: 'expression'; expr: Uint8Array }
  | { kind: 'valExpression'; expr: Uint8Array };

export type CfaRule =
  { kind: 'regOffset'; reg: number; offset: number } | { kind: 'expression'; expr: Uint8Array };

export interface CfiRow {
  /** First address the row applies to. */
  loc: number;
  cfa: CfaRule;
  regs: Map<number, RegRule>;
}

interface Cie {
  offset: number;
  codeAlign: number;
  dataAlign: number;
  raReg: number;
  addrSize: number;
  fdeEncoding: number;
  instructions: Uint8Array;
  isEh: boolean;
  /** 'z' augmentation: FDEs carry an augmentation data block. */
  hasAugData: boolean;
}

export interface Fde {
  offset: number;
  low: number;
  high: number;
  cie: Cie;
  instructions: Uint8Array;
}

const DW_EH_PE_absptr = 0x00;
const DW_EH_PE_omit = 0xff;

export class FrameTable {
  private readonly fdes: Fde[] = [];
  private readonly rowCache = new WeakMap<Fde, CfiRow[]>();
  readonly errors: DwarfError[] = [];

  constructor(debugFrame: Uint8Array, ehFrame: Uint8Array, ehFrameAddr: number) {
    this.scan(debugFrame, false, 0);
    // .debug_frame wins; .eh_frame fills in what it lacks (GCC emits one or the other).
    if (this.fdes.length === 0) this.scan(ehFrame, true, ehFrameAddr);
    this.fdes.sort((a, b) => a.low - b.low);
  }

  get count(): number {
    return this.fdes.length;
  }

  allFdes(): readonly Fde[] {
    return this.fdes;
  }

  private scan(data: Uint8Array, isEh: boolean, sectionAddr: number): void {
    const label = isEh ? '.eh_frame' : '.debug_frame';
    const r = new Reader(data, 0, label);
    const cies = new Map<number, Cie>();
    while (r.pos + 4 <= data.length) {
      const start = r.pos;
      try {
        const { length, is64 } = r.initialLength();
        if (length === 0) {
          if (isEh) break; // terminator
          continue;
        }
        const end = r.pos + length;
        if (end > data.length)
          throw new DwarfError(`${label}: entry at 0x${start.toString(16)} is truncated`);
        const idPos = r.pos;
        const id = r.offset(is64);
        const isCie = isEh ? id === 0 : is64 ? id >= 2 ** 64 - 1 : id === 0xffffffff;
        if (!isCie) {
          const cieOff = isEh ? idPos - id : id;
          let cie = cies.get(cieOff);
          if (!cie) {
            cie = parseCie(data, cieOff, isEh, label);
            cies.set(cieOff, cie);
          }
          const low = readPointer(r, cie.fdeEncoding, cie.addrSize, sectionAddr, label);
          const range = readPointer(r, cie.fdeEncoding & 0x0f, cie.addrSize, sectionAddr, label);
          if (cie.hasAugData) r.skip(r.uleb());
          if (range > 0)
            this.fdes.push({
              offset: start,
              low,
              high: low + range,
              cie,
              instructions: data.subarray(r.pos, end),
            });
        }
        r.seek(end);
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        this.errors.push(e);
        return;
      }
    }
  }

  /** The FDE covering `pc`. */
  fdeAt(pc: number): Fde | undefined {
    let lo = 0;
    let hi = this.fdes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = this.fdes[mid]!;
      if (pc < f.low) hi = mid - 1;
      else if (pc >= f.high) lo = mid + 1;
      else return f;
    }
    return undefined;
  }

  /** The CFI row in effect at `pc`, with the return address register. */
  rowAt(pc: number): { row: CfiRow; raReg: number } | undefined {
    const fde = this.fdeAt(pc);
    if (!fde) return undefined;
    let rows = this.rowCache.get(fde);
    if (!rows) {
      rows = fdeRows(fde);
      this.rowCache.set(fde, rows);
    }
    let best = rows[0]!;
    for (const row of rows) if (row.loc <= pc) best = row;
    return { row: best, raReg: fde.cie.raReg };
  }
}

function parseCie(data: Uint8Array, offset: number, isEh: boolean, label: string): Cie {
  const r = new Reader(data, 0, label);
  r.seek(offset);
  const { length, is64 } = r.initialLength();
  const end = r.pos + length;
  if (end > data.length) throw new DwarfError(`${label}: CIE at 0x${offset.toString(16)} is truncated`);
  r.offset(is64);
  const version = r.u8();
  if (version !== 1 && version !== 3 && version !== 4)
    throw new DwarfError(`${label}: CIE at 0x${offset.toString(16)} has unsupported version ${version}`);
  const aug = r.cstr();
  let addrSize = 8;
  if (version === 4) {
    addrSize = r.u8();
    r.u8(); // segment selector size
  }
  const codeAlign = r.uleb();
  const dataAlign = r.sleb();
  const raReg = version === 1 ? r.u8() : r.uleb();
  let fdeEncoding = DW_EH_PE_absptr;
  let z = false;
  if (aug.startsWith('z')) {
    z = true;
    const augLen = r.uleb();
    const augEnd = r.pos + augLen;
    for (const c of aug.slice(1)) {
      if (c === 'R') fdeEncoding = r.u8();
      else if (c === 'L') r.u8();
      else if (c === 'P') readPointer(r, r.u8(), addrSize, 0, label);
      else if (c === 'S' || c === 'B') continue;
      else break;
    }
    r.seek(augEnd);
  } else if (aug !== '' && !isEh) {
    throw new DwarfError(`${label}: CIE at 0x${offset.toString(16)} has unknown augmentation "${aug}"`);
  }
  return {
    offset,
    codeAlign,
    dataAlign,
    raReg,
    addrSize,
    fdeEncoding,
    instructions: data.subarray(r.pos, end),
    isEh,
    hasAugData: z,
  };
}

/** A pointer in DW_EH_PE_* encoding (LSB "DWARF Exception Header Encoding"). */
function readPointer(r: Reader, enc: number, addrSize: number, sectionAddr: number, label: string): number {
  if (enc === DW_EH_PE_omit) return 0;
  const at = r.pos;
  let v: number;
  switch (enc & 0x0f) {
    case 0x00:
      v = r.addr(addrSize);
      break;
    case 0x01:
      v = r.uleb();
      break;
    case 0x02:
      v = r.u16();
      break;
    case 0x03:
      v = r.u32();
      break;
    case 0x04:
      v = r.u64();
      break;
    case 0x09:
      v = r.sleb();
      break;
    case 0x0a:
      v = r.i16();
      break;
    case 0x0b:
      v = r.i32();
      break;
    case 0x0c:
      v = Number(r.i64big());
      break;
    default:
      throw new DwarfError(`${label}: unsupported pointer encoding 0x${enc.toString(16)}`);
  }
  if ((enc & 0x70) === 0x10) v += sectionAddr + at; // DW_EH_PE_pcrel
  return v;
}

const MAX_ROWS = 100_000;

/** Run the CIE's initial instructions, then the FDE's, collecting one row per location. */
export function fdeRows(fde: Fde): CfiRow[] {
  const cie = fde.cie;
  const initial: CfiRow = { loc: fde.low, cfa: { kind: 'regOffset', reg: 2, offset: 0 }, regs: new Map() };
  const state = { row: initial, rows: [] as CfiRow[], stack: [] as CfiRow[] };
  execute(cie.instructions, cie, state, undefined, fde);
  const initialRegs = new Map(state.row.regs);
  execute(fde.instructions, cie, state, initialRegs, fde);
  state.rows.push(state.row);
  return state.rows;
}

function cloneRow(row: CfiRow, loc: number): CfiRow {
  return { loc, cfa: row.cfa, regs: new Map(row.regs) };
}

function execute(
  code: Uint8Array,
  cie: Cie,
  state: { row: CfiRow; rows: CfiRow[]; stack: CfiRow[] },
  initialRegs: Map<number, RegRule> | undefined,
  fde: Fde,
): void {
  const r = new Reader(code, 0, 'call frame instructions');
  const label = 'call frame instructions';
  const advance = (delta: number): void => {
    if (state.rows.length > MAX_ROWS) throw new DwarfError(`${label}: too many rows`);
    state.rows.push(state.row);
    state.row = cloneRow(state.row, state.row.loc + delta * cie.codeAlign);
  };
  const set = (reg: number, rule: RegRule): void => {
    state.row.regs.set(reg, rule);
  };
  const restore = (reg: number): void => {
    const rule = initialRegs?.get(reg);
    if (rule) state.row.regs.set(reg, rule);
    else state.row.regs.delete(reg);
  };
  const setCfa = (reg: number | undefined, offset: number | undefined): void => {
    const prev = state.row.cfa;
    const base = prev.kind === 'regOffset' ? prev : { reg: 2, offset: 0 };
    state.row.cfa = { kind: 'regOffset', reg: reg ?? base.reg, offset: offset ?? base.offset };
  };
  while (r.pos < code.length) {
    const byte = r.u8();
    const high = byte & 0xc0;
    const low = byte & 0x3f;
    if (high === 0x40) {
      advance(low);
      continue;
    }
    if (high === 0x80) {
      set(low, { kind: 'offset', offset: r.uleb() * cie.dataAlign });
      continue;
    }
    if (high === 0xc0) {
      restore(low);
      continue;
    }
    switch (byte) {
      case 0x00: // nop
        break;
      case 0x01: {
        // set_loc
        const loc = r.addr(cie.addrSize);
        state.rows.push(state.row);
        state.row = cloneRow(state.row, loc);
        break;
      }
      case 0x02:
        advance(r.u8());
        break;
      case 0x03:
        advance(r.u16());
        break;
      case 0x04:
        advance(r.u32());
        break;
      case 0x05:
        set(r.uleb(), { kind: 'offset', offset: r.uleb() * cie.dataAlign });
        break;
      case 0x06:
        restore(r.uleb());
        break;
      case 0x07:
        set(r.uleb(), { kind: 'undefined' });
        break;
      case 0x08:
        set(r.uleb(), { kind: 'same' });
        break;
      case 0x09: {
        const reg = r.uleb();
        set(reg, { kind: 'register', reg: r.uleb() });
        break;
      }
      case 0x0a: // remember_state
        if (state.stack.length > 1000) throw new DwarfError(`${label}: remember_state nested too deeply`);
        state.stack.push(cloneRow(state.row, state.row.loc));
        break;
      case 0x0b: {
        // restore_state keeps the current location
        const saved = state.stack.pop();
        if (!saved) throw new DwarfError(`${label}: restore_state without remember_state`);
        state.row = { loc: state.row.loc, cfa: saved.cfa, regs: saved.regs };
        break;
      }
      case 0x0c: {
        const reg = r.uleb();
        setCfa(reg, r.uleb());
        break;
      }
      case 0x0d:
        setCfa(r.uleb(), undefined);
        break;
      case 0x0e:
        setCfa(undefined, r.uleb());
        break;
      case 0x0f:
        state.row.cfa = { kind: 'expression', expr: r.bytes(r.uleb()) };
        break;
      case 0x10: {
        const reg = r.uleb();
        set(reg, { kind: 'expression', expr: r.bytes(r.uleb()) });
        break;
      }
      case 0x11: {
        const reg = r.uleb();
        set(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign });
        break;
      }
      case 0x12: {
        const reg = r.uleb();
        setCfa(reg, r.sleb() * cie.dataAlign);
        break;
      }
      case 0x13:
        setCfa(undefined, r.sleb() * cie.dataAlign);
        break;
      case 0x14: {
        const reg = r.uleb();
        set(reg, { kind: 'valOffset', offset: r.uleb() * cie.dataAlign });
        break;
      }
      case 0x15: {
        const reg = r.uleb();
        set(reg, { kind: 'valOffset', offset: r.sleb() * cie.dataAlign });
        break;
      }
      case 0x16: {
        const reg = r.uleb();
        set(reg, { kind: 'valExpression', expr: r.bytes(r.uleb()) });
        break;
      }
      case 0x2e: // GNU_args_size
        r.uleb();
        break;
      case 0x2f: {
        // GNU_negative_offset_extended
        const reg = r.uleb();
        set(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign });
        break;
      }
      default:
        throw new DwarfError(
          `${label}: unknown instruction 0x${byte.toString(16)} in FDE at 0x${fde.offset.toString(16)}`,
        );
    }
  }
}

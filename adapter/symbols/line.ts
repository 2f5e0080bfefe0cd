/**
 * Line number programs (.debug_line, DWARF 5 section 6.2): the header (versions 2-4
 * with include_directories/file_names, version 5 with self-describing directory and
 * file entry formats, 6.2.4.1) and the state machine (6.2.2, 6.2.5) that turns the
 * opcodes into rows of (address, file, line, column, is_stmt). Rows are grouped in
 * sequences, each a contiguous run of code ending at an end_sequence row.
 */
import { FORM as FORM_TABLE } from './constants';
import { DwarfError, Reader, stringAt } from './reader';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const FORM = FORM_TABLE;

export interface LineRow {
  address: number;
  /** Index into LineTable.files (DWARF numbering: 1-based before version 5). */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  /** DW_LNS_set_prologue_end: where the function's body starts (clang sets it). */
  prologueEnd: boolean;
  /**
   * A row gdb leaves out of its line table, so pc lookups skip it to agree with gdb:
   * line 0 rows, and repeats of a line that carries a non-zero discriminator (the
   * pieces of one loop line, DWARF 5 section 6.2.5.1 DW_LNE_set_discriminator).
   */
  hidden: boolean;
}

export interface LineSequence {
  low: number;
  /** Address of the end_sequence row: one past the last instruction. */
  high: number;
  rows: LineRow[];
}

export interface LineTable {
  version: number;
  /** File paths indexed by the program's file numbers (joined with their directory). */
  files: (string | undefined)[];
  sequences: LineSequence[];
}

/** Extra strings the header may reference (DW_FORM_strp, DW_FORM_line_strp). */
export interface LineStrings {
  str: Uint8Array;
  lineStr: Uint8Array;
}

const LNCT_path = 1;
const LNCT_directory_index = 2;

/** Join a directory and a file name; absolute names stand alone, "./" is dropped. */
export function joinPath(dir: string | undefined, name: string): string {
  let p =
    name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name) || !dir
      ? name
      : `${dir.replace(/\/+$/, '')}/${name}`;
  while (p.startsWith('./')) p = p.slice(2);
  return p.replace(/\/\.\//g, '/');
}

/**
 * Parse the line program at `offset`. `compName` is the unit's DW_AT_name, the implicit
 * file 0 of pre-version-5 tables.
 */
export function parseLineTable(
  section: Uint8Array,
  offset: number,
  strings: LineStrings,
  compName: string | undefined,
): LineTable {
  const r = new Reader(section, 0, '.debug_line');
  r.seek(offset);
  const { length, is64 } = r.initialLength();
  const end = r.pos + length;
  if (end > section.length)
    throw new DwarfError(`.debug_line: table at 0x${offset.toString(16)} is truncated`);
  const version = r.u16();
  if (version < 2 || version > 5)
    throw new DwarfError(`.debug_line: table at 0x${offset.toString(16)} has unsupported version ${version}`);
  let addrSize = 8;
  if (version >= 5) {
    addrSize = r.u8();
    r.u8(); // segment_selector_size
  }
  const headerLength = r.offset(is64);
  const programStart = r.pos + headerLength;
  const minInst = r.u8();
  if (version >= 4) r.u8(); // maximum_operations_per_instruction: 1 on RISC-V
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = r.i8();
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0)
    throw new DwarfError(`.debug_line: table at 0x${offset.toString(16)} has line_range 0`);
  const opLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) opLengths.push(r.u8());

  const files: (string | undefined)[] = [];
  if (version >= 5) {
    const dirs = readEntries(r, is64, strings).map((e) => e.path ?? '');
    for (const f of readEntries(r, is64, strings)) {
      // Directory 0 is the compilation directory: paths stay relative to it.
      const dir = f.dir && f.dir > 0 ? dirs[f.dir] : undefined;
      files.push(f.path === undefined ? undefined : joinPath(dir, f.path));
    }
  } else {
    const dirs: string[] = [''];
    for (;;) {
      const d = r.cstr();
      if (d === '') break;
      dirs.push(d);
    }
    files.push(compName);
    for (;;) {
      const name = r.cstr();
      if (name === '') break;
      const dir = r.uleb();
      r.uleb();
      r.uleb();
      files.push(joinPath(dir > 0 ? dirs[dir] : undefined, name));
    }
  }

  // The state machine (6.2.2); registers reset at each sequence start.
  r.seek(programStart);
  const sequences: LineSequence[] = [];
  let rows: LineRow[] = [];
  let address = 0;
  let file = 1;
  let line = 1;
  let column = 0;
  let isStmt = defaultIsStmt;
  let prologueEnd = false;
  let discriminator = 0;
  // gdb's view of the sequence: the last row it kept, and whether the current line
  // has had a non-zero discriminator since the line last changed.
  let lineHasDiscriminator = false;
  let lastFile = -1;
  let lastLine = -1;
  let lastAddress = -1;
  const advanceLine = (delta: number): void => {
    line += delta;
    if (delta !== 0) lineHasDiscriminator = discriminator !== 0;
  };
  const reset = (): void => {
    address = 0;
    file = 1;
    line = 1;
    column = 0;
    isStmt = defaultIsStmt;
    prologueEnd = false;
    discriminator = 0;
    lineHasDiscriminator = false;
    lastFile = -1;
    lastLine = -1;
    lastAddress = -1;
    rows = [];
  };
  const emit = (): void => {
    const fileChanged = file !== lastFile;
    const ignored = (fileChanged && address === lastAddress && !isStmt) || line === 0;
    const kept = !ignored && (fileChanged || line !== lastLine || !lineHasDiscriminator);
    if (!ignored) {
      lastFile = file;
      lastLine = line;
    }
    lastAddress = address;
    rows.push({ address, file, line, column, isStmt, prologueEnd, hidden: !kept });
    prologueEnd = false;
    discriminator = 0;
  };
  while (r.pos < end) {
    const op = r.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += Math.floor(adj / lineRange) * minInst;
      advanceLine(lineBase + (adj % lineRange));
      emit();
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        const next = r.pos + len;
        if (len === 0) break;
        const ext = r.u8();
        if (ext === 1) {
          // DW_LNE_end_sequence
          if (rows.length > 0) sequences.push({ low: rows[0]!.address, high: address, rows });
          reset();
        } else if (ext === 2) {
          address = r.addr(Math.min(len - 1, addrSize === 4 ? 4 : 8));
        } else if (ext === 4) {
          discriminator = r.uleb();
          if (discriminator !== 0) lineHasDiscriminator = true;
        } else if (ext === 3 && version < 5) {
          const name = r.cstr();
          r.uleb();
          r.uleb();
          r.uleb();
          files.push(name);
        }
        r.seek(next);
        break;
      }
      case 1: // DW_LNS_copy
        emit();
        break;
      case 2:
        address += r.uleb() * minInst;
        break;
      case 3:
        advanceLine(r.sleb());
        break;
      case 4:
        file = r.uleb();
        break;
      case 5:
        column = r.uleb();
        break;
      case 6:
        isStmt = !isStmt;
        break;
      case 10:
        prologueEnd = true;
        break;
      case 7: // basic_block
      case 11: // epilogue_begin
        break;
      case 8:
        address += Math.floor((255 - opcodeBase) / lineRange) * minInst;
        break;
      case 9:
        address += r.u16();
        break;
      case 12:
        r.uleb();
        break;
      default:
        // Unknown standard opcode: skip its operands as the header describes them.
        for (let i = 0; i < (opLengths[op] ?? 0); i++) r.uleb();
    }
  }
  sequences.sort((a, b) => a.low - b.low);
  return { version, files, sequences };
}

interface Entry {
  path?: string;
  dir?: number;
}

/** A version 5 directory or file name table: its format, then its entries (6.2.4.1). */
function readEntries(r: Reader, is64: boolean, strings: LineStrings): Entry[] {
  const formatCount = r.u8();
  const format: { type: number; form: number }[] = [];
  for (let i = 0; i < formatCount; i++) format.push({ type: r.uleb(), form: r.uleb() });
  const count = r.uleb();
  if (count > r.length) throw new DwarfError('.debug_line: implausible entry count');
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const e: Entry = {};
    for (const f of format) {
      const v = readLineForm(r, f.form, is64, strings);
      if (f.type === LNCT_path && typeof v === 'string') e.path = v;
      else if (f.type === LNCT_directory_index && typeof v === 'number') e.dir = v;
    }
    out.push(e);
  }
  return out;
}

function readLineForm(r: Reader, form: number, is64: boolean, s: LineStrings): string | number | undefined {
  switch (form) {
    case FORM.string:
      return r.cstr();
    case FORM.line_strp:
      return stringAt(s.lineStr, r.offset(is64), '.debug_line_str');
    case FORM.strp:
      return stringAt(s.str, r.offset(is64), '.debug_str');
    case FORM.udata:
      return r.uleb();
    case FORM.data1:
      return r.u8();
    case FORM.data2:
      return r.u16();
    case FORM.data4:
      return r.u32();
    case FORM.data8:
      return r.u64();
    case FORM.data16:
      r.skip(16);
      return undefined;
    case FORM.block:
      r.skip(r.uleb());
      return undefined;
    default:
      throw new DwarfError(`.debug_line: unsupported form 0x${form.toString(16)} in an entry format`);
  }
}

/** Index of the last row of `seq` at or before `pc` (rows are in address order). */
export function rowIndexAt(seq: LineSequence, pc: number): number {
  let lo = 0;
  let hi = seq.rows.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (seq.rows[mid]!.address <= pc) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

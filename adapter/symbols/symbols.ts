/**
 * The symbol reader's facade: what the debug adapter asks of a program's debug
 * information. Created from an ElfFile, it indexes cheaply at load (unit headers and
 * address ranges, FDE ranges; function names come from the ELF symbol table) and
 * parses a unit's DIEs and line table the first time a question needs them. Malformed
 * input yields DwarfError for the unit involved; other units keep answering.
 */
import type { ElfFile } from '../../emulator/elf';
import { Breakpoints, type LineResolution } from './breakpoints';
import { AT as AT_TABLE, TAG as TAG_TABLE } from './constants';
import { FrameTable, type CfiRow } from './frame';
import { DebugInfo, asDwarfError, type Die, type Unit } from './info';
import { parseLineTable, rowIndexAt, type LineRow, type LineTable } from './line';
import { dieRanges, inRanges, type Range } from './ranges';
import { DwarfError } from './reader';
import type { Location } from './expr';
import { sectionsFromElf } from './sections';
import { Scopes, type FrameAccess, type Scope, type Variable } from './scope';
import { TypeBuilder, type Type } from './types';
import { cfaOf, unwindCfi, unwindFramePointer, type ReadMemory, type UnwindResult } from './unwind';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const AT = AT_TABLE;
const TAG = TAG_TABLE;

export interface SourceLine {
  file: string;
  line: number;
  column: number;
  /** Address of the line-table row found. */
  address: number;
  /** The unit's DW_AT_comp_dir, against which a relative `file` is resolved. */
  compDir: string | undefined;
}

export interface FunctionInfo {
  name: string;
  low: number;
  high: number;
  /** True for an inlined instance (DW_TAG_inlined_subroutine). */
  inlined: boolean;
  /** For inlined instances: the call site in the enclosing function. */
  callFile?: string;
  callLine?: number;
  /** The DIE (absent for a function known only from the ELF symbol table). */
  die?: Die;
}

export class Symbols {
  readonly info: DebugInfo;
  readonly frames: FrameTable;
  readonly types: TypeBuilder;
  private readonly scopes: Scopes;
  private readonly breakpoints: Breakpoints;
  /** Unit address ranges, sorted by start. */
  private readonly unitRanges: { range: Range; unit: Unit }[] = [];
  private readonly lineTables = new Map<number, LineTable | DwarfError>();
  private readonly compDirs = new Map<number, string | undefined>();
  private readonly functionIndex = new Map<number, { die: Die; ranges: Range[] }[]>();
  /** Problems found while loading (a bad unit, a bad frame section). */
  readonly loadErrors: DwarfError[] = [];

  constructor(readonly elf: ElfFile) {
    const s = sectionsFromElf(elf);
    this.info = new DebugInfo(s);
    this.loadErrors.push(...this.info.errors);
    this.frames = new FrameTable(s.frame, s.ehFrame, s.ehFrameAddr);
    this.loadErrors.push(...this.frames.errors);
    this.types = new TypeBuilder(this.info);
    this.scopes = new Scopes(this);
    this.breakpoints = new Breakpoints(this);
    for (const unit of this.info.units) {
      if (unit.error) {
        this.loadErrors.push(unit.error);
        continue;
      }
      try {
        for (const range of dieRanges(this.info, unit.root!)) this.unitRanges.push({ range, unit });
      } catch (e) {
        this.loadErrors.push(asDwarfError(e));
      }
    }
    this.unitRanges.sort((a, b) => a.range.low - b.range.low);
  }

  get units(): readonly Unit[] {
    return this.info.units;
  }

  /** The compilation unit whose ranges contain `pc`. */
  unitAt(pc: number): Unit | undefined {
    let lo = 0;
    let hi = this.unitRanges.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.unitRanges[mid]!.range.low <= pc) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Ranges may overlap or nest; look back a little for one that contains pc.
    for (let i = best; i >= 0 && i > best - 64; i--) {
      const e = this.unitRanges[i]!;
      if (pc >= e.range.low && pc < e.range.high) return e.unit;
    }
    return undefined;
  }

  /** The line table of a unit (parsed once); throws DwarfError if it is malformed. */
  lineTable(unit: Unit): LineTable | undefined {
    const cached = this.lineTables.get(unit.index);
    if (cached instanceof DwarfError) throw cached;
    if (cached) return cached;
    const root = unit.root;
    if (!root) return undefined;
    const off = this.info.number(root, AT.stmt_list);
    if (off === undefined) return undefined;
    try {
      const t = parseLineTable(this.info.s.line, off, this.info.s, this.info.string(root, AT.name));
      this.lineTables.set(unit.index, t);
      return t;
    } catch (e) {
      const err = asDwarfError(e);
      this.lineTables.set(unit.index, err);
      throw err;
    }
  }

  private compDir(unit: Unit): string | undefined {
    if (!this.compDirs.has(unit.index))
      this.compDirs.set(unit.index, unit.root ? this.info.string(unit.root, AT.comp_dir) : undefined);
    return this.compDirs.get(unit.index);
  }

  /** The source line of `pc`, or undefined if no line table covers it. */
  lineAt(pc: number): SourceLine | undefined {
    const unit = this.unitAt(pc);
    const candidates = unit ? [unit] : this.info.units.filter((u) => !u.error);
    for (const u of candidates) {
      const table = this.lineTable(u);
      if (!table) continue;
      for (const seq of table.sequences) {
        if (pc < seq.low || pc >= seq.high) continue;
        const i = rowIndexAt(seq, pc);
        if (i < 0) continue;
        const row = pickRow(seq.rows, i, table.files);
        if (!row || row.line === 0) return undefined;
        return {
          file: table.files[row.file] ?? '??',
          line: row.line,
          column: row.column,
          address: row.address,
          compDir: this.compDir(u),
        };
      }
    }
    return undefined;
  }

  /**
   * Where a breakpoint on `file`:`line` goes: the first line at or after `line` with
   * code, one address per block, past the prologue at a function's entry (as gdb does).
   * `file` matches a recorded path by whole trailing components, so "vm.c",
   * "kernel/vm.c" and "/home/me/xv6/kernel/vm.c" all find "kernel/vm.c".
   */
  resolveLine(file: string, line: number): LineResolution | undefined {
    return this.breakpoints.resolveLine(file, line);
  }

  /**
   * The DIEs of the scopes containing `pc`, outermost first: the subprogram, then nested
   * lexical blocks and inlined subroutines.
   */
  scopeChainAt(pc: number): Die[] {
    const chain: Die[] = [];
    for (let scope = this.subprogramAt(pc); scope;) {
      chain.push(scope);
      let next: Die | undefined;
      for (const c of scope.children) {
        if (
          (c.tag === TAG.lexical_block || c.tag === TAG.inlined_subroutine) &&
          inRanges(dieRanges(this.info, c), pc)
        ) {
          next = c;
          break;
        }
      }
      scope = next;
    }
    return chain;
  }

  /** Subprogram DIEs of a unit with their ranges (built on first use). */
  private functions(unit: Unit): { die: Die; ranges: Range[] }[] {
    let list = this.functionIndex.get(unit.index);
    if (list) return list;
    const root = this.info.parseUnit(unit);
    list = [];
    const visit = (d: Die): void => {
      for (const c of d.children) {
        if (c.tag === TAG.subprogram) {
          const ranges = dieRanges(this.info, c);
          if (ranges.length > 0) list.push({ die: c, ranges });
        }
        if (c.tag === TAG.subprogram || c.tag === TAG.lexical_block || c.tag === 0x39 /* namespace */)
          visit(c);
      }
    };
    visit(root);
    this.functionIndex.set(unit.index, list);
    return list;
  }

  /** The subprogram DIE containing `pc`. */
  subprogramAt(pc: number): Die | undefined {
    const unit = this.unitAt(pc);
    if (!unit) return undefined;
    let best: { die: Die; size: number } | undefined;
    for (const f of this.functions(unit)) {
      for (const r of f.ranges) {
        if (pc >= r.low && pc < r.high && (!best || r.high - r.low < best.size))
          best = { die: f.die, size: r.high - r.low };
      }
    }
    return best?.die;
  }

  /**
   * The function containing `pc`. With `inlined`, the innermost inlined instance
   * (whose `callFile`/`callLine` say where it was inlined) rather than the subprogram.
   */
  functionAt(pc: number, opts: { inlined?: boolean } = {}): FunctionInfo | undefined {
    const chain = this.inlineChainAt(pc);
    return opts.inlined ? chain[chain.length - 1] : chain[0];
  }

  /** The subprogram containing `pc` followed by the inlined instances nested at pc, outermost first. */
  inlineChainAt(pc: number): FunctionInfo[] {
    const sub = this.subprogramAt(pc);
    if (!sub) {
      const sym = this.elf.symbolAt(pc);
      return sym ? [{ name: sym.name, low: sym.value, high: sym.value + sym.size, inlined: false }] : [];
    }
    const out: FunctionInfo[] = [this.describe(sub, pc, false)];
    let scope: Die | undefined = sub;
    while (scope) {
      let next: Die | undefined;
      for (const c of scope.children) {
        if (c.tag !== TAG.inlined_subroutine && c.tag !== TAG.lexical_block) continue;
        if (!inRanges(dieRanges(this.info, c), pc)) continue;
        if (c.tag === TAG.inlined_subroutine) out.push(this.describe(c, pc, true));
        next = c;
        break;
      }
      scope = next;
    }
    return out;
  }

  private describe(die: Die, pc: number, inlined: boolean): FunctionInfo {
    const ranges = dieRanges(this.info, die);
    const r = ranges.find((x) => pc >= x.low && pc < x.high) ?? ranges[0] ?? { low: 0, high: 0 };
    const f: FunctionInfo = { name: this.info.nameOf(die) ?? '??', low: r.low, high: r.high, inlined, die };
    if (inlined) {
      const table = this.lineTable(die.unit);
      const file = this.info.number(die, AT.call_file);
      if (table && file !== undefined) f.callFile = table.files[file];
      f.callLine = this.info.number(die, AT.call_line);
    }
    return f;
  }

  /**
   * A function by name: its range and the address where a breakpoint on it goes (the
   * second line-table row of the function, after the prologue, as gdb places it).
   */
  functionByName(
    name: string,
  ): { name: string; low: number; high: number; entry: number; line: SourceLine | undefined } | undefined {
    const sym = this.elf.symbol(name);
    let die: Die | undefined;
    if (sym && sym.type === 2) die = this.subprogramAt(sym.value);
    if (!die || this.info.nameOf(die) !== name) {
      die = undefined;
      for (const unit of this.info.units) {
        if (unit.error) continue;
        try {
          die = this.functions(unit).find((f) => this.info.nameOf(f.die) === name)?.die;
        } catch {
          continue;
        }
        if (die) break;
      }
    }
    if (!die) {
      if (!sym || sym.type !== 2) return undefined;
      return {
        name,
        low: sym.value,
        high: sym.value + sym.size,
        entry: sym.value,
        line: this.lineAt(sym.value),
      };
    }
    const ranges = dieRanges(this.info, die);
    const low = Math.min(...ranges.map((r) => r.low));
    const high = Math.max(...ranges.map((r) => r.high));
    const entry = this.breakpoints.afterPrologue(die.unit, low, high);
    return { name, low, high, entry, line: this.lineAt(entry) };
  }

  /** The CFI row in effect at `pc`. */
  cfiAt(pc: number): { row: CfiRow; raReg: number } | undefined {
    return this.frames.rowAt(pc);
  }

  /** The canonical frame address of the frame at `pc` (undefined without CFI). */
  cfa(pc: number, regs: readonly (bigint | undefined)[], readMemory: ReadMemory): bigint | undefined {
    const found = this.frames.rowAt(pc);
    return found ? cfaOf(found.row, regs, readMemory) : undefined;
  }

  /**
   * The caller of the frame at `pc` with registers `regs` (DWARF numbering: x0-x31 are
   * 0-31): from CFI when the pc has an FDE, else from the frame-pointer chain.
   */
  unwind(
    pc: number,
    regs: readonly (bigint | undefined)[],
    readMemory: ReadMemory,
  ): UnwindResult | undefined {
    const found = this.frames.rowAt(pc);
    if (found) return unwindCfi(found.row, found.raReg, regs, readMemory);
    return unwindFramePointer(regs, readMemory);
  }

  /**
   * Parameters, locals, and the unit's and program's globals visible at `pc`. Where
   * functions are inlined at pc, `inlineDepth` picks the instance (0 = innermost).
   */
  scopeAt(pc: number, inlineDepth = 0): Scope {
    return this.scopes.at(pc, inlineDepth);
  }

  /** Where variable `v` lives at `pc` in the frame `access` reads. */
  locate(v: Variable, pc: number, access: FrameAccess): Location {
    return this.scopes.locate(v, pc, access);
  }

  /** The bytes of `v` at `pc`, or why it is optimized out. */
  readVariable(
    v: Variable,
    pc: number,
    access: FrameAccess,
  ): { bytes: Uint8Array } | { optimizedOut: string } {
    return this.scopes.read(v, pc, access);
  }

  /** A named type (struct/union/enum tags as "struct node", typedefs, base types). */
  typeByName(name: string): Type | undefined {
    return this.scopes.typeByName(name);
  }
}

/**
 * The row that gives the line at a pc, chosen as gdb does: the last row gdb keeps at or
 * before the pc; if it is not a statement, an is_stmt row of the same file at the same
 * address before it. One exception to gdb: where an inlined function ends, gcc -O emits
 * the helper's last line as a statement and then the caller's line as a non-statement at
 * the same address (`riscv.h:130` stmt, `trap.c:51` at the pc after `r_sepc`'s range).
 * gdb drops that last row (a file change at the same address that is not a statement)
 * and names the caller's instruction by the helper's line; the last row at an address
 * is the one that describes its instruction, so it is taken here.
 */
function pickRow(rows: LineRow[], i: number, files: readonly (string | undefined)[]): LineRow | undefined {
  const last = rows[i];
  while (i >= 0 && rows[i]!.hidden) i--;
  if (i < 0) return undefined;
  let row = rows[i]!;
  if (
    last &&
    last !== row &&
    last.line !== 0 &&
    last.address === row.address &&
    files[last.file] !== files[row.file]
  )
    return last;
  if (!row.isStmt) {
    for (let j = i - 1; j >= 0 && rows[j]!.address === row.address; j--) {
      const prev = rows[j]!;
      if (prev.hidden) continue;
      if (prev.line === 0 || files[prev.file] !== files[row.file]) break;
      if (prev.isStmt) {
        row = prev;
        break;
      }
    }
  }
  return row;
}

export { pathMatches } from './breakpoints';

export { DwarfError };
export type { LineLocation, LineResolution } from './breakpoints';

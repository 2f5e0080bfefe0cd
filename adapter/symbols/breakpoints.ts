/**
 * Where breakpoints go, placed the way gdb 13 places them so a student sees the same
 * stops in VS Code as in a gdb session. A function breakpoint goes after the prologue:
 * at the first row marked prologue_end (clang), at the entry itself in units GCC
 * optimized (gdb trusts their variable locations from the first instruction), else at
 * the function's second line-table row. A FILE:LINE breakpoint goes on the first line
 * at or after LINE with is_stmt code, one location per lexical block, and a location at
 * a function's entry moves past its prologue.
 */
import { AT as AT_TABLE, TAG as TAG_TABLE } from './constants';
import type { Die, Unit } from './info';
import type { LineTable } from './line';
import { isExprForm } from './loc';
import { dieRanges } from './ranges';
import type { Symbols } from './symbols';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const AT = AT_TABLE;
const TAG = TAG_TABLE;

export interface LineLocation {
  address: number;
  /** The line the location is on (past a prologue, it can differ from the one asked). */
  line: number;
  /** The function (or inlined function) the location is in. */
  function: string | undefined;
}

export interface LineResolution {
  file: string;
  /** The line with code that was found: `line` itself or the next one with code. */
  line: number;
  /** Breakpoint addresses: one per lexical block, past the prologue at a function's entry. */
  addresses: number[];
  locations: LineLocation[];
  /** Every is_stmt address of the line, before gdb's one-per-block choice. */
  stmtAddresses: number[];
}

/** Does the file recorded as `recorded` answer to `query` (whole trailing path components)? */
export function pathMatches(recorded: string, query: string): boolean {
  const a = recorded.replace(/\\/g, '/');
  const b = query.replace(/\\/g, '/').replace(/^\.\//, '');
  if (a === b) return true;
  return a.endsWith('/' + b) || b.endsWith('/' + a);
}

export class Breakpoints {
  private readonly optimizedUnits = new Map<number, boolean>();

  constructor(private readonly syms: Symbols) {}

  /**
   * Was the unit optimized by GCC (its variables have location lists)? gdb trusts such
   * units' locations from a function's first instruction and puts breakpoints there.
   */
  private optimizedByGcc(unit: Unit): boolean {
    const cached = this.optimizedUnits.get(unit.index);
    if (cached !== undefined) return cached;
    const info = this.syms.info;
    const root = info.parseUnit(unit);
    let found = false;
    const visit = (d: Die): void => {
      for (const c of d.children) {
        if (found) return;
        const loc = (c.tag === TAG.variable || c.tag === TAG.formal_parameter) && c.attr(AT.location);
        if (loc && !isExprForm(loc.form)) found = true;
        visit(c);
      }
    };
    if (info.string(root, AT.producer)?.startsWith('GNU ')) visit(root);
    this.optimizedUnits.set(unit.index, found);
    return found;
  }

  /** The breakpoint address of the function [low, high) of `unit`. */
  afterPrologue(unit: Unit, low: number, high: number): number {
    const table = this.syms.lineTable(unit);
    if (!table) return low;
    for (const seq of table.sequences) {
      if (low < seq.low || low >= seq.high) continue;
      const rows = seq.rows.filter((r) => r.address >= low && r.address < high && r.line !== 0);
      const marked = rows.find((r) => r.prologueEnd);
      if (marked) return marked.address;
      if (this.optimizedByGcc(unit)) return low;
      return rows[1]?.address ?? low;
    }
    return low;
  }

  resolveLine(file: string, line: number): LineResolution | undefined {
    const syms = this.syms;
    // Every is_stmt row at or after `line` in a matching file, per unit.
    const candidates: { unit: Unit; table: LineTable; address: number; line: number }[] = [];
    for (const unit of syms.units) {
      if (unit.error) continue;
      let table: LineTable | undefined;
      try {
        table = syms.lineTable(unit);
      } catch {
        continue;
      }
      if (!table) continue;
      const matching = new Set<number>();
      table.files.forEach((f, i) => {
        if (f !== undefined && pathMatches(f, file)) matching.add(i);
      });
      if (matching.size === 0) continue;
      for (const seq of table.sequences) {
        for (const row of seq.rows) {
          if (row.isStmt && !row.hidden && row.line >= line && matching.has(row.file))
            candidates.push({ unit, table, address: row.address, line: row.line });
        }
      }
    }
    if (candidates.length === 0) return undefined;
    const best = Math.min(...candidates.map((c) => c.line));
    const chosen = candidates.filter((c) => c.line === best);
    const first = chosen[0]!;
    const result: LineResolution = {
      file: firstFile(first.table, file),
      line: best,
      addresses: [],
      locations: [],
      stmtAddresses: [...new Set(chosen.map((c) => c.address))].sort((a, b) => a - b),
    };
    // One location per innermost block (gdb drops later rows of a block it already has).
    const seenBlocks = new Set<number>();
    const seenAddresses = new Set<number>();
    for (const c of chosen) {
      const chain = syms.scopeChainAt(c.address);
      const block = chain[chain.length - 1];
      if (block) {
        if (seenBlocks.has(block.offset)) continue;
        seenBlocks.add(block.offset);
      }
      let address = c.address;
      let at = c.line;
      // At a function's first instruction, step past its prologue.
      const fn = chain[0];
      if (fn && chain.length === 1) {
        const ranges = dieRanges(syms.info, fn);
        const low = Math.min(...ranges.map((r) => r.low));
        if (low === address) {
          address = this.afterPrologue(c.unit, low, Math.max(...ranges.map((r) => r.high)));
          if (address !== c.address) at = syms.lineAt(address)?.line ?? at;
        }
      }
      if (seenAddresses.has(address)) continue;
      seenAddresses.add(address);
      const inner = [...chain].reverse().find((d) => d.tag !== TAG.lexical_block);
      result.locations.push({ address, line: at, function: inner ? syms.info.nameOf(inner) : undefined });
    }
    result.locations.sort((a, b) => a.address - b.address);
    result.addresses = result.locations.map((l) => l.address);
    return result;
  }
}

function firstFile(table: LineTable, query: string): string {
  return table.files.find((f) => f !== undefined && pathMatches(f, query)) ?? query;
}

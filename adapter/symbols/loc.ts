/**
 * Location lists: where a variable lives as a function of pc. DWARF 2-4 keep them in
 * .debug_loc (address pairs relative to the unit's base address, then a 2-byte length
 * and an expression; DWARF 4 section 2.6.2); DWARF 5 in .debug_loclists as DW_LLE_*
 * entries (section 2.6.2, 7.7.3), reached through the unit's offset table for
 * DW_FORM_loclistx. `locationExpr` picks the expression that applies at a pc.
 */
import { FORM as FORM_TABLE, LLE as LLE_TABLE } from './constants';
import { DebugInfo, type Attr, type Unit } from './info';
import { listOffset } from './ranges';
import { DwarfError, Reader } from './reader';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const FORM = FORM_TABLE;
const LLE = LLE_TABLE;

const MAX_ENTRIES = 1 << 20;

export interface LocEntry {
  low: number;
  high: number;
  expr: Uint8Array;
}

/** Is this DW_AT_location value a single expression (as opposed to a list)? */
export function isExprForm(form: number): boolean {
  return (
    form === FORM.exprloc ||
    form === FORM.block1 ||
    form === FORM.block2 ||
    form === FORM.block4 ||
    form === FORM.block
  );
}

/**
 * The expression of a location attribute valid at `pc`: the attribute itself if it is
 * an expression, else the matching location list entry; undefined when the variable
 * has no location at `pc` (optimized out there).
 */
export function locationExpr(info: DebugInfo, unit: Unit, attr: Attr, pc: number): Uint8Array | undefined {
  if (attr.value instanceof Uint8Array) return attr.value;
  const entries = locationList(info, unit, attr);
  for (const e of entries) if (pc >= e.low && pc < e.high) return e.expr;
  return undefined;
}

/** All entries of a location list attribute (DW_FORM_sec_offset, loclistx, or data4/8 before DWARF 4). */
export function locationList(info: DebugInfo, unit: Unit, attr: Attr): LocEntry[] {
  let off = Number(attr.value);
  if (unit.version >= 5) {
    if (attr.form === FORM.loclistx)
      off = listOffset(info.s.loclists, unit, unit.loclistsBase, off, '.debug_loclists');
    return readLoclist(info, unit, off);
  }
  return readLoc(info.s.loc, off, unit.addrSize, unit.lowPc);
}

function readLoc(section: Uint8Array, offset: number, addrSize: number, base: number): LocEntry[] {
  const r = new Reader(section, 0, '.debug_loc');
  r.seek(offset);
  const out: LocEntry[] = [];
  const maxAddr = addrSize === 8 ? 2 ** 64 - 1 : 2 ** (8 * addrSize) - 1;
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const a = r.addr(addrSize);
    const b = r.addr(addrSize);
    if (a === 0 && b === 0) return out;
    if (a >= maxAddr) {
      base = b;
      continue;
    }
    const expr = r.bytes(r.u16());
    out.push({ low: base + a, high: base + b, expr });
  }
  throw new DwarfError('.debug_loc: list does not end');
}

function readLoclist(info: DebugInfo, unit: Unit, offset: number): LocEntry[] {
  const r = new Reader(info.s.loclists, 0, '.debug_loclists');
  r.seek(offset);
  const out: LocEntry[] = [];
  let base = unit.lowPc;
  const addrx = (): number => info.indexedAddress(unit, r.uleb());
  const push = (low: number, high: number): void => {
    out.push({ low, high, expr: r.bytes(r.uleb()) });
  };
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const kind = r.u8();
    switch (kind) {
      case LLE.end_of_list:
        return out;
      case LLE.base_addressx:
        base = addrx();
        break;
      case LLE.startx_endx: {
        const a = addrx();
        push(a, addrx());
        break;
      }
      case LLE.startx_length: {
        const a = addrx();
        push(a, a + r.uleb());
        break;
      }
      case LLE.offset_pair: {
        const a = r.uleb();
        push(base + a, base + r.uleb());
        break;
      }
      case LLE.default_location:
        push(0, Number.MAX_SAFE_INTEGER);
        break;
      case LLE.base_address:
        base = r.addr(unit.addrSize);
        break;
      case LLE.start_end: {
        const a = r.addr(unit.addrSize);
        push(a, r.addr(unit.addrSize));
        break;
      }
      case LLE.start_length: {
        const a = r.addr(unit.addrSize);
        push(a, a + r.uleb());
        break;
      }
      default:
        throw new DwarfError(`.debug_loclists: unknown entry kind ${kind} at 0x${(r.pos - 1).toString(16)}`);
    }
  }
  throw new DwarfError('.debug_loclists: list does not end');
}

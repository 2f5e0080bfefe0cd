/**
 * Address ranges of DIEs: DW_AT_low_pc/high_pc (DWARF 5 section 2.17.2, where a
 * high_pc of constant class is a length) and DW_AT_ranges, which points into
 * .debug_ranges (DWARF 2-4: address pairs with base-address selection entries) or
 * .debug_rnglists (DWARF 5 section 2.17.3: DW_RLE_* entries, optionally via the unit's
 * offset table when the form is DW_FORM_rnglistx).
 */
import { AT as AT_TABLE, FORM as FORM_TABLE, RLE as RLE_TABLE } from './constants';
import { DebugInfo, type Die, type Unit } from './info';
import { DwarfError, Reader } from './reader';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const AT = AT_TABLE;
const FORM = FORM_TABLE;
const RLE = RLE_TABLE;

/** A half-open address range [low, high). */
export interface Range {
  low: number;
  high: number;
}

const MAX_ENTRIES = 1 << 20;

/** The address ranges a DIE covers; empty if it has none. */
export function dieRanges(info: DebugInfo, die: Die): Range[] {
  const unit = die.unit;
  const low = die.attr(AT.low_pc);
  const high = die.attr(AT.high_pc);
  if (low && high) {
    const lo = info.address(unit, low);
    const isAddr =
      high.form === FORM.addr ||
      high.form === FORM.addrx ||
      (high.form >= FORM.addrx1 && high.form <= FORM.addrx4);
    const hi = isAddr ? info.address(unit, high) : lo + (Number(high.value) || 0);
    return hi > lo ? [{ low: lo, high: hi }] : [];
  }
  const ranges = die.attr(AT.ranges);
  if (ranges) {
    // The base for a unit's own DW_AT_ranges is 0 unless it also has a low_pc.
    const base = die === unit.root ? (low ? info.address(unit, low) : 0) : unit.lowPc;
    if (unit.version >= 5) {
      let off = Number(ranges.value);
      if (ranges.form === FORM.rnglistx)
        off = listOffset(info.s.rnglists, unit, unit.rnglistsBase, off, '.debug_rnglists');
      return readRnglist(info, unit, off, base);
    }
    return readRanges(info.s.ranges, Number(ranges.value), unit.addrSize, base);
  }
  if (low && die.tag !== 0x11) {
    const lo = info.address(unit, low);
    return [{ low: lo, high: lo + 1 }];
  }
  return [];
}

/** Entry `index` of the offset table at `base` of a DWARF 5 list section (7.28, 7.29). */
export function listOffset(
  section: Uint8Array,
  unit: Unit,
  base: number,
  index: number,
  label: string,
): number {
  const r = new Reader(section, 0, label);
  const size = unit.is64 ? 8 : 4;
  r.seek(base + index * size);
  return base + r.offset(unit.is64);
}

/** DWARF 2-4 .debug_ranges list at `offset`. */
export function readRanges(section: Uint8Array, offset: number, addrSize: number, base: number): Range[] {
  const r = new Reader(section, 0, '.debug_ranges');
  r.seek(offset);
  const out: Range[] = [];
  const maxAddr = addrSize === 8 ? 2 ** 64 - 1 : 2 ** (8 * addrSize) - 1;
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const a = r.addr(addrSize);
    const b = r.addr(addrSize);
    if (a === 0 && b === 0) return out;
    if (a >= maxAddr) {
      base = b; // base address selection entry
      continue;
    }
    if (b > a) out.push({ low: base + a, high: base + b });
  }
  throw new DwarfError('.debug_ranges: list does not end');
}

/** DWARF 5 .debug_rnglists list at `offset` (section 2.17.3). */
export function readRnglist(info: DebugInfo, unit: Unit, offset: number, base: number): Range[] {
  const r = new Reader(info.s.rnglists, 0, '.debug_rnglists');
  r.seek(offset);
  const out: Range[] = [];
  const push = (lo: number, hi: number): void => {
    if (hi > lo) out.push({ low: lo, high: hi });
  };
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const kind = r.u8();
    switch (kind) {
      case RLE.end_of_list:
        return out;
      case RLE.base_addressx:
        base = info.indexedAddress(unit, r.uleb());
        break;
      case RLE.startx_endx: {
        const a = info.indexedAddress(unit, r.uleb());
        push(a, info.indexedAddress(unit, r.uleb()));
        break;
      }
      case RLE.startx_length: {
        const a = info.indexedAddress(unit, r.uleb());
        push(a, a + r.uleb());
        break;
      }
      case RLE.offset_pair: {
        const a = r.uleb();
        push(base + a, base + r.uleb());
        break;
      }
      case RLE.base_address:
        base = r.addr(unit.addrSize);
        break;
      case RLE.start_end: {
        const a = r.addr(unit.addrSize);
        push(a, r.addr(unit.addrSize));
        break;
      }
      case RLE.start_length: {
        const a = r.addr(unit.addrSize);
        push(a, a + r.uleb());
        break;
      }
      default:
        throw new DwarfError(`.debug_rnglists: unknown entry kind ${kind} at 0x${(r.pos - 1).toString(16)}`);
    }
  }
  throw new DwarfError('.debug_rnglists: list does not end');
}

export function inRanges(ranges: readonly Range[], pc: number): boolean {
  for (const r of ranges) if (pc >= r.low && pc < r.high) return true;
  return false;
}

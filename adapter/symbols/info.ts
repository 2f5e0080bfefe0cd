/**
 * The DIE tree of .debug_info (DWARF 5 sections 7.5.1 unit headers, 7.5.3 DIEs, 7.5.6
 * attribute forms), read lazily: loading scans only the unit headers and each unit's
 * first DIE (name, address ranges, line table offset, the *_base attributes DWARF 5
 * indexes hang off). A unit's full tree is parsed the first time something asks for it.
 * A malformed unit raises DwarfError from that unit alone; the others keep working.
 */
import { parseAbbrevTable, type AbbrevTable } from './abbrev';
import { AT as AT_TABLE, FORM as FORM_TABLE, UT as UT_TABLE } from './constants';
import { DwarfError, Reader, stringAt } from './reader';
import type { DwarfSections } from './sections';

// Local aliases: a module-level object reads faster than an imported binding, which
// CommonJS transpilers turn into a getter call on every use.
const AT = AT_TABLE;
const FORM = FORM_TABLE;
const UT = UT_TABLE;

/**
 * An attribute value as stored: numbers for constants, flags, section offsets and
 * (already made absolute) references; bigint for 8-byte data; strings for inline
 * strings; bytes for blocks and expressions. Indexed and offset strings/addresses
 * (strx, strp, addrx...) stay as their index/offset until asked for.
 */
export type AttrValue = number | bigint | string | Uint8Array;

export interface Attr {
  at: number;
  form: number;
  value: AttrValue;
}

export class Die {
  readonly children: Die[] = [];
  constructor(
    readonly offset: number,
    readonly tag: number,
    readonly attrs: Attr[],
    readonly parent: Die | undefined,
    readonly unit: Unit,
  ) {}

  attr(at: number): Attr | undefined {
    for (const a of this.attrs) if (a.at === at) return a;
    return undefined;
  }
  has(at: number): boolean {
    return this.attr(at) !== undefined;
  }
}

export interface Unit {
  index: number;
  offset: number;
  /** Offset one past the unit's last byte. */
  end: number;
  version: number;
  is64: boolean;
  addrSize: number;
  unitType: number;
  abbrevOffset: number;
  /** Offset of the unit's first DIE. */
  dieOffset: number;
  root: Die | undefined;
  /** Full tree parsed? */
  parsed: boolean;
  /** Parse error of this unit, if any (the unit is then skipped). */
  error: DwarfError | undefined;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  loclistsBase: number;
  /** Low pc of the unit: the base address of its range and location lists. */
  lowPc: number;
}

const REF_FORMS: ReadonlySet<number> = new Set([
  FORM.ref1,
  FORM.ref2,
  FORM.ref4,
  FORM.ref8,
  FORM.ref_udata,
  FORM.ref_addr,
]);

export function isRefForm(form: number): boolean {
  return REF_FORMS.has(form);
}

export class DebugInfo {
  readonly units: Unit[] = [];
  private readonly abbrevCache = new Map<number, AbbrevTable>();
  private readonly dies = new Map<number, Die>();
  /** Errors met while scanning unit headers (the units after them are unreachable). */
  readonly errors: DwarfError[] = [];

  constructor(readonly s: DwarfSections) {
    this.scanUnits();
  }

  private scanUnits(): void {
    const r = new Reader(this.s.info, 0, '.debug_info');
    while (r.pos + 4 <= r.length) {
      const offset = r.pos;
      try {
        const { length, is64 } = r.initialLength();
        const end = r.pos + length;
        if (end > r.length)
          throw new DwarfError(`.debug_info: unit at 0x${offset.toString(16)} is truncated`);
        const version = r.u16();
        if (version < 2 || version > 5)
          throw new DwarfError(
            `.debug_info: unit at 0x${offset.toString(16)} has unsupported DWARF version ${version}`,
          );
        let unitType: number = UT.compile;
        let addrSize: number;
        let abbrevOffset: number;
        if (version >= 5) {
          unitType = r.u8();
          addrSize = r.u8();
          abbrevOffset = r.offset(is64);
          if (unitType === UT.skeleton || unitType === UT.split_compile) r.skip(8);
          else if (unitType === UT.type || unitType === UT.split_type) {
            r.skip(8);
            r.offset(is64);
          }
        } else {
          abbrevOffset = r.offset(is64);
          addrSize = r.u8();
        }
        const unit: Unit = {
          index: this.units.length,
          offset,
          end,
          version,
          is64,
          addrSize,
          unitType,
          abbrevOffset,
          dieOffset: r.pos,
          root: undefined,
          parsed: false,
          error: undefined,
          strOffsetsBase: is64 ? 16 : 8,
          addrBase: 8,
          rnglistsBase: 0,
          loclistsBase: 0,
          lowPc: 0,
        };
        this.units.push(unit);
        try {
          this.readRoot(unit);
        } catch (e) {
          unit.error = asDwarfError(e);
        }
        r.seek(end);
      } catch (e) {
        this.errors.push(asDwarfError(e));
        return;
      }
    }
  }

  private abbrevs(unit: Unit): AbbrevTable {
    let t = this.abbrevCache.get(unit.abbrevOffset);
    if (!t) {
      t = parseAbbrevTable(this.s.abbrev, unit.abbrevOffset);
      this.abbrevCache.set(unit.abbrevOffset, t);
    }
    return t;
  }

  private readRoot(unit: Unit): void {
    const r = new Reader(this.s.info.subarray(0, unit.end), unit.dieOffset, '.debug_info');
    const root = this.readDie(r, unit, this.abbrevs(unit), undefined);
    if (!root) throw new DwarfError(`.debug_info: unit at 0x${unit.offset.toString(16)} has no DIEs`);
    unit.root = root.die;
    const num = (at: number): number | undefined => {
      const a = root.die.attr(at);
      return a && typeof a.value === 'number' ? a.value : undefined;
    };
    unit.strOffsetsBase = num(AT.str_offsets_base) ?? unit.strOffsetsBase;
    unit.addrBase = num(AT.addr_base) ?? unit.addrBase;
    unit.rnglistsBase = num(AT.rnglists_base) ?? 0;
    unit.loclistsBase = num(AT.loclists_base) ?? 0;
    const low = root.die.attr(AT.low_pc);
    unit.lowPc = low ? this.address(unit, low) : 0;
  }

  /** Parse the whole DIE tree of a unit (once). Throws DwarfError if it is malformed. */
  parseUnit(unit: Unit): Die {
    if (unit.error) throw unit.error;
    const root = unit.root;
    if (!root) throw new DwarfError(`.debug_info: unit at 0x${unit.offset.toString(16)} has no DIEs`);
    if (unit.parsed) return root;
    const r = new Reader(this.s.info.subarray(0, unit.end), unit.dieOffset, '.debug_info');
    const table = this.abbrevs(unit);
    const added: Die[] = [];
    try {
      const first = this.readDie(r, unit, table, undefined);
      if (!first) throw new DwarfError('.debug_info: empty unit');
      // Reuse the root already read so references to it stay the same object.
      const stack: Die[] = [];
      if (first.hasChildren) stack.push(root);
      this.dies.set(root.offset, root);
      while (stack.length > 0 && r.pos < unit.end) {
        const parent = stack[stack.length - 1]!;
        const next = this.readDie(r, unit, table, parent);
        if (!next) {
          stack.pop();
          continue;
        }
        parent.children.push(next.die);
        added.push(next.die);
        this.dies.set(next.die.offset, next.die);
        if (next.hasChildren) stack.push(next.die);
      }
    } catch (e) {
      for (const d of added) this.dies.delete(d.offset);
      root.children.length = 0;
      unit.error = asDwarfError(e);
      throw unit.error;
    }
    unit.parsed = true;
    return root;
  }

  /** The DIE at an absolute .debug_info offset (parsing its unit if needed). */
  dieAt(offset: number): Die | undefined {
    const known = this.dies.get(offset);
    if (known) return known;
    const unit = this.unitContaining(offset);
    if (!unit || unit.parsed) return undefined;
    this.parseUnit(unit);
    return this.dies.get(offset);
  }

  unitContaining(offset: number): Unit | undefined {
    let lo = 0;
    let hi = this.units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = this.units[mid]!;
      if (offset < u.offset) hi = mid - 1;
      else if (offset >= u.end) lo = mid + 1;
      else return u;
    }
    return undefined;
  }

  private readDie(
    r: Reader,
    unit: Unit,
    table: AbbrevTable,
    parent: Die | undefined,
  ): { die: Die; hasChildren: boolean } | undefined {
    const offset = r.pos;
    const code = r.uleb();
    if (code === 0) return undefined;
    const abbrev = table.get(code);
    if (!abbrev)
      throw new DwarfError(`.debug_info: unknown abbreviation code ${code} at 0x${offset.toString(16)}`);
    const attrs: Attr[] = [];
    for (const spec of abbrev.attrs) {
      let form = spec.form;
      if (form === FORM.indirect) form = r.uleb();
      const value = form === FORM.implicit_const ? spec.implicitConst : this.readForm(r, unit, form);
      attrs.push({ at: spec.at, form, value });
    }
    return { die: new Die(offset, abbrev.tag, attrs, parent, unit), hasChildren: abbrev.hasChildren };
  }

  /** Read one attribute value of the given form (DWARF 5 section 7.5.6). */
  private readForm(r: Reader, unit: Unit, form: number): AttrValue {
    switch (form) {
      case FORM.addr:
        return r.addr(unit.addrSize);
      case FORM.data1:
      case FORM.flag:
      case FORM.ref1:
      case FORM.strx1:
      case FORM.addrx1:
        return this.ref(unit, form, r.u8());
      case FORM.data2:
      case FORM.ref2:
      case FORM.strx2:
      case FORM.addrx2:
        return this.ref(unit, form, r.u16());
      case FORM.strx3:
      case FORM.addrx3:
        return r.u24();
      case FORM.data4:
      case FORM.ref4:
      case FORM.strx4:
      case FORM.addrx4:
      case FORM.ref_sup4:
        return this.ref(unit, form, r.u32());
      case FORM.data8:
        return r.u64big();
      case FORM.ref8:
      case FORM.ref_sup8:
        return this.ref(unit, form, r.u64());
      case FORM.ref_sig8:
        return r.u64big();
      case FORM.data16:
        return r.bytes(16);
      case FORM.sdata:
        return r.sleb();
      case FORM.udata:
      case FORM.strx:
      case FORM.addrx:
      case FORM.loclistx:
      case FORM.rnglistx:
      case FORM.GNU_addr_index:
      case FORM.GNU_str_index:
        return r.uleb();
      case FORM.ref_udata:
        return this.ref(unit, form, r.uleb());
      case FORM.string:
        return r.cstr();
      case FORM.strp:
      case FORM.line_strp:
      case FORM.sec_offset:
      case FORM.strp_sup:
      case FORM.GNU_strp_alt:
      case FORM.GNU_ref_alt:
        return r.offset(unit.is64);
      case FORM.ref_addr:
        // DWARF 2 sized it like an address; later versions like an offset (7.5.5).
        return unit.version <= 2 ? r.addr(unit.addrSize) : r.offset(unit.is64);
      case FORM.block1:
        return r.bytes(r.u8());
      case FORM.block2:
        return r.bytes(r.u16());
      case FORM.block4:
        return r.bytes(r.u32());
      case FORM.block:
      case FORM.exprloc:
        return r.bytes(r.uleb());
      case FORM.flag_present:
        return 1;
      default:
        throw new DwarfError(
          `.debug_info: unknown attribute form 0x${form.toString(16)} at 0x${r.pos.toString(16)}`,
        );
    }
  }

  /** Unit-relative references become absolute .debug_info offsets. */
  private ref(unit: Unit, form: number, v: number): number {
    return form === FORM.ref1 ||
      form === FORM.ref2 ||
      form === FORM.ref4 ||
      form === FORM.ref8 ||
      form === FORM.ref_udata
      ? unit.offset + v
      : v;
  }

  // ---- attribute resolution ----

  /** A string-valued attribute, resolving .debug_str, .debug_line_str and str_offsets. */
  string(die: Die, at: number): string | undefined {
    const a = die.attr(at);
    return a ? this.attrString(die.unit, a) : undefined;
  }

  attrString(unit: Unit, a: Attr): string | undefined {
    switch (a.form) {
      case FORM.string:
        return typeof a.value === 'string' ? a.value : undefined;
      case FORM.strp:
        return stringAt(this.s.str, a.value as number, '.debug_str');
      case FORM.line_strp:
        return stringAt(this.s.lineStr, a.value as number, '.debug_line_str');
      case FORM.strx:
      case FORM.strx1:
      case FORM.strx2:
      case FORM.strx3:
      case FORM.strx4:
      case FORM.GNU_str_index: {
        const size = unit.is64 ? 8 : 4;
        const r = new Reader(this.s.strOffsets, 0, '.debug_str_offsets');
        r.seek(unit.strOffsetsBase + (a.value as number) * size);
        return stringAt(this.s.str, r.offset(unit.is64), '.debug_str');
      }
      default:
        return undefined;
    }
  }

  /** An address-valued attribute (DW_FORM_addr or an index into .debug_addr). */
  address(unit: Unit, a: Attr): number {
    if (a.form === FORM.addr) return a.value as number;
    if (
      a.form === FORM.addrx ||
      a.form === FORM.addrx1 ||
      a.form === FORM.addrx2 ||
      a.form === FORM.addrx3 ||
      a.form === FORM.addrx4 ||
      a.form === FORM.GNU_addr_index
    ) {
      return this.indexedAddress(unit, a.value as number);
    }
    return numberOf(a.value) ?? 0;
  }

  indexedAddress(unit: Unit, index: number): number {
    const r = new Reader(this.s.addr, 0, '.debug_addr');
    r.seek(unit.addrBase + index * unit.addrSize);
    return r.addr(unit.addrSize);
  }

  /** A numeric attribute (constants, flags, offsets). */
  number(die: Die, at: number): number | undefined {
    const a = die.attr(at);
    return a ? numberOf(a.value) : undefined;
  }

  /** The DIE a reference attribute points to. */
  refDie(die: Die, at: number): Die | undefined {
    const a = die.attr(at);
    if (!a || !isRefForm(a.form) || typeof a.value !== 'number') return undefined;
    return this.dieAt(a.value);
  }

  /** A DIE's name, following abstract_origin and specification like gdb does. */
  nameOf(die: Die): string | undefined {
    for (let d: Die | undefined = die, hops = 0; d && hops < 8; hops++) {
      const n = this.string(d, AT.name);
      if (n !== undefined) return n;
      d = this.refDie(d, AT.abstract_origin) ?? this.refDie(d, AT.specification);
    }
    return undefined;
  }

  /** An attribute looked up on the DIE or, failing that, its abstract origin/specification. */
  inherited(die: Die, at: number): { die: Die; attr: Attr } | undefined {
    for (let d: Die | undefined = die, hops = 0; d && hops < 8; hops++) {
      const a = d.attr(at);
      if (a) return { die: d, attr: a };
      d = this.refDie(d, AT.abstract_origin) ?? this.refDie(d, AT.specification);
    }
    return undefined;
  }
}

export function numberOf(v: AttrValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

export function asDwarfError(e: unknown): DwarfError {
  if (e instanceof DwarfError) return e;
  if (e instanceof RangeError) return new DwarfError(`malformed debug information: ${e.message}`);
  throw e;
}

/**
 * Abbreviation tables (.debug_abbrev, DWARF 5 section 7.5.3): each DIE starts with an
 * abbreviation code naming its tag, whether it has children, and the (attribute, form)
 * list of its attribute values. Tables are parsed once per offset and shared by the
 * units that use them.
 */
import { FORM } from './constants';
import { DwarfError, Reader } from './reader';

export interface AbbrevAttr {
  at: number;
  form: number;
  /** The value of a DW_FORM_implicit_const attribute, stored in the table itself. */
  implicitConst: number;
}

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  attrs: AbbrevAttr[];
}

export type AbbrevTable = Map<number, Abbrev>;

export function parseAbbrevTable(section: Uint8Array, offset: number): AbbrevTable {
  const r = new Reader(section, 0, '.debug_abbrev');
  r.seek(offset);
  const table: AbbrevTable = new Map();
  for (;;) {
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const at = r.uleb();
      const form = r.uleb();
      if (at === 0 && form === 0) break;
      const implicitConst = form === FORM.implicit_const ? r.sleb() : 0;
      attrs.push({ at, form, implicitConst });
    }
    if (table.has(code))
      throw new DwarfError(`.debug_abbrev: duplicate abbreviation code ${code} at 0x${offset.toString(16)}`);
    table.set(code, { code, tag, hasChildren, attrs });
  }
  return table;
}

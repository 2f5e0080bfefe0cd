/**
 * A kernel ELF as a student's own build records it: with an absolute build folder as the
 * compilation directory (gcc without -ffile-prefix-map writes DW_AT_comp_dir = the folder
 * `make` ran in). The bundled kernel records `.` (its Makefile maps the prefix away), so
 * this rewrites a copy of it in place, without moving a byte: in every compile unit's
 * abbreviation (DWARF 5 section 7.5.3) the attribute names of DW_AT_producer (a .debug_str
 * offset) and DW_AT_comp_dir (a .debug_line_str offset) are swapped, and the producer
 * string in .debug_str is overwritten with the folder. The units assembled from .S files
 * keep `.`; they are not the ones the tests look at.
 */
import { parseElf } from '../../emulator/elf';

const TAG_COMPILE_UNIT = 0x11;
const AT_PRODUCER = 0x25;
const AT_COMP_DIR = 0x1b;
const FORM_STRP = 0x0e;
const FORM_LINE_STRP = 0x1f;
const FORM_IMPLICIT_CONST = 0x21;

function uleb(b: Uint8Array, pos: { at: number }): number {
  let v = 0;
  let shift = 0;
  for (;;) {
    const byte = b[pos.at++]!;
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) return v;
  }
}

/** A copy of `elf` whose C compile units record `buildDir` (absolute) as their comp_dir. */
export function withBuildFolder(elf: Uint8Array, buildDir: string): Uint8Array {
  const out = new Uint8Array(elf);
  const file = parseElf(out, 'kernel');
  const abbrev = file.section('.debug_abbrev')?.data;
  const str = file.section('.debug_str')?.data;
  if (!abbrev || !str) throw new Error('no .debug_abbrev or .debug_str');
  let swapped = 0;
  const pos = { at: 0 };
  while (pos.at < abbrev.length) {
    const code = uleb(abbrev, pos);
    if (code === 0) continue; // the end of one unit's table
    const tag = uleb(abbrev, pos);
    pos.at++; // DW_CHILDREN_*
    let producer = -1;
    let compDir = -1;
    for (;;) {
      const atPos = pos.at;
      const at = uleb(abbrev, pos);
      const form = uleb(abbrev, pos);
      if (form === FORM_IMPLICIT_CONST) while (abbrev[pos.at++]! & 0x80);
      if (at === 0 && form === 0) break;
      if (at === AT_PRODUCER && form === FORM_STRP) producer = atPos;
      if (at === AT_COMP_DIR && form === FORM_LINE_STRP) compDir = atPos;
    }
    if (tag === TAG_COMPILE_UNIT && producer >= 0 && compDir >= 0) {
      abbrev[producer] = AT_COMP_DIR;
      abbrev[compDir] = AT_PRODUCER;
      swapped++;
    }
  }
  if (swapped === 0) throw new Error('no compile unit with a producer and a comp_dir in .debug_line_str');
  // The C units' producer strings ("GNU C17 ..."): each becomes the folder, padded with NULs.
  const path = new TextEncoder().encode(buildDir);
  let written = 0;
  for (let i = 0; i < str.length;) {
    let end = i;
    while (end < str.length && str[end] !== 0) end++;
    const s = new TextDecoder().decode(str.subarray(i, end));
    if (s.startsWith('GNU C')) {
      if (path.length > end - i) throw new Error(`build folder longer than the producer string: ${buildDir}`);
      str.fill(0, i, end);
      str.set(path, i);
      written++;
    }
    i = end + 1;
  }
  if (written === 0) throw new Error('no "GNU C" producer string in .debug_str');
  return out;
}

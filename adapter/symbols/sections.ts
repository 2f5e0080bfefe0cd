/**
 * The debug sections the symbol reader reads, gathered from the ELF once. Absent
 * sections are empty, so every reader can treat "missing" like "no entries".
 */

import type { ElfFile } from '../../emulator/elf';

const EMPTY = new Uint8Array(0);

/** Raw bytes of every debug section the reader uses (absent sections are empty). */
export interface DwarfSections {
  info: Uint8Array;
  abbrev: Uint8Array;
  str: Uint8Array;
  lineStr: Uint8Array;
  strOffsets: Uint8Array;
  addr: Uint8Array;
  line: Uint8Array;
  ranges: Uint8Array;
  rnglists: Uint8Array;
  loc: Uint8Array;
  loclists: Uint8Array;
  frame: Uint8Array;
  ehFrame: Uint8Array;
  /** Load address of .eh_frame, for its pc-relative pointers. */
  ehFrameAddr: number;
}

export function emptySections(): DwarfSections {
  return {
    info: EMPTY,
    abbrev: EMPTY,
    str: EMPTY,
    lineStr: EMPTY,
    strOffsets: EMPTY,
    addr: EMPTY,
    line: EMPTY,
    ranges: EMPTY,
    rnglists: EMPTY,
    loc: EMPTY,
    loclists: EMPTY,
    frame: EMPTY,
    ehFrame: EMPTY,
    ehFrameAddr: 0,
  };
}

/** The debug sections of an ELF (.debug_* and .eh_frame). */
export function sectionsFromElf(elf: ElfFile): DwarfSections {
  const sec = (name: string): Uint8Array => elf.section(name)?.data ?? EMPTY;
  return {
    info: sec('.debug_info'),
    abbrev: sec('.debug_abbrev'),
    str: sec('.debug_str'),
    lineStr: sec('.debug_line_str'),
    strOffsets: sec('.debug_str_offsets'),
    addr: sec('.debug_addr'),
    line: sec('.debug_line'),
    ranges: sec('.debug_ranges'),
    rnglists: sec('.debug_rnglists'),
    loc: sec('.debug_loc'),
    loclists: sec('.debug_loclists'),
    frame: sec('.debug_frame'),
    ehFrame: sec('.eh_frame'),
    ehFrameAddr: elf.section('.eh_frame')?.addr ?? 0,
  };
}

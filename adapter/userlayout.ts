/**
 * What each page of a process's user address space is for, for the page-table view's
 * labels. xv6's exec lays a process out from 0: the program's loadable segments (text,
 * then data and bss), one guard page without PTE_U, the user stack (USERSTACK pages, 1 in
 * xv6), and above it the heap that sbrk grows up to `sz`. When the program's ELF is known
 * its PT_LOAD segments name text (executable, ELF p_flags PF_X) and data; without it
 * everything below the guard page is `text+data`. Without a guard page (not an xv6
 * layout) only the segments are named.
 */
import { PT_LOAD, type ElfFile } from '../emulator/elf';
import type { RangeLabel } from './protocol';

const PAGE = 4096;
/** ELF p_flags: executable segment. */
const PF_X = 1;
/** xv6's USERSTACK: pages of user stack above the guard page. */
export const USER_STACK_PAGES = 1;

export interface UserSegment {
  /** Page-aligned virtual range, half-open. */
  va: number;
  end: number;
  kind: 'text' | 'data';
}

/** The PT_LOAD segments of a user program, widened to whole pages. */
export function userSegments(elf: ElfFile): UserSegment[] {
  return elf.segments
    .filter((s) => s.type === PT_LOAD && s.memsz > 0)
    .map((s) => ({
      va: Math.floor(s.vaddr / PAGE) * PAGE,
      end: Math.ceil((s.vaddr + s.memsz) / PAGE) * PAGE,
      kind: s.flags & PF_X ? ('text' as const) : ('data' as const),
    }));
}

/** A leaf mapping of the user part of a table (below the trapframe). */
export interface UserPage {
  va: number;
  /** The PTE has PTE_U. */
  user: boolean;
}

/**
 * The label of each user page: `guard` is the highest page without PTE_U below the
 * highest user page; the stack is the USER_STACK_PAGES above it, the heap the rest above.
 */
export function userLayout(
  pages: readonly UserPage[],
  segments: readonly UserSegment[] = [],
): (va: number) => RangeLabel {
  const top = pages.reduce((m, p) => (p.user ? Math.max(m, p.va + PAGE) : m), 0);
  const guard = pages.reduce<number | undefined>(
    (g, p) => (!p.user && p.va < top && (g === undefined || p.va > g) ? p.va : g),
    undefined,
  );
  return (va) => {
    const seg = segments.find((s) => va >= s.va && va < s.end);
    if (guard === undefined) return seg?.kind;
    if (va === guard) return 'guard';
    if (va < guard) return seg?.kind ?? (segments.length ? 'data' : 'text+data');
    if (va < guard + PAGE * (1 + USER_STACK_PAGES)) return 'stack';
    return 'heap';
  };
}

/**
 * Small text helpers shared by the view models: hex addresses without leading zeros,
 * sizes as hex plus KiB, and the Sv39 PTE flag string of the adapter (`VRWXUGAD` with
 * `-` for a clear bit, privileged spec 4.4.1) as present letters or spelled out.
 * No `vscode` import: unit-tested under plain mocha.
 */

/** `0x0000000080003100` -> `0x80003100`; numbers and bigints too. */
export function shortHex(v: string | number | bigint): string {
  try {
    const n = typeof v === 'string' ? BigInt(v) : BigInt(v);
    return '0x' + BigInt.asUintN(64, n).toString(16);
  } catch {
    return String(v);
  }
}

/** A byte count as `0x5000 (20 KiB)`; large sizes in MiB or GiB as well. */
export function sizeText(bytes: number): string {
  const hex = '0x' + Math.max(0, Math.floor(bytes)).toString(16);
  return `${hex} (${humanSize(bytes)})`;
}

/** 20480 -> `20 KiB`; from 1 MiB on the largest unit with at most two decimals (the hex beside it is exact). */
export function humanSize(bytes: number): string {
  const kib = bytes / 1024;
  if (kib < 1024) return `${trim(kib)} KiB`;
  const mib = kib / 1024;
  if (mib < 1024) return `${trim(mib)} MiB`;
  return `${trim(mib / 1024)} GiB`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1).replace(/\.?0+$/, '');
}

const FLAG_ORDER = 'VRWXUGAD';
const FLAG_NAMES: Record<string, string> = {
  V: 'valid',
  R: 'readable',
  W: 'writable',
  X: 'executable',
  U: 'user',
  G: 'global',
  A: 'accessed',
  D: 'dirty',
};

/** The set letters of an adapter flag string (`VR-XU-A-` -> [V, R, X, U, A]). */
export function setFlags(flags: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length && i < FLAG_ORDER.length; i++) {
    const c = flags[i]!;
    if (c !== '-' && c !== ' ') out.push(c.toUpperCase());
  }
  return out;
}

/** The permission letters a student reads: `R W X U` (present ones), V/G/A/D left out. */
export function permissionLetters(flags: string): string {
  return setFlags(flags)
    .filter((c) => 'RWXU'.includes(c))
    .join(' ');
}

/** Every set flag spelled out: `valid, readable, executable, user, accessed`. */
export function flagsSpelledOut(flags: string): string {
  const set = setFlags(flags);
  return set.length ? set.map((c) => FLAG_NAMES[c] ?? c).join(', ') : 'none';
}

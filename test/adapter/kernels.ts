/**
 * Tiny bare-metal "kernels" for the adapter's end-to-end tests, assembled in the test
 * with the lead's encoders (no cross compiler): each starts in M-mode at 0x80000000 and
 * exercises one debugger feature (a call to break on, a panic with a message and a frame
 * chain, an illegal instruction, a user-mode store page fault under Sv39).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildElf, type BuiltSymbol } from '../helpers/elf-builder';
import { asm, asm2 } from '../helpers/asm';
import { STT_FUNC } from '../../emulator/elf';

export const BASE = 0x8000_0000;
const dir = mkdtempSync(join(tmpdir(), 'xv6-adapter-'));

const ZERO = 0;
const RA = 1;
const SP = 2;
const T0 = 5;
const T1 = 6;
const S0 = 8;
const A0 = 10;
const A1 = 11;

function image(size: number, parts: { at: number; words?: number[]; bytes?: Uint8Array }[]): Uint8Array {
  const img = new Uint8Array(size);
  const dv = new DataView(img.buffer);
  for (const p of parts) {
    p.words?.forEach((w, k) => dv.setUint32(p.at + k * 4, w >>> 0, true));
    if (p.bytes) img.set(p.bytes, p.at);
  }
  return img;
}

function write(name: string, code: Uint8Array, symbols: BuiltSymbol[]): string {
  const path = join(dir, name);
  writeFileSync(path, buildElf({ code, symbols }));
  return path;
}

const fn = (name: string, off: number, size: number): BuiltSymbol => ({
  name,
  value: BASE + off,
  size,
  type: STT_FUNC,
});

/** A function prologue/epilogue with a frame pointer, as GCC -fno-omit-frame-pointer emits. */
const prologue = [asm.addi(SP, SP, -16), asm.sd(RA, SP, 8), asm.sd(S0, SP, 0), asm.addi(S0, SP, 16)];
const epilogue = [asm.ld(RA, SP, 8), asm.ld(S0, SP, 0), asm.addi(SP, SP, 16), asm.jalr(ZERO, RA, 0)];

/**
 * _entry (0x0): sp = base + 0x2000; a0 = 42; call foo; then count in t0 forever.
 * foo (0x14): a1 = a0 + 1; return.
 */
export function callKernel(): string {
  const entry = [
    asm.auipc(SP, 2), // 0x00
    asm.addi(A0, ZERO, 42), // 0x04
    asm.jal(RA, 0x14 - 0x08), // 0x08: call foo
    asm.addi(T0, T0, 1), // 0x0c: loop
    asm.jal(ZERO, -4), // 0x10
  ];
  const foo = [...prologue, asm.addi(A1, A0, 1), ...epilogue];
  return write('call.elf', image(0x100, [{ at: 0, words: [...entry, ...foo] }]), [
    fn('_entry', 0, 0x14),
    fn('foo', 0x14, foo.length * 4),
  ]);
}

export const PANIC_MESSAGE = 'oops: the test kernel panicked';

/**
 * _entry (0x0): a0 = &message; call caller. caller (0x14): call panic. panic (0x30): spin.
 * At panic's entry the frame chain is panic <- caller <- _entry.
 */
export function panicKernel(): string {
  const msgOff = 0x80;
  const entry = [
    asm.auipc(SP, 2), // 0x00
    asm.auipc(A0, 0), // 0x04
    asm.addi(A0, A0, msgOff - 4), // 0x08
    asm.jal(RA, 0x14 - 0x0c), // 0x0c: call caller
    asm.jal(ZERO, 0), // 0x10
  ];
  const caller = [...prologue, asm.jal(RA, 0x30 - 0x24), asm.jal(ZERO, 0), asm.nop()]; // 0x14..0x2c
  const panic = [...prologue, asm.jal(ZERO, 0)]; // 0x30
  return write(
    'panic.elf',
    image(0x100, [
      { at: 0, words: [...entry, ...caller, ...panic] },
      { at: msgOff, bytes: Buffer.from(PANIC_MESSAGE + '\0', 'latin1') },
    ]),
    [fn('_entry', 0, 0x14), fn('caller', 0x14, 0x1c), fn('panic', 0x30, 0x14)],
  );
}

/** _entry: mtvec = handler; an illegal instruction (all zeros) at 0x0c; handler spins. */
export function illegalKernel(): string {
  const words = [
    asm.auipc(T0, 0), // 0x00
    asm.addi(T0, T0, 0x14), // 0x04: handler
    asm.csrrw(ZERO, 0x305, T0), // 0x08: mtvec
    0x0000_0000, // 0x0c: illegal
    asm.nop(), // 0x10
    asm.jal(ZERO, 0), // 0x14: handler
  ];
  return write('illegal.elf', image(0x100, [{ at: 0, words }]), [
    fn('_entry', 0, 0x14),
    fn('handler', 0x14, 4),
  ]);
}

export const USER_FAULT_VA = 0x5008;

/** The user-mode code of userFaultKernel, at VA 0: store to USER_FAULT_VA, then spin. */
function userFaultCode(): number[] {
  return [asm.lui(T0, USER_FAULT_VA >> 12), asm.sd(ZERO, T0, USER_FAULT_VA & 0xfff), asm.jal(ZERO, 0)];
}

/**
 * M-mode sets PMP to allow everything, mtvec, satp = Sv39 with root at +0x1000, MPP = U,
 * mepc = 0, and mret. Page tables: VA 0 -> PA base+0x4000 (V R X U A). The user code
 * there stores to VA 0x5008, which is unmapped: a Store/AMO page fault from U-mode.
 */
export function userFaultKernel(): string {
  const m = [
    asm.addi(T0, ZERO, -1), // 0x00
    asm.csrrw(ZERO, 0x3b0, T0), // 0x04: pmpaddr0 = all
    asm.addi(T1, ZERO, 0x0f), // 0x08: TOR, RWX
    asm.csrrw(ZERO, 0x3a0, T1), // 0x0c: pmpcfg0
    asm.auipc(T0, 0), // 0x10
    asm.addi(T0, T0, 0x50 - 0x10), // 0x14: handler at 0x50
    asm.csrrw(ZERO, 0x305, T0), // 0x18: mtvec
    asm.addi(T0, ZERO, 1), // 0x1c
    asm2.slli(T0, T0, 63), // 0x20: MODE = 8 (Sv39)
    asm.auipc(T1, 0), // 0x24
    asm2.srli(T1, T1, 12), // 0x28: PPN of base
    asm.addi(T1, T1, 1), // 0x2c: root table at base + 0x1000
    asm2.or(T0, T0, T1), // 0x30
    asm.csrrw(ZERO, 0x180, T0), // 0x34: satp
    asm.lui(T0, 2), // 0x38
    asm.addi(T0, T0, -0x800), // 0x3c: 0x1800 = MPP
    asm2.csrrc(ZERO, 0x300, T0), // 0x40: MPP = U
    asm.csrrw(ZERO, 0x341, ZERO), // 0x44: mepc = 0
    asm2.mret(), // 0x48
    asm.nop(), // 0x4c
    asm.jal(ZERO, 0), // 0x50: handler
  ];
  const pte = (pa: number, flags: number): number => ((pa / 4096) << 10) | flags;
  const user = userFaultCode();
  const img = image(0x5000, [
    { at: 0, words: m },
    { at: 0x1000, words: [pte(BASE + 0x2000, 1), 0] },
    { at: 0x2000, words: [pte(BASE + 0x3000, 1), 0] },
    { at: 0x3000, words: [pte(BASE + 0x4000, 0x01 | 0x02 | 0x08 | 0x10 | 0x40), 0] },
    { at: 0x4000, words: user },
  ]);
  return write('userfault.elf', img, [fn('_entry', 0, 0x50), fn('handler', 0x50, 4)]);
}

export const GREETING = 'hi!\n';

/**
 * Prints GREETING on the UART, then echoes every received byte back (polling LSR.DR).
 * `buf` (at +0x80) holds 8 bytes of data for the memory tests.
 */
export function echoKernel(): string {
  const UART = 0x1000_0000;
  const words = [asm.lui(T0, UART >> 12)];
  for (const ch of Buffer.from(GREETING, 'latin1')) words.push(asm.addi(T1, ZERO, ch), asm2.sb(T1, T0, 0));
  const loop = words.length * 4;
  words.push(
    asm2.lbu(T1, T0, 5), // LSR
    asm2.andi(T1, T1, 1), // DR
    asm2.beq(T1, ZERO, -8),
    asm2.lbu(A0, T0, 0), // RBR
    asm2.sb(A0, T0, 0), // THR
    asm.jal(ZERO, loop - (words.length + 5) * 4),
  );
  const img = image(0x100, [
    { at: 0, words },
    { at: 0x80, bytes: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
  ]);
  return write('echo.elf', img, [
    fn('_entry', 0, words.length * 4),
    { name: 'buf', value: BASE + 0x80, size: 8, type: 1 },
  ]);
}

/** A small blank disk image (a whole number of sectors). */
export function diskImage(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(4096));
  return path;
}

/** A text file where a kernel should be. */
export function notAnElf(): string {
  const path = join(dir, 'kernel.txt');
  writeFileSync(path, 'this is not a kernel\n');
  return path;
}

/**
 * A userPrograms folder: `_faulter` is the user code of userFaultKernel as its own ELF
 * (linked at 0, function `umain`), `_echo` a different program at the same address,
 * `_broken` a truncated ELF and README a text file.
 */
export function userProgramDir(): string {
  const folder = mkdtempSync(join(dir, 'user-'));
  const prog = (words: number[], sym: string): Uint8Array =>
    buildElf({
      loadAddr: 0,
      entry: 0,
      code: image(0x40, [{ at: 0, words }]),
      symbols: [{ name: sym, value: 0, size: 12, type: STT_FUNC }],
    });
  writeFileSync(join(folder, '_echo'), prog([asm.nop(), asm.nop(), asm.jal(ZERO, 0)], 'echomain'));
  writeFileSync(join(folder, '_faulter'), prog(userFaultCode(), 'umain'));
  writeFileSync(join(folder, '_broken'), prog(userFaultCode(), 'x').subarray(0, 40));
  writeFileSync(join(folder, 'README'), 'user programs\n');
  return folder;
}

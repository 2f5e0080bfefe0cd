/**
 * A tiny RV64 instruction encoder for tests that need a few lines of guest code without a
 * cross compiler. Register numbers are plain integers (x0..x31). Encodings: unprivileged
 * spec chapter 2 (base formats) and 24 (opcode map).
 */

const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const i = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const s = (imm: number, rs2: number, rs1: number, f3: number, op: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | op) >>> 0;

export const asm = {
  addi: (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x13),
  add: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 0, rd, 0x33),
  lui: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0,
  auipc: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17) >>> 0,
  ld: (rd: number, rs1: number, imm: number) => i(imm, rs1, 3, rd, 0x03),
  sd: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 3, 0x23),
  sw: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 2, 0x23),
  jal: (rd: number, off: number) =>
    ((((off >> 20) & 1) << 31) |
      (((off >> 1) & 0x3ff) << 21) |
      (((off >> 11) & 1) << 20) |
      (((off >> 12) & 0xff) << 12) |
      (rd << 7) |
      0x6f) >>>
    0,
  jalr: (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x67),
  ecall: () => 0x00000073,
  wfi: () => 0x10500073,
  csrrw: (rd: number, csr: number, rs1: number) => i(csr, rs1, 1, rd, 0x73),
  csrrs: (rd: number, csr: number, rs1: number) => i(csr, rs1, 2, rd, 0x73),
  nop: () => 0x00000013,
};

/** Little-endian bytes of instruction words followed by raw data. */
export function program(insns: number[], data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(insns.length * 4 + data.length);
  const dv = new DataView(b.buffer);
  insns.forEach((w, k) => dv.setUint32(k * 4, w, true));
  b.set(data, insns.length * 4);
  return b;
}

/** More encoders (appended for the adapter tests): shifts, or, andi, byte loads/stores, beq, csrrc, mret. */
export const asm2 = {
  andi: (rd: number, rs1: number, imm: number) => i(imm, rs1, 7, rd, 0x13),
  lbu: (rd: number, rs1: number, imm: number) => i(imm, rs1, 4, rd, 0x03),
  sb: (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 0, 0x23),
  /** B-type (unprivileged spec 2.5): imm[12|10:5] rs2 rs1 000 imm[4:1|11] 1100011. */
  beq: (rs1: number, rs2: number, off: number) =>
    ((((off >> 12) & 1) << 31) |
      (((off >> 5) & 0x3f) << 25) |
      (rs2 << 20) |
      (rs1 << 15) |
      (((off >> 1) & 0xf) << 8) |
      (((off >> 11) & 1) << 7) |
      0x63) >>>
    0,
  slli: (rd: number, rs1: number, sh: number) => i(sh & 0x3f, rs1, 1, rd, 0x13),
  srli: (rd: number, rs1: number, sh: number) => i(sh & 0x3f, rs1, 5, rd, 0x13),
  or: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 6, rd, 0x33),
  csrrc: (rd: number, csr: number, rs1: number) => i(csr, rs1, 3, rd, 0x73),
  /** privileged spec 3.3.2: MRET. */
  mret: () => 0x30200073,
};

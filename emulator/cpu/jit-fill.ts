/**
 * The JIT's fill-loop idiom: a block of three instructions that loops on itself, storing
 * one register through a pointer that steps by the store's size until it meets another
 * register (memset's inner loops: `sd a3,0(a4); addi a4,a4,8; bne a4,a5,loop`, or the
 * `addi` first). Once a pass has put the store's page in its translation cache
 * (jit-codegen.ts), the passes that stay in that page, fit the budget and do not reach the
 * end are done at once with a typed-array fill, then the loop goes on pass by pass (the
 * last pass, a page change and the budget's end take the ordinary path). Exact: the same
 * bytes, pointer, instruction count and exit as the passes one by one, which can neither
 * trap nor touch a watched page (the cache holds only unwatched RAM pages).
 */
import { Op } from './exec';
import { hi, lo } from './jit-alu';
import type { JitInsn } from './jit-codegen';

const SIZES: Partial<Record<Op, number>> = { [Op.SB]: 1, [Op.SH]: 2, [Op.SW]: 4, [Op.SD]: 8 };

/**
 * Source to put at the top of the loop of `insns` (cache slot 0 is the store's), or ''
 * when the block is not the idiom.
 */
export function fillLoop(insns: readonly JitInsn[]): string {
  if (insns.length !== 3) return '';
  const [a, b, br] = insns as [JitInsn, JitInsn, JitInsn];
  const addiFirst = a.op === Op.ADDI;
  const st = addiFirst ? b : a;
  const step = addiFirst ? a : b;
  const size = SIZES[st.op];
  const ptr = st.rs1;
  const val = st.rs2;
  if (size === undefined || step.op !== Op.ADDI || br.op !== Op.BNE) return '';
  if (ptr === 0 || step.rd !== ptr || step.rs1 !== ptr || step.imm !== size || val === ptr) return '';
  const end = br.rs1 === ptr ? br.rs2 : br.rs2 === ptr ? br.rs1 : -1;
  if (end < 0 || end === ptr) return '';
  // The first store of this pass is at ptr + off.
  const off = st.imm + (addiFirst ? size : 0);
  const v = lo(val);
  let fill: string;
  if (size === 1) fill = `u8.fill(${v}, o, o + k);`;
  else if (size === 2) fill = `if ((o & 1) !== 0) k = 0; else u16.fill(${v}, o >> 1, (o >> 1) + k);`;
  else if (size === 4) fill = `if ((o & 3) !== 0) k = 0; else i32.fill(${v}, o >> 2, (o >> 2) + k);`;
  else {
    fill =
      `if ((o & 3) !== 0) k = 0; else if (${v} === ${hi(val)}) i32.fill(${v}, o >> 2, (o >> 2) + 2 * k);` +
      ` else for (let j = 0, p = o >> 2; j < k; j++, p += 2) { i32[p] = ${v}; i32[p + 1] = ${hi(val)}; }`;
  }
  const pl = lo(ptr);
  const ph = hi(ptr);
  return (
    `{ const l = (${pl} + ${off}) | 0, g = (${ph} + ${off >> 31} + ((l >>> 0) < (${pl} >>> 0) ? 1 : 0)) | 0;` +
    ` if ((l & -4096) === K0l && g === K0h) {` +
    // Passes that stay in the page, leave one pass of budget, and keep the pointer's low
    // word from wrapping (so its high word, and its inequality to a different one, hold).
    ` let k = Math.min(Math.floor((${4096 - size} - (l & 4095)) / ${size}) + 1, Math.floor((m - c) / 3) - 1,` +
    ` Math.floor((4294967295 - (${pl} >>> 0)) / ${size}) - 1);` +
    // The pass after which the pointer meets the end register runs the ordinary way.
    ` if (${hi(end)} === ${ph}) { const d = (${lo(end)} - ${pl}) >>> 0;` +
    ` if (d !== 0 && d % ${size} === 0 && d / ${size} - 1 < k) k = d / ${size} - 1; }` +
    ` if (k >= 2) { const o = K0o + (l & 4095); ${fill}` +
    ` if (k > 0) { ${pl} = (${pl} + k * ${size}) | 0; c += 3 * k; } } } }`
  );
}

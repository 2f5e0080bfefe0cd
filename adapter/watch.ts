/**
 * Data breakpoints (DAP `dataBreakpointInfo` / `setDataBreakpoints`): watch writes to a
 * variable, an lvalue expression (`p->trapframe->epc`, `*(uint64*)0x87f5f000`) or a bare
 * address, for example a PTE. The emulator watches physical memory (CpuShared.addWatch),
 * so the virtual address is translated once, when the breakpoint's info is asked for:
 * through the stopped hart's satp, or as the identity for kernel addresses of the direct
 * map (at or above KERNBASE) that the current page table does not map; the breakpoint's
 * message names the physical range. A store instruction of any hart that overlaps the
 * range stops that hart right after it (pc at the next instruction, as gdb's watchpoints
 * do); writes by devices (virtio DMA) and by the debugger never stop, nor do the page
 * walker's A/D updates. Only writes are watched: read and access kinds come back
 * unverified. At most MAX_WATCHPOINTS at once; conditions and hit counts work as on line
 * breakpoints (a C condition is evaluated in the storing hart's innermost frame).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Access, type HartApi, type WatchHit, type WatchHitRange } from '../emulator/types';
import { sizeOf } from './symbols';
import { hitCondition } from './breakpoints';
import { checkSyntax } from './cexpr';
import type { Value } from './cvalues';
import type { Runtime, StopInfo } from './runtime';

/** Watchpoints at once (each costs a check on the stores to its own pages only). */
export const MAX_WATCHPOINTS = 8;
/** Largest watched range (the emulator's limit). */
const MAX_BYTES = 4096;
const KERNBASE = 0x8000_0000n;
const PAGE = 4096n;

/** What a dataId stands for: the translated range and how it was named. */
interface Target {
  va: string;
  pa: number;
  len: number;
  label: string;
  how: string;
}

/** A value found for an info request, with the hart and frame kind it was read in. */
export interface Located {
  value: Value;
  hart: number;
  /** Read in a user program's frame while the hart is in the kernel. */
  userFromKernel: boolean;
}

/** What the session lends: expression evaluation and C conditions. */
export interface WatchTools {
  /** Evaluate `expr` in frame `frameId` (default: the stopped hart's innermost frame). */
  evaluate(expr: string, frameId: number | undefined): Located;
  /** Child `name` of the variables container `ref`, or undefined. */
  child(ref: number, name: string): Located | undefined;
  condition(expr: string): (hart: number) => boolean;
}

interface Active {
  id: number;
  emuId: number;
  target: Target;
  check?: (hart: number) => boolean;
  hitCondition?: (hits: number) => boolean;
  hits: number;
}

const hex16 = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');

/** Virtual [va, va + len) to one physical range, and how; or a one-line reason. */
function translate(
  hart: HartApi,
  hartId: number,
  va: bigint,
  len: number,
): { pa: number; how: string } | string {
  let pa0: number | undefined;
  let how = '';
  for (let off = 0n; off < BigInt(len);) {
    const cur = va + off;
    const t = hart.translate(cur, Access.Load);
    let pa: number;
    if (t.ok) {
      pa = t.paddr;
      const satp = hart.readCsr(0x180) ?? 0n;
      // satp.MODE 0 is Bare (privileged spec 4.1.11): no translation.
      how ||=
        satp >> 60n
          ? `through hart ${hartId}'s satp ${hex16(satp)}`
          : `identity: hart ${hartId}'s satp is Bare`;
    } else if (cur >= KERNBASE && cur < 2n ** 38n) {
      pa = Number(cur);
      how ||= 'kernel direct map (identity)';
    } else return `${hex16(cur)} is not mapped in hart ${hartId}'s page table`;
    if (pa0 === undefined) pa0 = pa;
    else if (pa !== pa0 + Number(off))
      return `the range crosses into a page that is not physically contiguous with the first`;
    off += PAGE - (cur % PAGE);
  }
  return { pa: pa0!, how };
}

/** Body of a dataBreakpointInfo response: a dataId, or null and the reason in `description`. */
export function dataBreakpointInfo(
  rt: Runtime,
  args: DebugProtocol.DataBreakpointInfoArguments,
  tools: WatchTools,
  stoppedHart: number,
): DebugProtocol.DataBreakpointInfoResponse['body'] {
  const no = (why: string): DebugProtocol.DataBreakpointInfoResponse['body'] => ({
    dataId: null,
    description: why,
  });
  if (rt.isRunning) return no('the machine is running: pause it first');
  if (!rt.machine.shared.addWatch) return no('this machine has no data watchpoints');
  const name = args.name.trim();
  let va: bigint;
  let len: number;
  let hartId = stoppedHart;
  if (args.asAddress || (args.variablesReference === undefined && /^(0x[0-9a-f]+|\d+)$/i.test(name))) {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(name)) return no(`not an address: ${name}`);
    va = BigInt(name);
    len = args.bytes ?? 8;
  } else {
    let found: Located | undefined;
    try {
      found =
        args.variablesReference !== undefined && args.variablesReference > 0
          ? tools.child(args.variablesReference, name)
          : tools.evaluate(name, args.frameId);
    } catch (e) {
      return no(`cannot watch ${name}: ${(e as Error).message}`);
    }
    if (!found) return no(`cannot watch ${name}: no such variable here`);
    const v = found.value;
    if (v.address === undefined)
      return no(
        v.register !== undefined
          ? `cannot watch ${name}: it lives in register ${v.register}, not memory`
          : `cannot watch ${name}: it is a value, not a place in memory (watch *(type *)ADDRESS)`,
      );
    if (found.userFromKernel)
      return no(
        `cannot watch ${name}: user memory is watched from a stop in that program, not from the kernel`,
      );
    va = BigInt(v.address);
    len = args.bytes ?? sizeOf(v.type);
    hartId = found.hart;
  }
  if (!Number.isInteger(len) || len < 1 || len > MAX_BYTES)
    return no(`cannot watch ${len} bytes: a watched range is 1 to ${MAX_BYTES} bytes`);
  const hart = rt.machine.harts[hartId];
  if (!hart) return no(`no hart ${hartId}`);
  const t = translate(hart, hartId, va, len);
  if (typeof t === 'string') return no(`cannot watch ${name}: ${t}`);
  // Ask the emulator now whether it can watch there (RAM only), so the reason shows early.
  const probe = rt.machine.shared.addWatch(t.pa, len);
  if (typeof probe === 'string') return no(`cannot watch ${name}: ${probe}`);
  rt.machine.shared.removeWatch?.(probe);
  const target: Target = { va: hex16(va), pa: t.pa, len, label: name, how: t.how };
  return {
    dataId: JSON.stringify(target),
    description: `${name} (${len} bytes at ${target.va})`,
    accessTypes: ['write'],
    canPersist: false,
  };
}

function parseTarget(dataId: string): Target | undefined {
  try {
    const t = JSON.parse(dataId) as Partial<Target>;
    if (typeof t.va !== 'string' || typeof t.pa !== 'number' || typeof t.len !== 'number') return undefined;
    if (typeof t.label !== 'string' || typeof t.how !== 'string') return undefined;
    return t as Target;
  } catch {
    return undefined;
  }
}

/** `bytes` as a little-endian number (1, 2, 4 or 8 bytes), else hex bytes. */
export function formatBytes(b: Uint8Array): string {
  if (b.length === 1 || b.length === 2 || b.length === 4 || b.length === 8) {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return '0x' + v.toString(16);
  }
  const shown = Array.from(b.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return `[${shown}${b.length > 16 ? ' …' : ''}]`;
}

/** The data breakpoints of a session, installed in the emulator, and their stops. */
export class Watchpoints {
  private active: Active[] = [];
  private nextId = 1;

  constructor(private readonly rt: Runtime) {
    rt.onWatchpoint = (hart, hit) => this.onHit(hart, hit);
  }

  /** Replace every data breakpoint (setDataBreakpoints). */
  set(bps: DebugProtocol.DataBreakpoint[], tools: WatchTools): DebugProtocol.Breakpoint[] {
    const shared = this.rt.machine.shared;
    for (const a of this.active) shared.removeWatch?.(a.emuId);
    this.active = [];
    return bps.map((b): DebugProtocol.Breakpoint => {
      const id = this.nextId++;
      const no = (message: string): DebugProtocol.Breakpoint => ({ id, verified: false, message });
      const access = b.accessType ?? 'write';
      if (access !== 'write')
        return no(`only writes can be watched (not ${access}): use "Break on Value Change"`);
      const target = parseTarget(b.dataId);
      if (!target) return no(`not a data breakpoint id of this session: ${b.dataId.slice(0, 60)}`);
      if (this.active.length >= MAX_WATCHPOINTS)
        return no(`at most ${MAX_WATCHPOINTS} data breakpoints at once; remove one first`);
      const a: Active = { id, emuId: 0, target, hits: 0 };
      if (b.condition?.trim()) {
        try {
          checkSyntax(b.condition);
        } catch (e) {
          return no(`condition: ${(e as Error).message}`);
        }
        a.check = tools.condition(b.condition);
      }
      const hc = hitCondition(b.hitCondition);
      if (typeof hc === 'string') return no(hc);
      if (hc) a.hitCondition = hc;
      const emuId = shared.addWatch?.(target.pa, target.len) ?? 'this machine has no data watchpoints';
      if (typeof emuId === 'string') return no(emuId);
      a.emuId = emuId;
      this.active.push(a);
      return {
        id,
        verified: true,
        message:
          `watching writes to ${target.label}: ${target.len} bytes at ${target.va}, physical ` +
          `${hex16(BigInt(target.pa))} (${target.how}, translated when set)`,
      };
    });
  }

  /** A store hit watched ranges: the stop, or undefined when no breakpoint's tests pass. */
  private onHit(hart: number, hit: WatchHit): StopInfo | undefined {
    const stopping: { a: Active; r: WatchHitRange }[] = [];
    for (const r of hit.ranges) {
      const a = this.active.find((x) => x.emuId === r.id);
      if (!a || (a.check && !a.check(hart))) continue;
      a.hits++;
      if (a.hitCondition && !a.hitCondition(a.hits)) continue;
      stopping.push({ a, r });
    }
    const first = stopping[0];
    if (!first) return undefined;
    const { a, r } = first;
    const description = `Write to ${a.target.va} (${a.target.label}): ${formatBytes(r.old)} -> ${formatBytes(r.now)}`;
    return {
      kind: 'data breakpoint',
      hart,
      description,
      details: `${description}\nby a ${hit.len}-byte store at physical ${hex16(BigInt(hit.paddr))} on hart ${hart}`,
      hitBreakpointIds: stopping.map((s) => s.a.id),
    };
  }
}

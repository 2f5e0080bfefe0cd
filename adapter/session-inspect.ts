/**
 * The inspecting half of the debug session: the requests that look at (or change) a
 * stopped machine: call stacks, register and CSR scopes, setVariable, evaluate, memory
 * and disassembly; plus the request plumbing both halves share (every handler wrapped so
 * an exception becomes a one-line error response). session.ts adds launching, running,
 * stepping, breakpoints and the custom requests on top.
 */
import { ErrorDestination, LoggingDebugSession, Scope } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Runtime, StopInfo } from './runtime';
import * as views from './views';
import { basename } from 'node:path';
import { Inspector } from './inspector';
import { sourceStack, type SourceFrame, type StackContext } from './stack';
import type { TrapRing } from '../emulator/cpu/trap-ring';
import { Priv, type TrapInfo } from '../emulator/types';
import type { ProcessInfo } from './protocol';
import type { ElfFile } from '../emulator/elf';
import { pageTableReader, symbolsOf, type Reader } from './debuginfo';
import { identifyIn, type UserProgram } from './userprogs';
import { frameWhere, stopTrap, trapVariables, type StopTrap } from './trapscope';
import { sourcePath } from './sources';
import { defaultHide } from './linestep';

const REGISTERS = 1;
const CSRS = 2;
const TRAP = 3;
const SATP = 0x180;
/** satp.MODE of Sv39 (privileged spec 4.1.11). */
const SV39 = 8n;

/** Frame ids are hart * 1000 + frame + 1; variable references (hart + 1) * 16 + scope. */
export abstract class InspectingSession extends LoggingDebugSession {
  runtime: Runtime | undefined;
  protected lastStop: StopInfo | undefined;
  /** The kernel ELF's file (to find its sources). */
  protected kernelPath: string | undefined;

  /**
   * The base class catches an exception thrown by any request handler and answers with
   * error 1104 carrying the stack trace; make that one line (the exception's message).
   */
  protected override sendErrorResponse(
    response: DebugProtocol.Response,
    codeOrMessage: number | DebugProtocol.Message,
    format?: string,
    variables?: Record<string, unknown>,
    dest?: ErrorDestination,
  ): void {
    if (codeOrMessage === 1104 && variables) {
      const e = variables._exception;
      const msg = (typeof e === 'string' ? e : 'unexpected error').split('\n')[0]!;
      return this.fail(response, `${response.command} failed: ${msg}`);
    }
    super.sendErrorResponse(response, codeOrMessage, format, variables, dest);
  }

  protected fail(response: DebugProtocol.Response, message: string): void {
    this.sendErrorResponse(response, {
      id: 1,
      format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')),
      showUser: true,
    });
  }

  /** Run a handler; a thrown error becomes that request's error response. */
  protected guard(response: DebugProtocol.Response, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      // A TypeError is our bug, not the user's: say which request it broke.
      const msg = e instanceof Error ? e.message : String(e);
      this.fail(response, e instanceof TypeError ? `${response.command} failed: ${msg}` : msg);
    }
  }

  protected rt(): Runtime {
    if (!this.runtime) throw new Error('the machine is not running: launch first');
    return this.runtime;
  }

  protected hartOf(threadId: number | undefined): number {
    const rt = this.rt();
    const id = threadId === undefined ? (this.lastStop?.hart ?? 0) : threadId - 1;
    if (!rt.machine.harts[id])
      throw new Error(
        `there is no thread ${threadId ?? ''} (harts are threads 1 to ${rt.machine.harts.length})`,
      );
    return id;
  }

  protected requireStopped(): void {
    if (this.rt().isRunning) throw new Error('the machine is running: pause it first');
  }

  // ---- inspection ---------------------------------------------------------------------

  /** Call stacks of the current stop, per hart (computed on first use). */
  private stacks = new Map<number, SourceFrame[]>();
  /** Inlined frames the current stop hides on top of a hart's stack (inlinestep.ts). */
  protected hiddenInline = new Map<number, number>();
  private inspectorObj: Inspector | undefined;

  protected inspector(): Inspector {
    const rt = this.rt();
    this.inspectorObj ??= new Inspector(rt.machine, (h) => rt.machine.harts[h]);
    return this.inspectorObj;
  }

  /** The machine ran: frames and variable handles are stale. */
  protected invalidate(): void {
    this.stacks.clear();
    this.hiddenInline.clear();
    this.inspectorObj?.reset();
  }

  /** What a call stack of hart `h` is built from. */
  protected stackContext(h: number, hideInline = 0): StackContext {
    const rt = this.rt();
    return {
      mem: rt.machine,
      hart: rt.machine.harts[h]!,
      kernel: rt.elf,
      kernelPath: this.kernelPath,
      programs: rt.userPrograms,
      recentTraps: (hart) => trapsOfHart(rt.traps.ring, hart),
      hideInline,
    };
  }

  /**
   * The innermost frame only (breakpoint conditions and log messages: cheap), as the stop
   * would show it: at the start of an inlined call, the caller at its call site.
   */
  protected topFrame(h: number): SourceFrame | undefined {
    const rt = this.rt();
    return sourceStack(this.stackContext(h, defaultHide(rt, rt.machine.harts[h]!)), 1)[0];
  }

  protected framesOf(h: number): SourceFrame[] {
    let frames = this.stacks.get(h);
    if (!frames) {
      frames = sourceStack(this.stackContext(h, this.hiddenInline.get(h) ?? 0));
      this.stacks.set(h, frames);
    }
    return frames;
  }

  /** The kernel's processes (session.ts reads the process table; none without it). */
  protected processList(): ProcessInfo[] {
    return [];
  }

  /** The process hart `h` runs. */
  protected processOn(h: number): ProcessInfo | undefined {
    return this.processList().find((p) => p.hart === h);
  }

  /**
   * Readers of the user address spaces a user pc may belong to, likeliest first: the
   * page table hart `h` has installed, the process it runs, those of the other harts,
   * then every process. Page tables are walked in software: S-mode may not read U pages.
   */
  private *userSpaces(h: number): Generator<Reader> {
    const harts = this.rt().machine.harts;
    const order = [h, ...harts.map((_x, i) => i).filter((i) => i !== h)];
    const procs = this.processList();
    const satps = [
      ...order.map((i) => harts[i]?.readCsr(SATP)),
      ...order.map((i) => procs.find((p) => p.hart === i)?.satp),
      ...procs.map((p) => p.satp),
    ];
    const seen = new Set<number>();
    for (const v of satps) {
      const satp = typeof v === 'string' ? (/^0x[0-9a-f]+$/i.test(v) ? BigInt(v) : undefined) : v;
      if (satp === undefined || satp >> 60n !== SV39) continue;
      const root = Number(satp & 0xfff_ffff_ffffn) * 4096;
      if (seen.has(root)) continue;
      seen.add(root);
      yield pageTableReader(this.rt().machine, root);
    }
  }

  /**
   * The ELF (and for user code, the reader) that disassembles `addr`: the kernel's where
   * it has the code; a user program through the hart's translation or, failing that
   * (a kernel stop, a trap of a process on another hart), through the address space of
   * the process whose code is at `addr`.
   */
  private codeAt(
    h: number,
    addr: bigint,
  ): { elf: ElfFile | undefined; program?: UserProgram; read?: Reader } {
    const rt = this.rt();
    const where = rt.symbolsFor(rt.machine.harts[h]!, addr);
    const pc = Number(addr);
    if (where.program || rt.userPrograms.length === 0 || addr >= 1n << 38n) return where;
    if (rt.elf?.symbolAt(pc) || symbolsOf(rt.elf)?.lineAt(pc)) return where;
    for (const read of this.userSpaces(h)) {
      const program = identifyIn(rt.userPrograms, read, pc);
      if (program) return { elf: program.elf, program, read };
    }
    return where;
  }

  /** The trap the stop of hart `h` is about (trapscope.ts), if any. */
  protected trapOf(h: number): StopTrap | undefined {
    const s = this.lastStop;
    // A stop about a trap, once the hart has taken one into S (a panic at boot has none).
    const trapStop = s?.hart === h && s.kind === 'exception' && tookTrapIntoS(this.rt().traps.ring, h);
    return stopTrap(this.framesOf(h), this.rt().machine.harts[h]!, trapStop);
  }

  /**
   * An exception filter's stop names the code that trapped: "Load page fault at 0x… in
   * main (lazytests.c:12)" (the interrupted frame of the stack, trapscope.ts).
   */
  protected withFaultingFrame(s: StopInfo): StopInfo {
    if (s.kind !== 'exception' || !s.filter || s.filter === 'panic' || !s.description) return s;
    try {
      const frame = this.trapOf(s.hart)?.frame;
      return frame ? { ...s, description: `${s.description} in ${frameWhere(frame)}` } : s;
    } catch {
      return s;
    }
  }

  /** The frame a frame id names (hart * 1000 + index + 1), or frame 0 of the stopped hart. */
  protected frameOf(frameId: number | undefined): { hart: number; frame: SourceFrame } {
    const h = frameId !== undefined ? Math.floor((frameId - 1) / 1000) : (this.lastStop?.hart ?? 0);
    const frames = this.framesOf(this.hartOf(h + 1));
    const frame = frames[frameId !== undefined ? (frameId - 1) % 1000 : 0] ?? frames[0];
    if (!frame) throw new Error('no frame');
    return { hart: h, frame };
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    this.guard(response, () => {
      const h = this.hartOf(args.threadId);
      const frames = this.framesOf(h);
      const start = args.startFrame ?? 0;
      const count = args.levels || frames.length;
      response.body = {
        stackFrames: frames.slice(start, start + count).map((f) => {
          const sf: DebugProtocol.StackFrame = {
            id: h * 1000 + f.index + 1,
            name: f.name,
            line: f.line?.line ?? 0,
            column: f.line ? Math.max(1, f.line.column) : 0,
            presentationHint: f.label ? 'label' : f.line ? 'normal' : 'subtle',
          };
          if (!f.label) sf.instructionPointerReference = '0x' + f.pc.toString(16);
          const path = f.line ? sourcePath(f.line, f.elfPath) : undefined;
          if (f.line) sf.source = { name: basename(f.line.file), path: path ?? f.line.file };
          if (f.line && !path) sf.source!.presentationHint = 'deemphasize';
          return sf;
        }),
        totalFrames: frames.length,
      };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(
    response: DebugProtocol.ScopesResponse,
    args: DebugProtocol.ScopesArguments,
  ): void {
    this.guard(response, () => {
      const { hart, frame } = this.frameOf(args.frameId);
      // At a trap's stop the trap comes first (scause, stval, sepc in words).
      const trap = this.trapOf(hart) ? [new Scope('Trap', (hart + 1) * 16 + TRAP, false)] : [];
      response.body = {
        scopes: [
          ...trap,
          ...this.inspector().scopes(frame),
          // Frame 0 shows (and changes) the hart's registers; a caller its unwound ones.
          frame.index === 0 || frame.label
            ? new Scope('Registers', (hart + 1) * 16 + REGISTERS, false)
            : new Scope('Registers', this.inspector().frameRegisters(frame), false),
          new Scope('CSRs', (hart + 1) * 16 + CSRS, true),
        ],
      };
      this.sendResponse(response);
    });
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    this.guard(response, () => {
      const rt = this.rt();
      const ref = args.variablesReference;
      let variables: DebugProtocol.Variable[] = [];
      if (this.inspector().has(ref))
        variables = this.inspector().variables(ref, args.start ?? 0, args.count ?? 0);
      else {
        const hart = rt.machine.harts[Math.floor(ref / 16) - 1];
        const kind = ref % 16;
        if (hart && kind === REGISTERS)
          variables = views.registerVariables(hart, rt.symbolsFor(hart, hart.getPc()).elf);
        else if (hart && kind === CSRS) variables = views.csrVariables(hart);
        else if (hart && kind === TRAP) {
          const stop = this.trapOf(hart.id);
          if (stop) variables = trapVariables({ stop, kernel: rt.elf, process: this.processOn(hart.id) });
        }
      }
      response.body = { variables };
      this.sendResponse(response);
    });
  }

  protected override setVariableRequest(
    response: DebugProtocol.SetVariableResponse,
    args: DebugProtocol.SetVariableArguments,
  ): void {
    this.guard(response, () => {
      this.requireStopped();
      const rt = this.rt();
      const ins = this.inspector();
      if (ins.has(args.variablesReference)) {
        const found = ins.child(args.variablesReference, args.name);
        if (!found) throw new Error(`no variable ${args.name}`);
        const h = this.lastStop?.hart ?? 0;
        const nv = ins.assign(found.frame, h, found.value, args.value);
        this.stacks.clear();
        response.body = { value: ins.format(found.frame, nv) };
        this.sendResponse(response);
        return;
      }
      const hart = rt.machine.harts[Math.floor(args.variablesReference / 16) - 1];
      if (!hart) throw new Error('no such hart');
      response.body = {
        value: views.setRegister(hart, rt.symbolsFor(hart, hart.getPc()).elf, args.name, args.value),
      };
      this.stacks.clear();
      this.sendResponse(response);
    });
  }

  /** Debug-console commands (session.ts): text to print, or undefined when `line` is not one. */
  protected replCommand(_line: string, _hart: number): string | undefined {
    return undefined;
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    this.guard(response, () => {
      const rt = this.rt();
      const { hart: h, frame } = this.frameOf(args.frameId);
      const hart = rt.machine.harts[h];
      if (!hart) throw new Error('no such hart');
      const e = args.expression.trim();
      if (args.context === 'repl' || args.context === undefined) {
        const text = this.replCommand(e, h);
        if (text !== undefined) {
          response.body = { result: text, variablesReference: 0 };
          this.sendResponse(response);
          return;
        }
      }
      // Register arithmetic keeps the register view's hex-and-symbol form.
      const registersOnly =
        e.includes('$') &&
        e
          .replace(/\$[A-Za-z_]\w*/g, '')
          .replace(/0[xX][0-9a-fA-F]+/g, '')
          .search(/[A-Za-z_.[\]'*&]/) < 0;
      if (registersOnly && frame.index === 0) {
        response.body = {
          result: views.evaluateExpression(hart, rt.symbolsFor(hart, hart.getPc()).elf, e),
          variablesReference: 0,
        };
        this.sendResponse(response);
        return;
      }
      const ins = this.inspector();
      const value = ins.evaluate(frame, h, e);
      const v = ins.toVariable(frame, e, value, e);
      response.body = {
        result: v.value,
        type: v.type,
        variablesReference: v.variablesReference,
      };
      if (v.memoryReference) response.body.memoryReference = v.memoryReference;
      this.sendResponse(response);
    });
  }

  protected override readMemoryRequest(
    response: DebugProtocol.ReadMemoryResponse,
    args: DebugProtocol.ReadMemoryArguments,
  ): void {
    this.guard(response, () => {
      const rt = this.rt();
      const hart = rt.machine.harts[this.hartOf(undefined)]!;
      const addr = views.parseAddress(args.memoryReference, args.offset ?? 0);
      const count = Math.max(0, Math.min(args.count, 1 << 20));
      const data = views.readVirtual(rt.machine, hart, addr, count);
      response.body = {
        address: '0x' + addr.toString(16),
        data: Buffer.from(data).toString('base64'),
        unreadableBytes: count - data.length,
      };
      this.sendResponse(response);
    });
  }

  protected override writeMemoryRequest(
    response: DebugProtocol.WriteMemoryResponse,
    args: DebugProtocol.WriteMemoryArguments,
  ): void {
    this.guard(response, () => {
      this.requireStopped();
      const rt = this.rt();
      const hart = rt.machine.harts[this.hartOf(undefined)]!;
      const addr = views.parseAddress(args.memoryReference, args.offset ?? 0);
      const data = Buffer.from(args.data, 'base64');
      views.writeVirtual(rt.machine, hart, addr, data);
      response.body = { bytesWritten: data.length };
      this.sendResponse(response);
    });
  }

  protected override disassembleRequest(
    response: DebugProtocol.DisassembleResponse,
    args: DebugProtocol.DisassembleArguments,
  ): void {
    this.guard(response, () => {
      const rt = this.rt();
      const h = this.hartOf(undefined);
      const hart = rt.machine.harts[h]!;
      const addr = views.parseAddress(args.memoryReference, args.offset ?? 0);
      const count = Math.max(0, Math.min(args.instructionCount, 4096));
      const where = this.codeAt(h, addr);
      response.body = {
        instructions: views.disassembleRange(
          rt.machine,
          hart,
          where.elf,
          addr,
          args.instructionOffset ?? 0,
          count,
          where.program ? where.program.path : this.kernelPath,
          where.read,
        ),
      };
      this.sendResponse(response);
    });
  }
}

/** The traps of one hart the ring still holds, newest first. */
function* trapsOfHart(ring: TrapRing, hart: number): Generator<TrapInfo> {
  for (let n = ring.total - 1; n >= ring.oldest(); n--) {
    const t = ring.get(n);
    if (t?.hart === hart) yield t;
  }
}

function tookTrapIntoS(ring: TrapRing, hart: number): boolean {
  for (const t of trapsOfHart(ring, hart)) if (t.toPriv === Priv.S) return true;
  return false;
}

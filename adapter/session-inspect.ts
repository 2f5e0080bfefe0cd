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

const REGISTERS = 1;
const CSRS = 2;

/** Frame ids are hart * 1000 + frame + 1; variable references (hart + 1) * 16 + scope. */
export abstract class InspectingSession extends LoggingDebugSession {
  runtime: Runtime | undefined;
  protected lastStop: StopInfo | undefined;

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
      this.fail(response, e instanceof Error ? e.message : String(e));
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

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    this.guard(response, () => {
      const h = this.hartOf(args.threadId);
      const rt = this.rt();
      const hart = rt.machine.harts[h]!;
      const { elf, program } = rt.symbolsFor(hart, hart.getPc());
      const frames = views.callStack(rt.machine, hart, elf);
      const start = args.startFrame ?? 0;
      const count = args.levels || frames.length;
      response.body = {
        stackFrames: frames.slice(start, start + count).map((f) => ({
          id: h * 1000 + f.index + 1,
          name: program ? `${f.name} (${program.name})` : f.name,
          line: 0,
          column: 0,
          instructionPointerReference: '0x' + BigInt.asUintN(64, f.pc).toString(16),
          presentationHint: 'normal',
        })),
        totalFrames: frames.length,
      };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(
    response: DebugProtocol.ScopesResponse,
    args: DebugProtocol.ScopesArguments,
  ): void {
    const hart = Math.floor((args.frameId - 1) / 1000);
    response.body = {
      scopes: [
        new Scope('Registers', (hart + 1) * 16 + REGISTERS, false),
        new Scope('CSRs', (hart + 1) * 16 + CSRS, true),
      ],
    };
    this.sendResponse(response);
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    this.guard(response, () => {
      const rt = this.rt();
      const hart = rt.machine.harts[Math.floor(args.variablesReference / 16) - 1];
      const kind = args.variablesReference % 16;
      let variables: DebugProtocol.Variable[] = [];
      if (hart && kind === REGISTERS)
        variables = views.registerVariables(hart, rt.symbolsFor(hart, hart.getPc()).elf);
      else if (hart && kind === CSRS) variables = views.csrVariables(hart);
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
      const hart = rt.machine.harts[Math.floor(args.variablesReference / 16) - 1];
      if (!hart) throw new Error('no such hart');
      response.body = {
        value: views.setRegister(hart, rt.symbolsFor(hart, hart.getPc()).elf, args.name, args.value),
      };
      this.sendResponse(response);
    });
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    this.guard(response, () => {
      const rt = this.rt();
      const h =
        args.frameId !== undefined ? Math.floor((args.frameId - 1) / 1000) : (this.lastStop?.hart ?? 0);
      const hart = rt.machine.harts[h];
      if (!hart) throw new Error('no such hart');
      response.body = {
        result: views.evaluateExpression(hart, rt.symbolsFor(hart, hart.getPc()).elf, args.expression),
        variablesReference: 0,
      };
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
      const hart = rt.machine.harts[this.hartOf(undefined)]!;
      const addr = views.parseAddress(args.memoryReference, args.offset ?? 0);
      const count = Math.max(0, Math.min(args.instructionCount, 4096));
      response.body = {
        instructions: views.disassembleRange(
          rt.machine,
          hart,
          rt.symbolsFor(hart, addr).elf,
          addr,
          args.instructionOffset ?? 0,
          count,
        ),
      };
      this.sendResponse(response);
    });
  }
}

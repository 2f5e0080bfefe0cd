/**
 * The Debug Adapter Protocol session: it translates launching, running, stepping,
 * breakpoint and custom requests into calls on the runtime (runtime.ts), and runtime
 * events into DAP events (vscode-mock-debug's `mockDebug.ts` layer); the requests that
 * inspect a stopped machine live in session-inspect.ts. Host file access is passed in,
 * so the same class runs inline in the extension host, over stdio and over TCP (main.ts).
 *
 * Threads are harts (thread id = hart + 1); the machine stops and runs all harts
 * together. Stepping is by source line (linestep.ts) or instruction; breakpoints are on
 * lines, functions, instructions and exceptions (breakpoints.ts). Any unexpected
 * exception in a handler becomes a one-line error response, never a crash.
 */
import {
  ExitedEvent,
  InitializedEvent,
  OutputEvent,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  Event,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { dirname } from 'node:path';
import { boot, BootError, bundledDisk, bundledKernel, type Booted } from '../emulator/boot';
import { MachineConfigError } from '../emulator/machine-options';
import type { Host } from './host';
import { problemMessage, validateLaunch, type LaunchConfig } from './launch';
import { Runtime } from './runtime';
import { EXCEPTION_FILTERS, EXCEPTION_TITLES } from './traps';
import { TrapOwners } from './trap-owner';
import * as bp from './breakpoints';
import { InspectingSession } from './session-inspect';
import { UserPrograms } from './userprogs-load';
import { staleKernel } from './staleness';
import { dwarfProcessSource } from './processes';
import { handleCustomRequest, type ProcessSource } from './custom';
import type { ProcessInfo, Xv6EventName, Xv6Events } from './protocol';
import { hideAtStop, LineStepper, type StepMode } from './linestep';
import { backtraceText, sourceStack } from './stack';
import { replCommand } from './commands';
import { setSourceMap } from './sources';
import { Watchpoints, dataBreakpointInfo, type WatchTools } from './watch';
import type { Value } from './cvalues';
import { Priv } from '../emulator/types';

const TRAP_EVENT_MS = 250;

export class Xv6DebugSession extends InspectingSession {
  private config: LaunchConfig | undefined;
  private booted: Booted | undefined;
  private configured = false;
  private trapTimer: NodeJS.Timeout | undefined;
  private persisted = false;
  private userPrograms: UserPrograms | undefined;
  /** The kernel's process table, once its debug information can be read (DWARF half). */
  processSource: ProcessSource | undefined;

  constructor(private readonly host: Host) {
    super();
    // Lines and columns are 1-based, as VS Code's are.
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /** Typed custom event. */
  sendXv6Event<K extends Xv6EventName>(name: K, body: Xv6Events[K]): void {
    this.sendEvent(new Event(name, body));
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    const b = (response.body ??= {});
    // configurationDone: the machine starts only once breakpoints are set.
    b.supportsConfigurationDoneRequest = true;
    // Breakpoints on kernel functions by name (DWARF, after the prologue; else ELF symbols).
    b.supportsFunctionBreakpoints = true;
    // C conditions on line and function breakpoints (cexpr.ts), register conditions on
    // instruction breakpoints and exception filters (condition.ts); no eval anywhere.
    b.supportsConditionalBreakpoints = true;
    // Hit counts ("5", ">= 5", "% 5") and logpoints with {expr} interpolation.
    b.supportsHitConditionalBreakpoints = true;
    b.supportsLogPoints = true;
    // Breakpoints at addresses from the disassembly view.
    b.supportsInstructionBreakpoints = true;
    // Write watchpoints on variables, lvalue expressions and addresses (watch.ts), with
    // the `asAddress` and `bytes` fields of dataBreakpointInfo (DAP 1.65).
    b.supportsDataBreakpoints = true;
    b.supportsDataBreakpointBytes = true;
    // Stop on page faults, user and kernel exceptions and panics; each filter takes a condition.
    b.exceptionBreakpointFilters = EXCEPTION_FILTERS.map((f) => ({
      filter: f.id,
      label: f.label,
      description: f.description,
      default: f.id === 'panic',
      supportsCondition: true,
      conditionDescription: 'e.g. stval >= 0x80000000 && priv == U (names: scause stval sepc pc priv hart)',
    }));
    b.supportsExceptionOptions = false;
    b.supportsExceptionFilterOptions = true;
    // Exception details (cause, faulting address, pc) for the exception widget.
    b.supportsExceptionInfoRequest = true;
    // Registers and CSRs can be changed in the Variables view.
    b.supportsSetVariable = true;
    // Memory view and disassembly view, through the hart's address translation.
    b.supportsReadMemoryRequest = true;
    b.supportsWriteMemoryRequest = true;
    b.supportsDisassembleRequest = true;
    // Stepping by source line (default) or by instruction.
    b.supportsSteppingGranularity = true;
    // C expressions over the DWARF types in hovers, watches and the debug console.
    b.supportsEvaluateForHovers = true;
    // End the session with a terminate request (persisting the disk when asked).
    b.supportsTerminateRequest = true;
    this.sendResponse(response);
  }

  protected override launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: DebugProtocol.LaunchRequestArguments,
  ): void {
    const v = validateLaunch(args, this.host, { kernel: bundledKernel(), disk: bundledDisk() });
    if (!v.ok) return this.fail(response, problemMessage(v.problems));
    const config = v.config;
    try {
      this.booted = boot({
        kernel: config.kernel,
        disk: config.disk,
        harts: config.harts,
        memoryMiB: config.memoryMB,
        virtio: config.virtio,
        console: (byte) => this.runtime?.consoleByte(byte),
      });
    } catch (e) {
      if (e instanceof BootError || e instanceof MachineConfigError) return this.fail(response, e.message);
      return this.fail(
        response,
        `could not start the machine: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.config = config;
    this.kernelPath = this.booted.kernelPath;
    setSourceMap(config.sourceMap, this.booted.kernelPath, config.cwd);
    const runtime = new Runtime(
      this.booted.machine,
      this.booted.elf,
      this.runtimeEvents(),
      config.panicSymbol,
    );
    this.runtime = runtime;
    runtime.backtrace = (h) => backtraceText(sourceStack(this.stackContext(h)));
    if (config.diskNote) this.print(config.diskNote + '\n');
    if (!this.processSource) {
      const ps = dwarfProcessSource(this.booted.elf, this.booted.machine);
      if (typeof ps === 'string') this.print(`note: no process list: ${ps}\n`);
      else this.processSource = ps;
    }
    this.userPrograms = new UserPrograms(this.host, config.userPrograms);
    for (const line of this.userPrograms.load(this.booted.machine.disk, this.booted.diskPath))
      this.print(line + '\n');
    runtime.userPrograms = this.userPrograms.programs;
    // Trap log entries name their process and user program (read when they are made).
    runtime.traps.owners = new TrapOwners({
      mem: runtime.machine,
      owners: () => this.processSource?.owners() ?? [],
      programs: () => runtime.userPrograms,
    });
    if (runtime.panicAddr === undefined) {
      this.print(`note: the kernel has no '${config.panicSymbol}' symbol, so panics cannot be caught\n`);
    }
    // Panics stop by default, until the client sends its own exception filter choice.
    runtime.setExceptionFilters([{ id: 'panic' }]);
    this.trapTimer = setInterval(() => this.sendTrapBatch(), TRAP_EVENT_MS);
    this.trapTimer.unref();
    this.print(
      `booted ${this.booted.kernelPath} on ${config.harts} hart(s), ${config.memoryMB} MiB` +
        `${this.booted.diskPath ? `, disk ${this.booted.diskPath}` : ', no disk'} (virtio ${this.booted.virtio})\n`,
    );
    this.warnIfStale(config);
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  /** "Debug Anyway" after a failed make runs the previous kernel: say so (staleness.ts). */
  private warnIfStale(config: LaunchConfig): void {
    const bundled = dirname(bundledKernel());
    if (!this.booted || dirname(config.kernel) === bundled) return;
    const stale = staleKernel(this.booted.elf, this.booted.kernelPath, this.host);
    if (!stale) return;
    this.print(`${stale.message}\n`);
    this.sendXv6Event('xv6.staleKernel', stale);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    if (this.configured || !this.runtime) return;
    this.configured = true;
    if (this.config?.stopOnEntry) this.runtime.reportEntry();
    else this.runtime.continue();
  }

  private runtimeEvents(): ConstructorParameters<typeof Runtime>[2] {
    return {
      stopped: (stop) => {
        this.invalidate();
        // Programs built since the last stop name their frames from this one on.
        const built = this.userPrograms?.refresh();
        if (built) this.print(built + '\n');
        if (built && this.runtime) this.runtime.userPrograms = this.userPrograms!.programs;
        if (this.runtime) this.hiddenInline.set(stop.hart, hideAtStop(this.runtime, stop, this.stepper));
        // The stop's description names the faulting frame, found through lastStop.
        this.lastStop = stop;
        const s = (this.lastStop = this.withFaultingFrame(stop));
        const ev: DebugProtocol.StoppedEvent = new StoppedEvent(s.kind, s.hart + 1);
        ev.body.allThreadsStopped = true;
        if (s.description) ev.body.description = s.description;
        if (s.description && s.kind === 'exception') ev.body.text = s.description;
        if (s.hitBreakpointIds) ev.body.hitBreakpointIds = s.hitBreakpointIds;
        this.sendEvent(ev);
      },
      console: (text) => {
        this.sendEvent(new OutputEvent(text, 'stdout'));
        this.sendXv6Event('xv6.console', { text });
      },
      exited: (code, why) => {
        this.print(`${why}\n`);
        this.persistDisk();
        this.sendEvent(new ExitedEvent(code));
        this.sendEvent(new TerminatedEvent());
      },
      message: (text) => this.print(text.endsWith('\n') ? text : text + '\n'),
    };
  }

  private print(text: string): void {
    this.sendEvent(new OutputEvent(text, 'console'));
  }

  private sendTrapBatch(): void {
    const batch = this.runtime?.traps.takeBatch();
    if (batch) this.sendXv6Event('xv6.trap', batch);
  }

  protected override processList(): ProcessInfo[] {
    try {
      return this.processSource?.processes() ?? [];
    } catch {
      return [];
    }
  }

  // ---- threads and execution ------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const harts = this.runtime?.machine.harts ?? [];
    // Name each hart after the process it runs, once the process table is readable.
    let procs: ProcessInfo[] = [];
    try {
      procs = this.processSource?.processes() ?? [];
    } catch {
      procs = [];
    }
    const name = (i: number): string => {
      const p = procs.find((x) => x.hart === i);
      return p ? `hart ${i} (pid ${p.pid} ${p.name})` : `hart ${i}`;
    };
    response.body = { threads: harts.map((_h, i) => new Thread(i + 1, name(i))) };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.guard(response, () => {
      response.body = { allThreadsContinued: true };
      this.sendResponse(response);
      this.invalidate();
      this.rt().continue();
    });
  }

  protected override pauseRequest(
    response: DebugProtocol.PauseResponse,
    args: DebugProtocol.PauseArguments,
  ): void {
    this.guard(response, () => {
      // The stop names the thread asked for (runtime.ts pausedHart says why).
      const hart = args.threadId - 1;
      this.sendResponse(response);
      this.rt().pause(this.rt().machine.harts[hart] ? hart : undefined);
    });
  }

  private stepper: LineStepper | undefined;

  private lineStepper(): LineStepper {
    this.stepper ??= new LineStepper(this.rt(), () => this.kernelPath);
    return this.stepper;
  }

  private step(
    response: DebugProtocol.Response,
    args: { threadId: number; granularity?: DebugProtocol.SteppingGranularity },
    mode: StepMode,
  ): void {
    this.guard(response, () => {
      const h = this.hartOf(args.threadId);
      this.requireStopped();
      const hide = this.hiddenInline.get(h) ?? 0;
      this.sendResponse(response);
      this.invalidate();
      this.lineStepper().step(h, mode, args.granularity === 'instruction', hide);
    });
  }

  protected override nextRequest(
    response: DebugProtocol.NextResponse,
    args: DebugProtocol.NextArguments,
  ): void {
    this.step(response, args, 'over');
  }

  protected override stepInRequest(
    response: DebugProtocol.StepInResponse,
    args: DebugProtocol.StepInArguments,
  ): void {
    this.step(response, args, 'in');
  }

  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    args: DebugProtocol.StepOutArguments,
  ): void {
    this.step(response, args, 'out');
  }

  // ---- breakpoints ------------------------------------------------------------------

  /** C conditions and log messages, evaluated in the innermost frame of the hart that hit. */
  private frameTools(): bp.FrameTools {
    const inFrame = (h: number, expr: string): string => {
      const frame = this.topFrame(h);
      if (!frame) throw new Error('no frame');
      const ins = this.inspector();
      return ins.format(frame, ins.evaluate(frame, h, expr));
    };
    return {
      condition: (expr) => (h) => {
        try {
          const frame = this.topFrame(h);
          if (!frame) return true;
          const v = this.inspector().evaluate(frame, h, expr);
          return v.bytes.some((b) => b !== 0);
        } catch (e) {
          this.print(`breakpoint condition '${expr}': ${(e as Error).message}; stopping\n`);
          return true;
        }
      },
      log: (template) => (h) =>
        template.replace(/\{([^{}]+)\}/g, (_m, expr: string) => {
          try {
            return inFrame(h, expr);
          } catch (e) {
            return `<${(e as Error).message}>`;
          }
        }),
    };
  }

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      const path = args.source.path ?? args.source.name ?? '';
      response.body = {
        breakpoints: bp.setLineBreakpoints(this.rt(), path, args.breakpoints ?? [], this.frameTools()),
      };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      response.body = {
        breakpoints: bp.setFunctionBreakpoints(this.rt(), args.breakpoints, this.frameTools()),
      };
      this.sendResponse(response);
    });
  }

  protected override setInstructionBreakpointsRequest(
    response: DebugProtocol.SetInstructionBreakpointsResponse,
    args: DebugProtocol.SetInstructionBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      response.body = { breakpoints: bp.setInstructionBreakpoints(this.rt(), args.breakpoints) };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      response.body = { breakpoints: bp.setExceptionFilters(this.rt(), args) };
      this.sendResponse(response);
    });
  }

  // ---- data breakpoints (watch.ts) ---------------------------------------------------

  private watchpoints: Watchpoints | undefined;

  private watchTools(): WatchTools {
    const located = (hart: number, frame: { user: boolean }, value: Value) => ({
      value,
      hart,
      userFromKernel: frame.user && this.rt().machine.harts[hart]?.priv !== Priv.U,
    });
    return {
      evaluate: (expr, frameId) => {
        const { hart, frame } = this.frameOf(frameId);
        return located(hart, frame, this.inspector().evaluate(frame, hart, expr));
      },
      child: (ref, name) => {
        const found = this.inspector().child(ref, name);
        return found && located(this.lastStop?.hart ?? 0, found.frame, found.value);
      },
      condition: (expr) => this.frameTools().condition(expr),
    };
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    args: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    this.guard(response, () => {
      response.body = dataBreakpointInfo(this.rt(), args, this.watchTools(), this.lastStop?.hart ?? 0);
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    args: DebugProtocol.SetDataBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      this.watchpoints ??= new Watchpoints(this.rt());
      response.body = { breakpoints: this.watchpoints.set(args.breakpoints, this.watchTools()) };
      this.sendResponse(response);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const s = this.lastStop;
    response.body = {
      // VS Code shows it as "Exception has occurred: <id>": words, not the filter's id.
      exceptionId: s?.filter ? EXCEPTION_TITLES[s.filter] : 'exception',
      description: s?.description ?? 'no exception',
      breakMode: 'always',
      details: { message: s?.details ?? s?.description ?? '' },
    };
    this.sendResponse(response);
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    this.guard(response, () => {
      const body = handleCustomRequest(command, args, {
        runtime: this.rt(),
        currentHart: this.lastStop?.hart ?? 0,
        processSource: this.processSource,
      });
      if (body === undefined) throw new Error(`unknown request '${command}'`);
      response.body = body;
      this.sendResponse(response);
    });
  }

  protected override replCommand(line: string, hart: number): string | undefined {
    return replCommand(line, {
      runtime: this.rt(),
      hart,
      processSource: this.processSource,
      backtrace: () => backtraceText(this.framesOf(hart)),
    });
  }

  // ---- ending -------------------------------------------------------------------------

  private persistDisk(): void {
    if (this.persisted || !this.config?.persistDisk || !this.booted?.diskPath) return;
    this.persisted = true;
    try {
      this.booted.machine.disk?.persist(this.booted.diskPath);
      this.print(`disk written back to ${this.booted.diskPath}\n`);
    } catch (e) {
      this.print(`could not write the disk image back: ${(e as Error).message}\n`);
    }
  }

  private end(): void {
    this.runtime?.halt();
    if (this.trapTimer) clearInterval(this.trapTimer);
    this.trapTimer = undefined;
    this.persistDisk();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.end();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    args: DebugProtocol.DisconnectArguments,
  ): void {
    this.end();
    super.disconnectRequest(response, args);
  }
}

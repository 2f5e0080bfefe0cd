/**
 * Shared helpers of the adapter's end-to-end tests: start `node dist/adapter.js` under a
 * DebugClient, launch with a configuration (running a setup step between `initialized`
 * and `configurationDone`), and read frame 0's registers.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const adapterJs = join(__dirname, '..', '..', 'dist', 'adapter.js');

export function newClient(): DebugClient {
  assert.ok(existsSync(adapterJs), `${adapterJs} is missing: run npm run build`);
  return new DebugClient('node', adapterJs, 'xv6');
}

/** A fresh adapter for each test of the enclosing suite, stopped after it; `use` receives it. */
export function clientPerTest(use: (dc: DebugClient) => void): void {
  let dc: DebugClient | undefined;
  beforeEach(async () => {
    dc = newClient();
    use(dc);
    await dc.start();
  });
  afterEach(async () => {
    await dc?.stop();
  });
}

/** A test's adapter and what it printed (the debug console, which carries the guest's console). */
export interface ConsoleClient {
  readonly dc: DebugClient;
  readonly output: string;
  /** Waits (up to 60 s) for the shell's first prompt `$ `. */
  prompt(): Promise<void>;
  /** Waits for the prompt, then types `cmd` and Enter into the guest's console. */
  shell(cmd: string): Promise<void>;
}

/**
 * clientPerTest, keeping the output of each test's adapter: a suite boots the bundled
 * kernel and works at the shell prompt through the returned object.
 */
export function consoleClientPerTest(): ConsoleClient {
  let dc: DebugClient | undefined;
  let output = '';
  clientPerTest((d) => {
    dc = d;
    output = '';
    d.on('output', (e: DebugProtocol.OutputEvent) => {
      output += e.body.output;
    });
  });
  const c: ConsoleClient = {
    get dc(): DebugClient {
      assert.ok(dc, 'no adapter outside a test');
      return dc;
    },
    get output(): string {
      return output;
    },
    async prompt(): Promise<void> {
      const t0 = Date.now();
      while (!output.includes('$ ')) {
        if (Date.now() - t0 > 60_000) assert.fail(`no shell prompt:\n${output.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async shell(cmd: string): Promise<void> {
      await c.prompt();
      await c.dc.customRequest('xv6.consoleInput', { text: cmd + '\n' });
    },
  };
  return c;
}

/** The next `stopped` event of `dc` (make the promise before what causes the stop). */
export const nextStop = (dc: DebugClient, ms = 60_000): Promise<DebugProtocol.StoppedEvent> =>
  dc.waitForEvent('stopped', ms) as Promise<DebugProtocol.StoppedEvent>;

/**
 * Launch the bundled kernel and disk with a function breakpoint on `usertrap` for lazy
 * page faults only (`$scause == 13 || $scause == 15`), without stopping on entry.
 */
export function launchWithLazyFaultBreakpoint(dc: DebugClient): ReturnType<typeof launch> {
  return launch(
    dc,
    { disk: undefined },
    () =>
      dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'usertrap', condition: '$scause == 13 || $scause == 15' }],
      }),
    false,
  );
}

export async function launch(
  dc: DebugClient,
  args: Record<string, unknown>,
  setup: () => Promise<unknown> = async () => {},
  expectStop = true,
): Promise<DebugProtocol.StoppedEvent | undefined> {
  const stopped = expectStop ? dc.waitForEvent('stopped') : Promise.resolve(undefined);
  await Promise.all([
    dc
      .waitForEvent('initialized')
      .then(setup)
      .then(() => dc.configurationDoneRequest()),
    dc.launch({ disk: null, ...args }),
  ]);
  return (await stopped) as DebugProtocol.StoppedEvent | undefined;
}

export async function registers(dc: DebugClient, threadId = 1): Promise<Map<string, string>> {
  const st = await dc.stackTraceRequest({ threadId });
  const frameId = st.body.stackFrames[0]!.id;
  const scopes = await dc.scopesRequest({ frameId });
  const scope = scopes.body.scopes.find((s) => s.name === 'Registers') ?? scopes.body.scopes[0]!;
  const regs = await dc.variablesRequest({ variablesReference: scope.variablesReference });
  return new Map(regs.body.variables.map((v) => [v.name, v.value]));
}

/** Requests DebugClient has no typed method for. */
export const readMemory = (dc: DebugClient, a: DebugProtocol.ReadMemoryArguments) =>
  dc.send('readMemory', a) as Promise<DebugProtocol.ReadMemoryResponse>;
export const writeMemory = (dc: DebugClient, a: DebugProtocol.WriteMemoryArguments) =>
  dc.send('writeMemory', a) as Promise<DebugProtocol.WriteMemoryResponse>;
export const setInstructionBreakpoints = (
  dc: DebugClient,
  a: DebugProtocol.SetInstructionBreakpointsArguments,
) => dc.send('setInstructionBreakpoints', a) as Promise<DebugProtocol.SetInstructionBreakpointsResponse>;
export const disassemble = (dc: DebugClient, a: DebugProtocol.DisassembleArguments) =>
  dc.send('disassemble', a) as Promise<DebugProtocol.DisassembleResponse>;

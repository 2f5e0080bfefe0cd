/**
 * Stops about traps on the bundled kernel, as a student meets them: the "Page faults"
 * filter stops at the trap vector and the stack shows the vector, the trap, and the
 * faulting line of the user program with its locals; the same for a fault in the kernel
 * (kernelvec, the kernel's frames from sepc); "Reveal Source of sepc" (a disassemble
 * request at sepc) finds the user line from a kernel stop; user stacks keep the caller
 * of a system-call stub whose symbol has no size and no CFI (as upstream xv6's usys.S);
 * kernel assembly leaves (swtch) keep their caller; a stack through kernelvec goes on
 * to the interrupted kernel code; the "Trap" scope comes first at trap stops; medeleg is
 * decoded in words.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { parseElf, SHT_SYMTAB } from '../../emulator/elf';
import type { HartsResponse } from '../../adapter/protocol';
import * as C from './client';
import * as K from './kernels';

const root = join(__dirname, '..', '..');
const userDir = join(__dirname, 'user');
const lazytestsC = join(root, 'kernel', 'user', 'lazytests.c');
const prebuilt = (name: string): string => join(root, 'kernel', 'prebuilt', name);

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'latin1')
    .split('\n')
    .findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} in ${file}`);
  return i + 1;
}

/** The first lazy store of lazytests: `base[spot(i)] = mark(i);` in sparse_memory. */
const FAULT_LINE = lineOf(lazytestsC, 'base[spot(i)] = mark(i);');

/**
 * A copy of the user programs whose system-call stubs have symbols as upstream xv6's
 * usys.S gives them: no type, no size (and, as ours, no CFI).
 */
function sizelessStubs(): string {
  const stubs = new Set(
    readFileSync(join(root, 'kernel', 'syscalls.list'), 'latin1')
      .split('\n')
      .filter((l) => /^\d+\s+\w+/.test(l))
      .map((l) => l.split(/\s+/)[1]!),
  );
  const dir = mkdtempSync(join(tmpdir(), 'xv6-sizeless-'));
  for (const f of readdirSync(userDir)) {
    if (!f.startsWith('_')) {
      copyFileSync(join(userDir, f), join(dir, f));
      continue;
    }
    const bytes = new Uint8Array(readFileSync(join(userDir, f)));
    const elf = parseElf(bytes, f);
    const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB)!;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    elf.symbols.forEach((s, i) => {
      if (!stubs.has(s.name)) return;
      const at = symtab.offset + i * 24;
      dv.setUint8(at + 4, s.bind << 4); // STT_NOTYPE
      dv.setBigUint64(at + 16, 0n, true); // st_size
    });
    const read = parseElf(bytes, f).symbol('read');
    assert.ok(read && read.size === 0 && read.type === 0, `${f}: the read stub is sizeless`);
    writeFileSync(join(dir, f), bytes);
  }
  return dir;
}

describe('trap stops and user stacks', function () {
  this.timeout(180_000);
  const client = C.consoleClientPerTest();
  let dc: DebugClient;
  beforeEach(() => {
    dc = client.dc;
  });

  const frames = async (): Promise<DebugProtocol.StackFrame[]> =>
    (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  const evaluate = async (expression: string, frameId?: number): Promise<string> =>
    (await dc.evaluateRequest({ expression, context: 'repl', ...(frameId ? { frameId } : {}) })).body.result;
  const hexOf = (text: string): bigint => BigInt(/0x[0-9a-f]+/.exec(text)![0]);
  const scopes = async (frameId: number): Promise<DebugProtocol.Scope[]> =>
    (await dc.scopesRequest({ frameId })).body.scopes;
  const variables = async (scope: DebugProtocol.Scope | undefined): Promise<Map<string, string>> => {
    assert.ok(scope, 'the scope exists');
    const vs = await dc.variablesRequest({ variablesReference: scope.variablesReference });
    return new Map(vs.body.variables.map((v) => [v.name, v.value]));
  };
  /** The source line a disassemble request at `addr` names (the Traps view's "Reveal Source of sepc"). */
  const reveal = async (addr: bigint): Promise<string> => {
    const d = await C.disassemble(dc, {
      memoryReference: '0x' + addr.toString(16),
      instructionCount: 1,
      resolveSymbols: true,
    });
    const insn = d.body?.instructions[0];
    return `${insn?.location?.path ?? '?'}:${insn?.line ?? 0}`;
  };
  /** Launch (the bundled kernel) with `setup` and wait up to a minute for the first stop. */
  const launchTo = async (
    setup: () => Promise<unknown>,
    args: Record<string, unknown> = { disk: undefined },
  ): Promise<DebugProtocol.StoppedEvent> => {
    const ev = C.nextStop(dc);
    await C.launch(dc, args, setup, false);
    return ev;
  };
  const names = (st: DebugProtocol.StackFrame[]): string => st.map((f) => f.name).join(' | ');

  it('a page-fault stop shows the faulting user line, focused, with its locals', async () => {
    const ev = C.nextStop(dc);
    await C.launch(
      dc,
      { disk: undefined, userPrograms: userDir },
      () => dc.setExceptionBreakpointsRequest({ filters: ['pageFault'] }),
      false,
    );
    await client.shell('lazytests');
    const e = await ev;
    assert.equal(e.body.reason, 'exception');
    assert.match(
      e.body.description ?? '',
      new RegExp(`^Store/AMO page fault at 0x[0-9a-f]+ in sparse_memory \\(lazytests\\.c:${FAULT_LINE}\\)$`),
    );
    const stval = hexOf(await evaluate('$stval'));
    const sepc = hexOf(await evaluate('$sepc'));

    const st = await frames();
    // The vector, shown without a source so that the client focuses the faulting line.
    assert.equal(st[0]!.name, 'uservec', names(st));
    assert.equal(st[0]!.source, undefined);
    assert.equal(st[0]!.presentationHint, 'subtle');
    assert.equal(st[1]!.name, `── trap from user: Store/AMO page fault at 0x${stval.toString(16)} ──`);
    assert.equal(st[1]!.presentationHint, 'label');
    const fault = st[2]!;
    assert.equal(fault.name, 'sparse_memory (lazytests)');
    assert.equal(fault.source?.path, lazytestsC);
    assert.equal(fault.line, FAULT_LINE);
    assert.equal(BigInt(fault.instructionPointerReference!), sepc);
    const user = st.slice(2).map((f) => f.name);
    assert.ok(user.includes('main (lazytests)'), names(st));
    assert.equal(user[user.length - 1], '_start (lazytests)');
    assert.ok(
      st.slice(2).every((f) => f.source?.name && f.line > 0),
      names(st),
    );

    // The faulting frame's scopes: the trap first, then its locals (base is the faulting page).
    const sc = await scopes(fault.id);
    assert.deepEqual(sc.map((s) => s.name).slice(0, 3), ['Trap', 'Locals', 'Arguments']);
    const trap = await variables(sc[0]);
    assert.equal(trap.get('scause'), '15 Store/AMO page fault');
    assert.equal(trap.get('stval'), '0x' + stval.toString(16));
    assert.equal(trap.get('sepc'), `sparse_memory (lazytests.c:${FAULT_LINE})`);
    assert.match(trap.get('privilege') ?? '', /^U-mode/);
    assert.match(trap.get('process') ?? '', /^pid \d+ \(lazytests\)$/);
    const locals = await variables(sc[1]);
    assert.equal(hexOf(locals.get('base') ?? ''), stval);
    assert.equal(hexOf(await evaluate('base', fault.id)), stval);

    // gdb's bt in the debug console.
    const bt = (await evaluate('bt')).split('\n');
    assert.match(bt[0]!, /^#0 uservec at 0x0*3ffffff000$/);
    assert.equal(bt[1], st[1]!.name);
    assert.equal(bt[2], `#1 sparse_memory (lazytests) at user/lazytests.c:${FAULT_LINE}`);
    assert.ok(
      bt.some((l) => /^#\d+ main \(lazytests\) at user\/lazytests\.c:\d+$/.test(l)),
      bt.join('\n'),
    );

    // "Reveal Source of sepc" in the Traps view.
    assert.equal(await reveal(sepc), `${lazytestsC}:${FAULT_LINE}`);
  });

  it('from a page-fault stop, next steps the faulting user line and stepIn enters usertrap', async () => {
    const fault = async (): Promise<void> => {
      const ev = C.nextStop(dc);
      await C.launch(
        dc,
        { disk: undefined },
        () => dc.setExceptionBreakpointsRequest({ filters: ['pageFault'] }),
        false,
      );
      await client.shell('lazytests');
      assert.equal((await ev).body.reason, 'exception');
    };
    await fault();
    // next: the kernel maps the page, the store runs again, and the step ends on the
    // loop's next line in sparse_memory, in user mode (the fault's line done).
    let ev = C.nextStop(dc);
    await dc.nextRequest({ threadId: 1 });
    assert.equal((await ev).body.reason, 'step');
    let st = await frames();
    assert.equal(st[0]!.name, 'sparse_memory (lazytests)', names(st));
    assert.equal(st[0]!.source?.name, 'lazytests.c');
    assert.notEqual(st[0]!.line, FAULT_LINE, 'the faulting line was stepped over');
    const harts = (await dc.customRequest('xv6.harts', {})).body as HartsResponse;
    assert.equal(harts.harts[0]?.priv, 'U', 'the hart is back in user mode');
    // The next iteration faults on its own page: the filter stops there again, and
    // stepIn goes from the vector to the first line of usertrap.
    ev = C.nextStop(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await ev).body.reason, 'exception');
    ev = C.nextStop(dc);
    await dc.stepInRequest({ threadId: 1 });
    assert.equal((await ev).body.reason, 'step');
    st = await frames();
    assert.equal(st[0]!.name, 'usertrap', names(st));
    assert.equal(st[0]!.source?.name, 'trap.c');
  });

  it('"Reveal Source of sepc" finds the user line from a kernel stop (usertrap)', async () => {
    const ev = C.nextStop(dc);
    await C.launch(
      dc,
      { disk: undefined, userPrograms: userDir },
      () =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'usertrap', condition: '$scause == 15' }] }),
      false,
    );
    await client.shell('lazytests');
    await ev;
    const sepc = hexOf(await evaluate('$sepc'));
    // The trap log's entry for this fault has the same epc.
    const log = (await dc.customRequest('xv6.trapLog', {})).body as {
      traps: { epc: string; cause: number }[];
    };
    const entry = log.traps.filter((t) => t.cause === 15).pop();
    assert.equal(BigInt(entry!.epc), sepc);
    assert.equal(await reveal(sepc), `${lazytestsC}:${FAULT_LINE}`);
    const st = await frames();
    assert.equal(st[0]!.name, 'usertrap');
    const trap = await variables((await scopes(st[0]!.id))[0]);
    assert.equal(trap.get('sepc'), `sparse_memory (lazytests.c:${FAULT_LINE})`);
  });

  it('a kernel fault stops at kernelvec with the kernel frames from sepc', async () => {
    await C.launch(dc, { disk: undefined }, async () => {}, false);
    await client.prompt();
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'memmove', condition: 'n > 0' }] });
    const atMove = C.nextStop(dc);
    await dc.customRequest('xv6.consoleInput', { text: 'ls\n' });
    await atMove;
    const caller = (await frames())[1]!.name;
    // memmove's source becomes an unmapped kernel address: its first load faults.
    const regs = (await scopes((await frames())[0]!.id)).find((s) => s.name === 'Registers')!;
    await dc.setVariableRequest({ variablesReference: regs.variablesReference, name: 'a1', value: '0x1000' });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.setExceptionBreakpointsRequest({ filters: ['kernelException'] });
    const fault = C.nextStop(dc);
    await dc.continueRequest({ threadId: 1 });
    const e = await fault;
    assert.match(e.body.description ?? '', /^Load page fault at 0x0+1000 in memmove \(string\.c:\d+\)$/);
    const st = await frames();
    assert.equal(st[0]!.name, 'kernelvec', names(st));
    assert.equal(st[0]!.source, undefined);
    assert.equal(st[1]!.name, '── trap from kernel: Load page fault at 0x1000 ──');
    assert.equal(st[2]!.name, 'memmove');
    assert.equal(st[2]!.source?.name, 'string.c');
    assert.equal(BigInt(st[2]!.instructionPointerReference!), hexOf(await evaluate('$sepc')));
    assert.equal(st[3]!.name, caller, names(st));
    const trap = await variables((await scopes(st[2]!.id))[0]);
    assert.equal(trap.get('scause'), '13 Load page fault');
    assert.match(trap.get('sepc') ?? '', /^memmove \(string\.c:\d+\)$/);
    assert.match(trap.get('privilege') ?? '', /^S-mode/);
    const bt = await evaluate('bt');
    assert.match(
      bt,
      /^#0 kernelvec at 0x[0-9a-f]+\n── trap from kernel: Load page fault at 0x1000 ──\n#1 memmove at kernel\/string\.c:\d+\n/,
    );
  });

  it('keeps the caller of a system-call stub without size or CFI (sh in read)', async () => {
    await C.launch(dc, { disk: undefined, userPrograms: sizelessStubs() }, async () => {}, false);
    await client.prompt();
    await dc.setFunctionBreakpointsRequest({
      breakpoints: [
        { name: 'usertrap', condition: "cpus[0].proc->name[0] == 's' && cpus[0].proc->name[1] == 'h'" },
      ],
    });
    const ev = C.nextStop(dc);
    await dc.customRequest('xv6.consoleInput', { text: 'ls\n' });
    await ev;
    const st = await frames();
    const label = st.findIndex((f) => f.presentationHint === 'label');
    assert.equal(st[label]!.name, '── trap from user: Environment call from U-mode ──');
    const user = st.slice(label + 1);
    assert.deepEqual(
      user.map((f) => `${f.name} ${f.source?.name ?? '-'}`),
      ['read (sh) usys.S', 'gets (sh) ulib.c', 'main (sh) sh.c', '_start (sh) ustart.c'],
    );
    const bt = await evaluate('bt');
    assert.match(
      bt,
      /\n#\d+ read \(sh\) at build\/user\/usys\.S:\d+\n#\d+ gets \(sh\) at user\/ulib\.c:\d+\n/,
    );
    const trap = await variables((await scopes(st[0]!.id))[0]);
    assert.equal(trap.get('scause'), '8 Environment call from U-mode');
    assert.match(trap.get('sepc') ?? '', /^read \(usys\.S:\d+\)$/);
    assert.match(trap.get('process') ?? '', /^pid \d+ \(sh\)$/);
  });

  it('keeps main below the mkdir stub under sys_mkdir', async () => {
    await C.launch(dc, { disk: undefined, userPrograms: sizelessStubs() }, async () => {}, false);
    await client.prompt();
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sys_mkdir' }] });
    const ev = C.nextStop(dc);
    await dc.customRequest('xv6.consoleInput', { text: 'mkdir newdir\n' });
    await ev;
    const st = await frames();
    const label = st.findIndex((f) => f.presentationHint === 'label');
    assert.deepEqual(
      st.slice(0, label).map((f) => f.name),
      ['sys_mkdir', 'syscall', 'usertrap'],
    );
    assert.deepEqual(
      st.slice(label + 1).map((f) => f.name),
      ['mkdir (mkdir)', 'main (mkdir)', '_start (mkdir)'],
    );
  });

  it('names kernel assembly without a symbol size and returns from it through ra (swtch)', async () => {
    await launchTo(() => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'swtch' }] }));
    const st = await frames();
    assert.deepEqual(st.map((f) => `${f.name} ${f.source?.name ?? '-'}`).slice(0, 3), [
      'swtch swtch.S',
      'scheduler proc.c',
      'main main.c',
    ]);
    // Not a trap stop: no Trap scope.
    assert.notEqual((await scopes(st[0]!.id))[0]?.name, 'Trap');
  });

  it('puts the Trap scope first at a panic, with the user program that made the call', async () => {
    const ev = C.nextStop(dc);
    await C.launch(
      dc,
      { kernel: prebuilt('kernel-stage1'), disk: undefined, userPrograms: userDir },
      async () => {},
      false,
    );
    await client.shell('lazytests');
    const e = await ev;
    assert.match(e.body.description ?? '', /^panic: uvmunmap/);
    const st = await frames();
    const sc = await scopes(st[0]!.id);
    assert.equal(sc[0]!.name, 'Trap');
    const trap = await variables(sc[0]);
    assert.equal(trap.get('scause'), '8 Environment call from U-mode');
    assert.match(trap.get('sepc') ?? '', /^sbrk \(usys\.S:\d+\)$/);
    assert.match(trap.get('privilege') ?? '', /^U-mode/);
    assert.match(trap.get('process') ?? '', /^pid \d+ \(lazytests\)$/);
  });

  it('crosses kernelvec to the interrupted kernel code, with the Trap scope first', async () => {
    await launchTo(() => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'kerneltrap' }] }));
    const st = await frames();
    const sepc = hexOf(await evaluate('$sepc'));
    const scause = hexOf(await evaluate('$scause'));
    assert.equal(scause >> 63n, 1n, 'the boot takes a timer interrupt in the scheduler');
    assert.deepEqual(
      st.slice(0, 2).map((f) => f.name),
      ['kerneltrap', 'kernelvec'],
    );
    assert.match(st[2]!.name, /^── trap from kernel: Supervisor \w+ interrupt ──$/);
    // The interrupted code at sepc (kernelvec's saved registers), down to the scheduler.
    assert.equal(BigInt(st[3]!.instructionPointerReference!), sepc);
    assert.ok(st[3]!.line > 0, names(st));
    assert.ok(
      st.slice(3).some((f) => f.name === 'scheduler' && f.source?.name === 'proc.c'),
      names(st),
    );
    const sc = await scopes(st[0]!.id);
    assert.equal(sc[0]!.name, 'Trap');
    const trap = await variables(sc[0]);
    assert.match(trap.get('scause') ?? '', new RegExp(`^${scause & 0xffffn} Supervisor \\w+ interrupt$`));
    assert.equal(trap.get('sepc'), `${st[3]!.name} (${st[3]!.source?.name}:${st[3]!.line})`);
    assert.match(trap.get('privilege') ?? '', /^S-mode/);
  });

  it('shows no Trap scope at a panic before the hart took any trap', async () => {
    const ev = await launchTo(async () => {}, { kernel: K.panicKernel() });
    assert.equal(ev.body.reason, 'exception');
    const st = await frames();
    assert.equal(st[0]!.name, 'panic');
    assert.deepEqual(
      (await scopes(st[0]!.id)).map((s) => s.name),
      ['Registers', 'CSRs'],
    );
  });

  it('decodes medeleg in words, as mideleg', async () => {
    await launchTo(() => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] }));
    const st = await frames();
    assert.equal(st[0]!.name, 'main');
    const csrs = await variables((await scopes(st[0]!.id)).find((s) => s.name === 'CSRs'));
    const medeleg = csrs.get('medeleg') ?? '';
    assert.match(medeleg, /^0x[0-9a-f]+ \(.*Load page fault.*\)$/);
    assert.match(medeleg, /Environment call from U-mode/);
    assert.doesNotMatch(medeleg, /\(\d+, \d+/);
  });
});

/**
 * Source-level debugging across the user/kernel boundary on the bundled kernel and its
 * disk: a conditional function breakpoint on usertrap while lazytests runs (the lazy
 * page fault, its stack crossing into user space, `p->sz` and `*p->trapframe`, the page
 * mapped afterwards), the pageFault exception filter with a condition, stepping over
 * and into an `ecall`, stepping through `sret` back to user code, and the panics of the
 * staged kernels with backtraces naming the lab's functions.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { PageTableResponse, ProcessesResponse } from '../../adapter/protocol';
import * as C from './client';

const prebuilt = (name: string): string => join(__dirname, '..', '..', 'kernel', 'prebuilt', name);
const trapc = join(__dirname, '..', '..', 'kernel', 'kernel', 'trap.c');
/** `uint64 va = csr_read(stval);` in usertrap's page-fault branch. */
const USERTRAP_VA_LINE = 95;

describe('source-level debugging across user and kernel', function () {
  this.timeout(180_000);
  const client = C.consoleClientPerTest();
  let dc: DebugClient;
  beforeEach(() => {
    dc = client.dc;
  });
  const shell = (cmd: string): Promise<void> => client.shell(cmd);

  const frames = async (): Promise<DebugProtocol.StackFrame[]> =>
    (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  const evaluate = async (
    expression: string,
    frameId?: number,
  ): Promise<DebugProtocol.EvaluateResponse['body']> =>
    (await dc.evaluateRequest({ expression, context: 'repl', ...(frameId ? { frameId } : {}) })).body;
  const stopped = (): Promise<DebugProtocol.StoppedEvent> => C.nextStop(dc);

  it('stops in usertrap on a lazy page fault and shows the process through C expressions', async () => {
    const ev = stopped();
    await C.launchWithLazyFaultBreakpoint(dc);
    await shell('lazytests');
    assert.equal((await ev).body.reason, 'function breakpoint');
    const scause = BigInt(/0x[0-9a-f]+/.exec((await evaluate('$scause')).result)![0]);
    assert.ok(scause === 13n || scause === 15n, `scause ${scause}`);
    const procs = (await dc.customRequest('xv6.processes', {})).body as ProcessesResponse;
    const me = procs.processes.find((p) => p.hart === 0);
    assert.equal(me?.name, 'lazytests');
    const stval = BigInt(/0x[0-9a-f]+/.exec((await evaluate('$stval')).result)![0]);
    assert.ok(stval < BigInt(me.sz), `stval ${stval} below sz ${me.sz}`);

    const st = await frames();
    assert.equal(st[0]!.name, 'usertrap');
    assert.equal(st[0]!.source?.name, 'trap.c');
    const label = st[1]!;
    assert.match(label.name, /^── trap from user: (Load|Store\/AMO) page fault at 0x[0-9a-f]+ ──$/);
    assert.equal(label.presentationHint, 'label');
    // No userPrograms: the program is named from the disk image.
    assert.match(st[2]!.name, / \(lazytests\)$/);

    // On to the line where p is known: p->sz and *p->trapframe.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const lineBp = await dc.setBreakpointsRequest({
      source: { path: trapc },
      breakpoints: [{ line: USERTRAP_VA_LINE }],
    });
    const verifiedLine = lineBp.body.breakpoints[0]!.line;
    assert.ok(
      verifiedLine !== undefined && verifiedLine >= USERTRAP_VA_LINE && verifiedLine <= USERTRAP_VA_LINE + 1,
    );
    const atLine = stopped();
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await atLine).body.reason, 'breakpoint');
    const f0 = (await frames())[0]!;
    assert.equal(f0.line, verifiedLine);
    assert.equal((await evaluate('p->sz', f0.id)).result, String(me.sz));
    const tf = await evaluate('*p->trapframe', f0.id);
    assert.match(tf.result, /^\{ra = \d+, sp = \d+, /);
    assert.ok(tf.variablesReference > 0, 'the trap frame expands');
    const members = await dc.variablesRequest({ variablesReference: tf.variablesReference });
    assert.ok(members.body.variables.some((v) => v.name === 'epc'));
    assert.equal((await evaluate('p->trapframe->epc == $sepc', f0.id)).result, '1');
    await assert.rejects(evaluate('p->nosuch', f0.id), /there is no member named nosuch/);
    // Casts to the kernel's types, sizeof, and the console's pagetable command.
    const addr = (await evaluate('(long)p', f0.id)).result;
    const cast = await evaluate(
      `((struct proc *)${addr})->pid == p->pid && sizeof(struct trapframe) == 288`,
      f0.id,
    );
    assert.equal(cast.result, '1');
    const text = (await evaluate(`pagetable ${me.pid}`)).result;
    assert.match(text, /^page table 0x[0-9a-f]+ \(satp 0x8[0-9a-f]+, Sv39\)\n\.\.0: pte 0x/);
    assert.match(text, /\n\.\. \.\. \.\.\d+: pte 0x[0-9a-f]+ pa 0x[0-9a-f]+ VRW-U/);

    // After usertrap's work the page is mapped, with U set.
    await dc.setBreakpointsRequest({ source: { path: trapc }, breakpoints: [] });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'usertrapret' }] });
    const ret = stopped();
    await dc.continueRequest({ threadId: 1 });
    await ret;
    const pt = (await dc.customRequest('xv6.pageTable', { pid: me.pid })).body as PageTableResponse;
    const page = stval & ~0xfffn;
    const range = pt.ranges.find((r) => BigInt(r.vaStart) <= page && page < BigInt(r.vaEnd));
    assert.ok(range, `page 0x${page.toString(16)} is mapped`);
    assert.match(range.flags, /U/);
  });

  it('continues the stack into the user program when its ELF is known (userPrograms)', async () => {
    const ev = stopped();
    await C.launch(
      dc,
      { disk: undefined, userPrograms: join(__dirname, 'user') },
      () =>
        dc.setFunctionBreakpointsRequest({
          breakpoints: [{ name: 'usertrap', condition: '$scause == 15' }],
        }),
      false,
    );
    await shell('lazytests');
    await ev;
    const st = await frames();
    const label = st.findIndex((f) => f.presentationHint === 'label');
    assert.ok(label > 0);
    const user = st.slice(label + 1);
    assert.ok(user.length >= 2, `user frames: ${user.map((f) => f.name).join(', ')}`);
    assert.ok(
      user.every((f) => f.name.endsWith(' (lazytests)') && f.line > 0),
      user.map((f) => `${f.name}:${f.line}`).join(', '),
    );
    // The faulting store is in the test body, called (through the test table) from main.
    assert.equal(user[0]!.source?.name, 'lazytests.c');
    assert.equal(user[user.length - 1]!.name, '_start (lazytests)');
    assert.ok(user.some((f) => f.name === 'main (lazytests)'));
    const pc = (await evaluate('$sepc')).result;
    assert.equal(BigInt(user[0]!.instructionPointerReference!), BigInt(/0x[0-9a-f]+/.exec(pc)![0]));
  });

  it('stops on the first lazy fault through the pageFault filter, honouring its condition', async () => {
    const ev = stopped();
    await C.launch(
      dc,
      { disk: undefined },
      () =>
        dc.setExceptionBreakpointsRequest({
          filters: [],
          filterOptions: [{ filterId: 'pageFault', condition: 'priv == U && stval >= 0x10000' }],
        }),
      false,
    );
    await shell('lazytests');
    const e = await ev;
    assert.equal(e.body.reason, 'exception');
    assert.match(e.body.description ?? '', /^(Load|Store\/AMO) page fault at 0x[0-9a-f]+/);
    const stval = BigInt(/0x[0-9a-f]+/.exec((await evaluate('$stval')).result)![0]);
    assert.ok(stval >= 0x10000n, `the condition holds: stval 0x${stval.toString(16)}`);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'Page fault');
  });

  it('steps over an ecall back to user code, into one to usertrap, and through sret', async () => {
    // The shell's write() (a C condition over the kernel's globals picks the process).
    await C.launch(dc, { disk: undefined }, () =>
      dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'sys_write', condition: "cpus[0].proc->name[0] == 's'" }],
      }),
    );
    const procs = (await dc.customRequest('xv6.processes', {})).body as ProcessesResponse;
    assert.equal(procs.processes.find((p) => p.hart === 0)?.name, 'sh');
    // The write() stub's ecall is 4 bytes before the saved (already advanced) epc.
    const r = await evaluate('cpus[0].proc->trapframe->epc - 4');
    const ecall = Number(r.result);
    assert.ok(ecall > 0 && ecall < 0x100000, `ecall at ${r.result}`);
    const here = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(here.map((f) => f.name).slice(0, 3), ['sys_write', 'syscall', 'usertrap']);
    assert.equal(here[3]?.name, '── trap from user: Environment call from U-mode ──');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await C.setInstructionBreakpoints(dc, {
      breakpoints: [{ instructionReference: '0x' + ecall.toString(16) }],
    });
    // The breakpoint is on a virtual address: other programs have other code there.
    const toEcall = async (): Promise<void> => {
      // The shell writes its prompt again after each command.
      await dc.customRequest('xv6.consoleInput', { text: 'echo hi\n' });
      for (let i = 0; i < 50; i++) {
        const hit = stopped();
        await dc.continueRequest({ threadId: 1 });
        assert.equal((await hit).body.reason, 'instruction breakpoint');
        const d = await C.disassemble(dc, {
          memoryReference: '0x' + ecall.toString(16),
          instructionCount: 1,
        });
        if (d.body?.instructions[0]?.instruction.trim() === 'ecall') return;
      }
      assert.fail('the ecall was not reached');
    };
    await toEcall();
    assert.equal((await C.registers(dc)).get('priv'), 'U-mode');

    const over = stopped();
    await dc.nextRequest({ threadId: 1 });
    assert.equal((await over).body.reason, 'step');
    let regs = await C.registers(dc);
    assert.equal(regs.get('priv'), 'U-mode');
    assert.equal(BigInt(regs.get('pc')!.split(' ')[0]!), BigInt(ecall + 4));

    await toEcall();
    await C.setInstructionBreakpoints(dc, { breakpoints: [] });
    const into = stopped();
    await dc.stepInRequest({ threadId: 1 });
    assert.equal((await into).body.reason, 'step');
    const f = (await frames())[0]!;
    assert.equal(f.name, 'usertrap');
    assert.ok(f.line > 0);

    // From usertrapret, `next` goes line by line, into the trampoline (its call never
    // returns: stepped into, not over), then instruction by instruction through sret.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'usertrapret' }] });
    const atRet = stopped();
    await dc.continueRequest({ threadId: 1 });
    await atRet;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const s = stopped();
      await dc.nextRequest({ threadId: 1 });
      assert.equal((await s).body.reason, 'step');
      seen.add((await frames())[0]!.name.replace(/\+\d+$/, ''));
      regs = await C.registers(dc);
      if (regs.get('priv') === 'U-mode') break;
    }
    assert.equal(regs.get('priv'), 'U-mode');
    assert.equal(BigInt(regs.get('pc')!.split(' ')[0]!), BigInt(ecall + 4));
    // The trampoline's code is named by its labels (userret).
    assert.ok(seen.has('usertrapret') && seen.has('userret'), [...seen].join(', '));
  });

  const panics: [number, string, RegExp, string[]][] = [
    [1, 'lazytests', /^panic: uvmunmap: /, ['uvmunmap', 'uvmdealloc', 'growproc', 'sys_sbrk']],
    [2, 'usertests sparsefork', /^panic: uvmcopy: page not present/, ['uvmcopy', 'fork']],
    [4, 'usertests argptest', /^panic: freewalk: leaf/, ['freewalk']],
    [5, 'usertests stacktest', /^panic: remap/, ['mappages', 'usertrap']],
  ];
  for (const [stage, cmd, message, names] of panics) {
    it(`stage ${stage}: stops on the panic with a source backtrace (${names.join(' < ')})`, async () => {
      const ev = stopped();
      await C.launch(
        dc,
        { kernel: prebuilt(`kernel-stage${stage}`), disk: undefined },
        async () => {},
        false,
      );
      await shell(cmd);
      const e = await ev;
      assert.equal(e.body.reason, 'exception');
      assert.match(e.body.description ?? '', message);
      assert.match(client.output, /#0 panic at kernel\/printf\.c:\d+\n/);
      const bt = client.output.slice(client.output.indexOf('#0 panic'));
      const order = names.map((n) => bt.search(new RegExp(`#\\d+ ${n} at kernel/\\w+\\.c:\\d+`)));
      assert.ok(
        order.every((i) => i > 0),
        `backtrace names ${names.join(', ')}:\n${bt}`,
      );
      assert.deepEqual(
        [...order].sort((a, b) => a - b),
        order,
        `in call order:\n${bt}`,
      );
      const st = await frames();
      assert.equal(st[0]!.name, 'panic');
      assert.equal(st[0]!.source?.name, 'printf.c');
    });
  }
});

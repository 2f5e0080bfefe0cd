/**
 * Text the extension shows, built without VS Code so it can be tested: the status bar
 * line while the guest runs (`xv6 · 3 harts · running`) and for the stopped hart
 * (`hart 0 of 3 · pid 3 sh · S-mode`) with its tooltip, the warning after a failed build,
 * and the backtrace `xv6: Copy Backtrace` puts on the clipboard (`#0 panic at
 * kernel/printf.c:40`, gdb's `bt` shape, the same as the adapter prints in the debug console).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { HartInfo } from '../adapter/protocol';

const MODE_NAME: Record<HartInfo['priv'], string> = { U: 'U-mode', S: 'S-mode', M: 'M-mode' };

export interface BuildFacts {
  /** make's exit code, when the preLaunchTask failed. */
  makeExit?: number;
  /** The adapter's stale-kernel line. */
  stale?: string;
}

/** The notification's text, or undefined when there is nothing to say. */
export function buildWarningText(f: BuildFacts): string | undefined {
  const tail = 'stops may point at lines that no longer hold that code';
  if (f.makeExit !== undefined)
    return (
      `xv6: make failed (exit code ${f.makeExit}), so this session runs the kernel of the last ` +
      `build that worked; ${tail}. Fix the errors in Problems and restart.`
    );
  if (f.stale) return `xv6: ${f.stale}.`;
  return undefined;
}

/** `3 harts`, `1 hart`. */
export function hartCount(n: number): string {
  return `${n} hart${n === 1 ? '' : 's'}`;
}

/** The status bar line while the session starts or runs: `xv6 · 3 harts · running`. */
export function runStatus(state: 'starting' | 'running', harts: number | undefined): string {
  return ['xv6', ...(harts !== undefined ? [hartCount(harts)] : []), state].join(' · ');
}

/** The harts of a session's resolved launch configuration (the adapter's default is 1). */
export function configuredHarts(config: Record<string, unknown>): number {
  const n = config['harts'];
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : 1;
}

/** The status bar line for one hart (`hart 1 of 3 · ...` when the count is given). */
export function statusLine(h: HartInfo, harts?: number): string {
  const parts = [harts !== undefined ? `hart ${h.hart} of ${harts}` : `hart ${h.hart}`];
  if (h.pid !== undefined) parts.push(`pid ${h.pid}${h.name ? ` ${h.name}` : ''}`);
  else if (h.idle) parts.push('idle');
  parts.push(MODE_NAME[h.priv] ?? `${String(h.priv)}-mode`);
  return parts.join(' · ');
}

/** The status bar tooltip: where the hart is and what it runs. */
export function statusTooltip(h: HartInfo, harts: number): string {
  return [
    `xv6: hart ${h.hart} of ${harts} stopped in ${MODE_NAME[h.priv] ?? h.priv}`,
    `pc ${h.pc}${h.func ? ` in ${h.func}` : ''}`,
    h.pid !== undefined ? `process ${h.pid}${h.name ? ` (${h.name})` : ''}` : 'no process on this hart',
    `satp ${h.satp}`,
  ].join('\n');
}

/** The hart a stop is about (thread id = hart + 1), else the first one. */
export function stoppedHart(harts: readonly HartInfo[], threadId: number | undefined): HartInfo | undefined {
  const want = threadId !== undefined && threadId > 0 ? threadId - 1 : undefined;
  return harts.find((h) => h.hart === want) ?? harts[0];
}

/**
 * `#n name at file:line` lines from DAP stack frames; a frame without source shows its
 * pc, a label frame (a boundary such as user space) only its name. Paths inside one of
 * `roots` are shown relative to it.
 */
export function backtraceLines(
  frames: readonly DebugProtocol.StackFrame[],
  roots: readonly string[] = [],
): string[] {
  let n = 0;
  return frames.map((f) => {
    if (f.presentationHint === 'label') return f.name;
    const path = f.source?.path ?? f.source?.name;
    const where =
      path && f.line > 0
        ? ` at ${relative(path, roots)}:${f.line}`
        : f.instructionPointerReference
          ? ` at ${f.instructionPointerReference}`
          : '';
    return `#${n++} ${f.name}${where}`;
  });
}

function relative(path: string, roots: readonly string[]): string {
  const p = path.replace(/\\/g, '/');
  let best: string | undefined;
  for (const r of roots) {
    const root = r.replace(/\\/g, '/').replace(/\/+$/, '');
    if (p.startsWith(root + '/') && (best === undefined || root.length > best.length)) best = root;
  }
  return best === undefined ? path : p.slice(best.length + 1);
}

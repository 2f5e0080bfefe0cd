/**
 * The Harts and Processes view's model: one row per hart from `xv6.harts` (privilege
 * mode, pc and its function, the process it runs, or idle in wfi), then the process
 * table from `xv6.processes` (pid, name, state, hart).
 */
import type { HartInfo, ProcessInfo } from '../../../adapter/protocol';
import { shortHex, sizeText } from './format';
import type { Row } from './rows';

const PRIV_NAME = { U: 'user', S: 'supervisor', M: 'machine' } as const;

export function hartRow(h: HartInfo, stopped: boolean, idPrefix: string): Row {
  const where = h.func ?? shortHex(h.pc);
  const proc = h.pid !== undefined ? `pid ${h.pid}${h.name ? ` ${h.name}` : ''}` : undefined;
  const parts = [h.priv, h.idle ? `idle (wfi) in ${where}` : where];
  if (proc) parts.push(proc);
  return {
    id: `${idPrefix}/hart${h.hart}`,
    label: `hart ${h.hart}`,
    description: parts.join(' · ') + (stopped ? ' · stopped here' : ''),
    tooltip: [
      `hart ${h.hart}: ${PRIV_NAME[h.priv]} mode${h.idle ? ', waiting for an interrupt (wfi)' : ''}`,
      `pc ${h.pc}${h.func ? ` in ${h.func}` : ''}`,
      `satp ${h.satp}`,
      proc ? `running ${proc}` : 'no process (scheduler or kernel code)',
      `${h.instret} instructions retired`,
    ].join('\n'),
    collapsible: 'none',
    contextValue: 'xv6.hart',
    icon: stopped ? 'debug-stackframe' : h.idle ? 'debug-pause' : 'chip',
  };
}

export function processesHeaderRow(count: number, idPrefix: string, note?: string): Row {
  return {
    id: `${idPrefix}/processes`,
    label: 'Processes',
    description: note ?? `${count}`,
    ...(note ? { tooltip: note } : {}),
    collapsible: 'expanded',
    contextValue: 'xv6.processes',
    icon: 'list-flat',
  };
}

export function processTableRow(p: ProcessInfo, idPrefix: string): Row {
  return {
    id: `${idPrefix}/proc${p.pid}`,
    label: `${p.pid} ${p.name}`,
    description: `${p.state}${p.hart !== undefined ? ` · hart ${p.hart}` : ''}`,
    tooltip: [
      `pid ${p.pid} (${p.name}): ${p.state}`,
      `sz ${sizeText(p.sz)}`,
      `satp ${p.satp}`,
      p.hart !== undefined ? `on hart ${p.hart}` : 'not on a hart',
    ].join('\n'),
    collapsible: 'none',
    contextValue: 'xv6.process',
    icon: p.hart !== undefined ? 'play' : 'circle-outline',
  };
}

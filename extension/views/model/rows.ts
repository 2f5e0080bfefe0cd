/**
 * The vscode-free description of one tree row: what the view layer turns into a
 * `TreeItem`. Keeping rows plain data lets the models that build them from adapter
 * responses be unit-tested without VS Code.
 */

export type Collapsible = 'none' | 'collapsed' | 'expanded';

export interface Row {
  /** Unique within its view (VS Code keeps expansion state by id). */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  collapsible: Collapsible;
  /** `contextValue` for menus (`xv6.pageRange`, `xv6.trap`, ...). */
  contextValue?: string;
  /** A codicon name (`debug-stackframe`, `warning`, ...). */
  icon?: string;
}

/** A row that stands for a problem or an explanation instead of data. */
export function messageRow(id: string, text: string, kind: 'error' | 'info' = 'error'): Row {
  const first = text.split('\n')[0] ?? text;
  return {
    id,
    label: first,
    tooltip: text,
    collapsible: 'none',
    contextValue: kind === 'error' ? 'xv6.error' : 'xv6.note',
    icon: kind === 'error' ? 'warning' : 'info',
  };
}

/** The message of a failed request, one line, without a "Error:" prefix. */
export function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : typeof e === 'string' ? e : 'unknown error';
  return (m.split('\n')[0] ?? m).replace(/^Error:\s*/, '');
}

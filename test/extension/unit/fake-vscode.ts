/**
 * A small stand-in for the `vscode` module, enough for extension/views to run under
 * plain mocha: tree views whose visibility a test sets, a debug session whose
 * customRequest answers from a test's table, a tracker that the test feeds DAP messages,
 * a workspace-state memento, and a record of what the views showed (messages, opened
 * documents, quick picks, context keys).
 * Importing this file makes `require('vscode')` return it. The real VS Code run is
 * EXT-TEST's suite; this one checks the refresh logic quickly and deterministically.
 */
import Module from 'node:module';

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>): { dispose(): void } => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  iconPath?: unknown;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    public label: string,
    public collapsibleState: number,
  ) {}
}

export class ThemeIcon {
  constructor(readonly id: string) {}
}

export class Range {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}
}

export class Uri {
  constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
  ) {}
  static from(c: { scheme: string; authority?: string; path?: string; query?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '', c.query ?? '');
  }
  static file(path: string): Uri {
    return new Uri('file', '', path, '');
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}${this.query ? '?' + this.query : ''}`;
  }
}

export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 } as const;

/** The extension's workspace state: a plain map. */
export class Memento {
  private readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

export class FakeTreeView {
  visible = true;
  message: string | undefined;
  description: string | undefined;
  selection: unknown[] = [];
  readonly revealed: unknown[] = [];
  private readonly vis = new EventEmitter<{ visible: boolean }>();
  readonly onDidChangeVisibility = this.vis.event;
  constructor(readonly provider: { onDidChangeTreeData: (l: Listener<unknown>) => unknown }) {
    provider.onDidChangeTreeData(() => (this.changes += 1));
  }
  /** onDidChangeTreeData events fired so far. */
  changes = 0;
  setVisible(v: boolean): void {
    this.visible = v;
    this.vis.fire({ visible: v });
  }
  reveal(node: unknown): Promise<void> {
    this.revealed.push(node);
    return Promise.resolve();
  }
  dispose(): void {}
}

export interface FakeSession {
  id: string;
  type: string;
  name: string;
  customRequest(command: string, args?: unknown): Promise<unknown>;
}

interface Tracker {
  onDidSendMessage?(m: unknown): void;
  onWillReceiveMessage?(m: unknown): void;
  onWillStopSession?(): void;
}

/** What the fake records and what a test controls. */
export const state = {
  views: new Map<string, FakeTreeView>(),
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  config: new Map<string, unknown>(),
  messages: [] as string[],
  /** Context keys set with the `setContext` command. */
  contextKeys: new Map<string, unknown>(),
  opened: [] as { uri: string; text: string; selection?: Range }[],
  quickPick: (items: { label: string }[]): unknown => items[0],
  trackers: new Map<FakeSession, Tracker>(),
  providers: new Map<string, { provideTextDocumentContent(u: Uri): string }>(),
  activeSession: undefined as FakeSession | undefined,
  activeChanged: new EventEmitter<FakeSession | undefined>(),
  terminated: new EventEmitter<FakeSession>(),
  customEvent: new EventEmitter<{ session: FakeSession; event: string; body: unknown }>(),
  trackerFactory: undefined as { createDebugAdapterTracker(s: FakeSession): Tracker } | undefined,
};

/** Start a session: VS Code creates its tracker and makes it active. */
export function startSession(s: FakeSession): Tracker {
  const t = state.trackerFactory!.createDebugAdapterTracker(s);
  state.trackers.set(s, t);
  state.activeSession = s;
  state.activeChanged.fire(s);
  return t;
}

const noop = { dispose: (): void => {} };

export const window = {
  createTreeView(id: string, o: { treeDataProvider: FakeTreeView['provider'] }): FakeTreeView {
    const v = new FakeTreeView(o.treeDataProvider);
    state.views.set(id, v);
    return v;
  },
  showInformationMessage: (m: string) => (state.messages.push(m), Promise.resolve(undefined)),
  showWarningMessage: (m: string) => (state.messages.push(m), Promise.resolve(undefined)),
  showErrorMessage: (m: string) => (state.messages.push(m), Promise.resolve(undefined)),
  setStatusBarMessage: (m: string) => (state.messages.push(m), noop),
  showQuickPick: (items: { label: string }[]) => Promise.resolve(state.quickPick(items)),
  showTextDocument: (doc: { uri: Uri; text: string }, o?: { selection?: Range }) => {
    state.opened.push({
      uri: doc.uri.toString(),
      text: doc.text,
      ...(o?.selection ? { selection: o.selection } : {}),
    });
    return Promise.resolve(undefined);
  },
};

export const workspace = {
  getConfiguration: (section: string) => ({
    get: (key: string) => state.config.get(`${section}.${key}`),
    update: (key: string, value: unknown) => {
      state.config.set(`${section}.${key}`, value);
      return Promise.resolve();
    },
  }),
  onDidChangeConfiguration: () => noop,
  registerTextDocumentContentProvider: (
    scheme: string,
    p: { provideTextDocumentContent(u: Uri): string },
  ): typeof noop => {
    state.providers.set(scheme, p);
    return noop;
  },
  openTextDocument: (uri: Uri) => {
    const p = state.providers.get(uri.scheme);
    if (p) return Promise.resolve({ uri, text: p.provideTextDocumentContent(uri) });
    if (uri.scheme === 'file') return Promise.resolve({ uri, text: '' });
    return Promise.reject(new Error(`cannot open ${uri.toString()}`));
  },
};

export const debug = {
  get activeDebugSession(): FakeSession | undefined {
    return state.activeSession;
  },
  registerDebugAdapterTrackerFactory: (_type: string, f: typeof state.trackerFactory) => {
    state.trackerFactory = f;
    return noop;
  },
  onDidChangeActiveDebugSession: state.activeChanged.event,
  onDidTerminateDebugSession: state.terminated.event,
  onDidReceiveDebugSessionCustomEvent: state.customEvent.event,
};

export const commands = {
  registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
    state.commands.set(id, fn);
    return noop;
  },
  executeCommand: (id: string, ...args: unknown[]): Promise<unknown> => {
    if (id === 'setContext') {
      state.contextKeys.set(String(args[0]), args[1]);
      return Promise.resolve();
    }
    if (id.endsWith('.focus')) {
      state.views.get(id.slice(0, -'.focus'.length))?.setVisible(true);
      return Promise.resolve();
    }
    return Promise.resolve(state.commands.get(id)?.(...args));
  },
};

export const extensions = { getExtension: (): undefined => undefined };
export const env = {
  clipboard: {
    text: '',
    writeText(t: string): Promise<void> {
      this.text = t;
      return Promise.resolve();
    },
  },
};

// Make `require('vscode')` (from extension/views) return this module.
const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = M._load;
M._load = function (request: string, ...rest: unknown[]): unknown {
  if (request === 'vscode') return module.exports;
  return load.call(this, request, ...rest);
};

/**
 * What the extension's DebugAdapterTrackers read of the DAP messages passing between VS Code
 * and the adapter (the status bar and the views both follow a session's stops and runs).
 */

/** Requests after which the guest runs until the next `stopped` event. */
export const RUN_COMMANDS: ReadonlySet<string> = new Set([
  'continue',
  'next',
  'stepIn',
  'stepOut',
  'stepBack',
  'reverseContinue',
  'goto',
]);

/** The fields of a DAP message the trackers look at. */
export interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  success?: boolean;
  body?: { threadId?: number; allThreadsContinued?: boolean };
}

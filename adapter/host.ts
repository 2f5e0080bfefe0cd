/**
 * Host I/O the debug session needs, passed in rather than imported, so the same session
 * runs inline in the extension host, as a stand-alone stdio adapter, over TCP, or in a
 * test with an in-memory file system (the vscode-mock-debug pattern).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';

export interface Host {
  /** 'file', 'dir' or undefined when the path does not exist. */
  kind(path: string): 'file' | 'dir' | undefined;
  readFile(path: string): Uint8Array;
  /** Names (not paths) of the entries of a folder. */
  readDir(path: string): string[];
  /** Size and modification time (ms), or undefined when the path does not exist. */
  stat(path: string): { size: number; mtimeMs: number } | undefined;
  /** The folder relative launch paths are resolved against, when launch.json gives no cwd. */
  cwd(): string;
  /** Last modification time in ms, undefined when unknown (optional: tests may leave it out). */
  mtime?(path: string): number | undefined;
}

/** The host's real file system. */
export const nodeHost: Host = {
  kind(path) {
    if (!existsSync(path)) return undefined;
    try {
      return statSync(path).isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
  readFile: (path) => readFileSync(path),
  readDir: (path) => readdirSync(path),
  stat(path) {
    try {
      const s = statSync(path);
      return { size: s.size, mtimeMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  },
  cwd: () => process.cwd(),
  mtime(path) {
    try {
      return statSync(path).mtimeMs;
    } catch {
      return undefined;
    }
  },
};

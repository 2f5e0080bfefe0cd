/**
 * "Open Page in Memory Inspector" for a page-table row. VS Code's own memory view is the
 * Hex Editor opened on `vscode-debug-memory://<session id>/<memoryReference>/<name>.bin`
 * (the URI core's "View Binary Data" builds; the file system behind the scheme is part of
 * VS Code and reads through the adapter's readMemory). When the Hex Editor extension is
 * not installed, the page is read with `readMemory` here and shown as a read-only hex
 * dump (scheme `xv6-memory`). The memoryReference is the page's VA or PA, whichever the
 * stopped hart can translate (model/pageTables.ts memoryTarget).
 */
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { HartInfo } from '../../adapter/protocol';
import { shortHex } from './model/format';
import { decodeBase64, hexDump } from './model/hexdump';
import { memoryTarget, type PageRef } from './model/pageTables';
import type { SessionWatch } from './session';

const HEX_EDITOR_EXTENSION = 'ms-vscode.hexeditor';
const HEX_EDITOR_VIEW_TYPE = 'hexEditor.hexedit';
const DEBUG_MEMORY_SCHEME = 'vscode-debug-memory';
export const DUMP_SCHEME = 'xv6-memory';
const PAGE = 4096;

/** Read-only documents holding hex dumps, by URI. */
export class DumpDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This dump is no longer available: open the page again.\n';
  }
  set(uri: vscode.Uri, text: string): void {
    if (this.texts.size > 32) this.texts.clear();
    this.texts.set(uri.toString(), text);
  }
}

export async function openPage(
  watch: SessionWatch,
  dumps: DumpDocuments,
  page: PageRef,
  stopped: HartInfo | undefined,
  title: string,
): Promise<void> {
  const session = watch.session;
  if (!session) throw new Error('there is no xv6 debug session');
  const target = memoryTarget(page, stopped);
  if ('error' in target) throw new Error(target.error);
  const name = `${title} ${target.space === 'physical' ? 'PA' : 'VA'} ${target.address}`;
  if (vscode.extensions.getExtension(HEX_EDITOR_EXTENSION)) {
    const uri = vscode.Uri.from({
      scheme: DEBUG_MEMORY_SCHEME,
      authority: session.id,
      path: `/${encodeURIComponent(target.memoryReference)}/${encodeURIComponent(name)}.bin`,
    });
    await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR_VIEW_TYPE);
    return;
  }
  const res = (await watch.dap('readMemory', {
    memoryReference: target.memoryReference,
    count: PAGE,
  } satisfies DebugProtocol.ReadMemoryArguments)) as DebugProtocol.ReadMemoryResponse['body'];
  const bytes = decodeBase64(res?.data);
  const base = BigInt(res?.address ?? target.address);
  const header = [
    `# ${title}: VA ${shortHex(page.va)} -> PA ${shortHex(page.pa)}, read at ${target.space} ${target.address}`,
    `# ${bytes.length} bytes read${res?.unreadableBytes ? `, ${res.unreadableBytes} unreadable` : ''}` +
      ' (install the Hex Editor extension to edit memory in place)',
    '',
  ].join('\n');
  const uri = vscode.Uri.from({
    scheme: DUMP_SCHEME,
    path: `/${name.replace(/[/\\]/g, '_')}.hexdump`,
    query: String(Date.now()),
  });
  dumps.set(uri, header + hexDump(base, bytes, PAGE - bytes.length));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true });
}

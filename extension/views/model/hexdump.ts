/**
 * A classic hex dump (address, 16 bytes, ASCII) of memory read with DAP `readMemory`:
 * what "Open Page in Memory Inspector" shows when VS Code has no hex editor installed.
 */

/** Decode a readMemory body (base64 data) into bytes; missing data is empty. */
export function decodeBase64(data: string | undefined): Uint8Array {
  return data ? new Uint8Array(Buffer.from(data, 'base64')) : new Uint8Array(0);
}

/** Lines of `address  xx xx ... xx  |ascii|`; `unreadable` bytes after the data are marked `??`. */
export function hexDump(base: bigint, bytes: Uint8Array, unreadable = 0): string {
  const total = bytes.length + Math.max(0, unreadable);
  const lines: string[] = [];
  for (let off = 0; off < total; off += 16) {
    const hex: string[] = [];
    let ascii = '';
    for (let i = off; i < off + 16 && i < total; i++) {
      const b = i < bytes.length ? bytes[i] : undefined;
      hex.push(b === undefined ? '??' : b.toString(16).padStart(2, '0'));
      ascii += b === undefined ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    const addr = (base + BigInt(off)).toString(16).padStart(16, '0');
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    lines.push(`${addr}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
  }
  return lines.join('\n') + '\n';
}

/**
 * The escape keys of `xv6emu`'s interactive console, after QEMU's -nographic: in raw mode
 * every key goes to the guest, so the emulator's own commands hide behind Ctrl-A. The
 * handler only sorts bytes (guest input or commands); cli.ts acts on the commands.
 */

export const CTRL_A = 0x01;

export type EscapeCommand = 'quit' | 'help';

/** The keys that follow Ctrl-A, with what each does; `help` prints this table. */
const KEYS: readonly { key: number; label: string; command: EscapeCommand | 'send'; what: string }[] = [
  { key: 0x68 /* h */, label: 'C-a h', command: 'help', what: 'list these keys' },
  { key: 0x78 /* x */, label: 'C-a x', command: 'quit', what: 'quit the emulator' },
  { key: CTRL_A, label: 'C-a C-a', command: 'send', what: 'type a Ctrl-A into the guest console' },
];

export const ESCAPE_HELP = [
  'xv6emu escape keys (press Ctrl-A, then the key):',
  ...KEYS.map((k) => `  ${k.label.padEnd(8)} ${k.what}`),
].join('\n');

export interface KeyResult {
  /** Bytes for the guest console, in order. */
  input: number[];
  /** Commands, in the order they were typed. */
  commands: EscapeCommand[];
}

/**
 * Splits terminal input into guest input and escape commands. A Ctrl-A at the end of one
 * chunk applies to the first byte of the next. A key after Ctrl-A that is not in the
 * table is dropped, as QEMU does.
 */
export class EscapeKeys {
  private pending = false;

  feed(chunk: Uint8Array): KeyResult {
    const r: KeyResult = { input: [], commands: [] };
    for (const b of chunk) {
      if (!this.pending) {
        if (b === CTRL_A) this.pending = true;
        else r.input.push(b);
        continue;
      }
      this.pending = false;
      const k = KEYS.find((e) => e.key === b);
      if (k?.command === 'send') r.input.push(CTRL_A);
      else if (k) r.commands.push(k.command);
    }
    return r;
  }
}

/**
 * The entry point of the `xv6emu` command (bundled to dist/cli.js). The command itself is
 * emulator/cli.ts; this file lives in the adapter only because the command's panic
 * backtrace reads the kernel's DWARF (CFI unwinding, inlined frames, `file:line`), which
 * the adapter's symbol reader does and the emulator, which knows no debug information,
 * may not import. The backtrace is the debug console's `bt`: `#0 panic at
 * kernel/printf.c:NN`. In an xv6 tree the user programs (user/_*, beside the kernel's
 * folder, as fs.img is found) name the frames below the trap from user space.
 */
import { dirname, join } from 'node:path';
import { startCli } from '../emulator/cli';
import type { Disk } from '../emulator/disk';
import { symbolsOf } from './debuginfo';
import { nodeHost } from './host';
import { backtraceText, sourceStack } from './stack';
import type { UserProgram } from './userprogs';
import { UserPrograms } from './userprogs-load';

/** The disk image's programs and those of user/ beside the kernel's folder (an xv6 tree). */
function userPrograms(booted: {
  kernelPath: string;
  diskPath?: string;
  machine: { disk?: Disk };
}): UserProgram[] {
  const folder = join(dirname(booted.kernelPath), '..', 'user');
  const programs = new UserPrograms(nodeHost, nodeHost.kind(folder) === 'dir' ? folder : undefined);
  programs.load(booted.machine.disk, booted.diskPath);
  return programs.programs;
}

startCli({
  backtrace: (booted, hart) => {
    // No DWARF, no lines: the emulator's frame-pointer chain (`0x... in function+offset`).
    if (!symbolsOf(booted.elf)) {
      if (booted.elf.section('.debug_info')) throw new Error("the kernel's DWARF could not be read");
      return [];
    }
    return backtraceText(
      sourceStack({
        mem: booted.machine,
        hart: booted.machine.harts[hart]!,
        kernel: booted.elf,
        kernelPath: booted.kernelPath,
        programs: userPrograms(booted),
      }),
    );
  },
});

// Bundles the entry points into dist/ with esbuild: the CLI (xv6emu; its entry is in the
// adapter, which lends it the DWARF reader for panic backtraces), the benchmark, the
// stand-alone debug adapter and the VS Code extension. Entries that do not exist yet are
// skipped, so the build works at every step of the project's growth.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  { in: 'adapter/xv6emu.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'scripts/bench.ts', out: 'bench' },
  { in: 'adapter/main.ts', out: 'adapter' },
  { in: 'extension/extension.ts', out: 'extension', external: ['vscode'] },
];

await Promise.all(
  entries
    .filter((e) => existsSync(join(root, e.in)))
    .map((e) =>
      build({
        absWorkingDir: root,
        entryPoints: [e.in],
        outfile: `dist/${e.out}.js`,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        sourcemap: 'linked',
        external: e.external ?? [],
        banner: e.banner ? { js: e.banner } : undefined,
        logLevel: 'warning',
      }),
    ),
);

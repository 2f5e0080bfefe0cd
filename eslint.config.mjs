// Lint configuration. Besides typescript-eslint's recommended type-aware rules, it
// enforces the project's layering: extension -> adapter -> emulator, never back.
import tseslint from 'typescript-eslint';

const noImport = (names, why) => ({
  'no-restricted-imports': ['error', { patterns: names.map((group) => ({ group: [group], message: why })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'kernel/**', 'out/**', '.vscode-test/**', 'test/out/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['emulator/**/*.ts'],
    rules: noImport(
      ['vscode', '@vscode/*', '**/adapter/**', '**/extension/**'],
      'emulator/ is the machine: it imports neither VS Code, DAP, the adapter nor the extension.',
    ),
  },
  {
    files: ['adapter/**/*.ts'],
    rules: noImport(['vscode', '**/extension/**'], 'adapter/ must not import vscode or the extension.'),
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);

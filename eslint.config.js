import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronOnly = (names, where) => ({
  name: 'electron',
  importNames: names,
  message: `${names.join('/')} is used only in ${where}; go through the typed contract instead.`,
});

export default tseslint.config(
  { ignores: ['out/', 'build/', 'dist/', 'node_modules/', 'coverage/', 'n8n-nodes-flightdeck/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Layers as lint errors: only one file may touch ipcMain, only one ipcRenderer.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            electronOnly(['ipcMain'], 'src/main/ipc/ipc-main.ts'),
            electronOnly(['ipcRenderer'], 'src/preload/index.ts'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/ipc/ipc-main.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnly(['ipcRenderer'], 'src/preload/index.ts')] }] },
  },
  {
    files: ['src/preload/index.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnly(['ipcMain'], 'src/main/ipc/ipc-main.ts')] }] },
  },
  {
    // The core is plain Node: testable without Electron, shared with the headless host.
    files: ['src/main/core/**', 'src/main/host/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The core and the host never import electron: put window plumbing in src/main/app.',
            },
          ],
        },
      ],
    },
  },
  {
    // Shared code runs in every environment: no Node built-ins, no Electron, no React.
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', 'react', '../main/*', '../renderer/*'] }],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', '**/main/**'] }],
    },
  },
  {
    // The test kit (fakes, fixtures, harnesses) never ships: production code may not import it,
    // not even for types. Tests, benches (tests/**) and the kit itself may. A separate rule name
    // from the layer rules above, so the two lists do not replace each other.
    files: ['src/**'],
    ignores: ['**/*.test.ts', 'src/main/core/testing/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/core/testing',
                '**/core/testing/**',
                './testing',
                './testing/**',
                '../testing',
                '../testing/**',
              ],
              message: 'src/main/core/testing is the test kit: only tests and benches may import it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**', 'src/main/core/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

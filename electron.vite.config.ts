import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// One build for everything that ships:
// - main:     the Electron entry, plus the headless host and the `flightdeck` CLI (plain Node entries
//             sharing the same core; dependencies stay external and load from node_modules)
// - preload:  a single self-contained CommonJS file, as Electron's sandbox requires
// - renderer: the React console, served by Electron or by the headless host
export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve('src/main/app/main.ts'),
          host: resolve('src/main/host/cli.ts'),
          cli: resolve('src/main/cli/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: {
      // login.html: team mode's sign-in page, served by the headless host before the console.
      rolldownOptions: {
        input: { index: resolve('src/renderer/index.html'), login: resolve('src/renderer/login.html') },
      },
    },
  },
});

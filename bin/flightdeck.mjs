#!/usr/bin/env node
// `npx flightdeck emit <event> --data file.json`: the command-line door for events.
// Runs the built CLI (npm start / npm run serve / npm run build produce it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('Flightdeck is not built yet: run `npm run build` (or start the console) first.');
  process.exit(1);
}
await import(cli);

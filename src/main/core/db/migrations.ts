/// <reference types="vite/client" />
import type { Migration } from './migrate';

/**
 * The shipped migrations, read from `migrations/NNNN_name.sql` at build time. The number is
 * the schema version; numbers increase and may leave gaps (see migrate()).
 */
const files = import.meta.glob<string>('./migrations/*.sql', { query: '?raw', import: 'default', eager: true });

export const migrations: Migration[] = Object.entries(files)
  .map(([path, sql]) => {
    const match = /\/(\d{4})_([a-z0-9_]+)\.sql$/.exec(path);
    if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${path}`);
    return { version: Number(match[1]), name: match[2] ?? '', sql };
  })
  .sort((a, b) => a.version - b.version);

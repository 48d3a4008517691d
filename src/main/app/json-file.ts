import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import type { Logger } from '../core/logger';

/**
 * A small JSON file of the desktop shell's own (preferences, window state): read once, written
 * whole and atomically (a temp file renamed over it, owner-only like the rest of the data folder).
 * A missing file is the defaults; an unreadable or hand-broken one is the defaults too, said once
 * in the log and left in place until the next change replaces it.
 */
export class JsonFile<S extends z.ZodType> {
  constructor(
    private readonly path: string,
    private readonly schema: S,
    private readonly logger: Logger,
  ) {}

  read(): z.output<S> {
    let text: string | null = null;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn('Could not read a desktop settings file; using defaults', { path: this.path, error });
    }
    let raw: unknown = {};
    if (text !== null) {
      try {
        raw = JSON.parse(text);
      } catch {
        this.logger.warn('A desktop settings file is not JSON; using defaults', { path: this.path });
      }
    }
    const parsed = this.schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.logger.warn('A desktop settings file holds values out of range; using defaults', { path: this.path });
    return this.schema.parse({});
  }

  write(value: z.input<S>): void {
    const data = this.schema.parse(value);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    renameSync(temp, this.path);
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build } from 'vite';

// The crash tests' child processes (queue-crash, ingest-crash): a console or queue in its own
// process, SIGKILLed mid-run by the test. How the child runs TypeScript on Node 20 (no
// --experimental-strip-types, no tsx or vite-node installed): its entry is bundled with Vite's own
// build (the transform the app uses, so `import.meta.glob` of the migrations works) into one
// CommonJS file, with dependencies left external and found through NODE_PATH, then run with plain
// `node`.

const root = resolve(__dirname, '../../../..');

/** Bundles `entry` (a path under src/) into `<outDir>/child.cjs` and returns that file's path. */
export async function bundleChild(entry: string, outDir: string): Promise<string> {
  await build({
    root,
    logLevel: 'silent',
    configFile: false,
    build: {
      ssr: resolve(entry),
      outDir,
      emptyOutDir: true,
      minify: false,
      rolldownOptions: { output: { format: 'cjs', entryFileNames: 'child.cjs' } },
    },
  });
  return join(outDir, 'child.cjs');
}

export interface CrashChild {
  child: ChildProcess;
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** SIGKILLs it (no cleanup of any kind runs) and waits until it is gone. */
  kill(): Promise<void>;
}

/** Runs a bundled child with plain `node` and the project's node_modules on NODE_PATH. */
export function runChild(script: string, args: string[]): CrashChild {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    exited,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits first. */
export function waitForOutput(run: CrashChild, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((ready, fail) => {
    const check = () => {
      const match = pattern.exec(run.output());
      if (match) {
        run.child.stdout?.off('data', check);
        ready(match);
      }
    };
    run.child.stdout?.on('data', check);
    check();
    void run.exited.then(() => fail(new Error(`the child ended before printing ${String(pattern)}: ${run.output()}`)));
  });
}

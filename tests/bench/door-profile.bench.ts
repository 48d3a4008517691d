import { Session } from 'node:inspector';
import { it } from 'vitest';
import { consoleRound, envInt, loadNote, startStub } from './pipeline-kit';

// Where the shipped path spends its CPU: a node:inspector CPU profile of the HTTP door path
// (console, stub and senders share this thread, as in pipeline.bench.ts), 2 000 events from 50
// senders at 200 B and at 10 KB. Prints the top frames by self time, and the same samples
// attributed to the nearest frame of Flightdeck's own code (native SQLite and HTTP time lands on
// the statement or handler that asked for it). Only with BENCH_PROFILE=1 (not part of `npm run bench`).

const EVENTS = envInt('BENCH_PROFILE_EVENTS', 2_000);
const TOP = envInt('BENCH_PROFILE_TOP', 25);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const post = <T>(session: Session, method: string): Promise<T> =>
  new Promise((resolve, reject) =>
    session.post(method, (error, result) => (error ? reject(error) : resolve(result as T))),
  );

const short = (url: string) => url.replace(/^.*\/(src|node_modules|tests)\//, '$1/');
const frame = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`.trim();

function summarise(profile: Profile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const own = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const id of profile.samples) {
    const n = byId.get(id);
    if (!n) continue;
    if (n.callFrame.functionName === '(idle)') {
      idle++;
      continue;
    }
    total++;
    const name = frame(n);
    self.set(name, (self.get(name) ?? 0) + 1);
    let at: ProfileNode | undefined = n;
    while (at && !/\/src\/main\//.test(at.callFrame.url)) at = byId.get(parent.get(at.id) ?? -1);
    const mine = at ? frame(at) : '(outside src/main: HTTP, undici, senders, stub, GC)';
    own.set(mine, (own.get(mine) ?? 0) + 1);
  }
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([name, n]) => `  ${((100 * n) / total).toFixed(1).padStart(5)} %  ${name}`);
  return [
    `${total} busy samples (${idle} idle)`,
    'self time:',
    ...top(self),
    'attributed to the nearest src/main frame:',
    ...top(own),
  ];
}

it.skipIf(process.env.BENCH_PROFILE !== '1')('CPU profile of the HTTP door path, 200 B and 10 KB', async () => {
  const stub = await startStub(0);
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    for (const bytes of [200, 10_240]) {
      await consoleRound(stub, Math.min(500, EVENTS), 50, bytes); // warm-up, not profiled
      const load = loadNote();
      await post(session, 'Profiler.start');
      const cpu = process.cpuUsage();
      const rate = await consoleRound(stub, EVENTS, 50, bytes);
      const used = process.cpuUsage(cpu);
      const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
      // CPU time per event (user + system, this process: console, stub and senders) moves far
      // less with the machine's load than events/s does: compare this before and after a change.
      const perEvent = (used.user + used.system) / 1000 / EVENTS;
      console.log(
        [
          `\n== door profile, ${bytes} B, ${EVENTS} events: ${Math.round(rate)} events/s, ${perEvent.toFixed(2)} ms CPU per event (${load}) ==`,
          ...summarise(profile),
        ].join('\n'),
      );
    }
  } finally {
    session.disconnect();
    await stub.close();
  }
});

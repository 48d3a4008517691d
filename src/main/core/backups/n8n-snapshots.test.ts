import { afterEach, describe, expect, it } from 'vitest';
import type { FakeN8n } from '../testing/fake-n8n';
import { coreOnTwoFakes, data, webhookThenSet } from '../testing/two-fakes';

// A snapshot restored into n8n that fails part-way: what was written is said, audited, and the
// workflows it overwrote are kept (as the target's snapshot) so the restore can be undone.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const nodes = webhookThenSet;
const setValue = (fake: FakeN8n, name: string) =>
  fake.state.workflows.find((w) => w.name === name)?.nodes.find((n) => n.name === 'Set')?.parameters;

/** Workflow writes (create, update), not their tags: `POST /api/v1/workflows`, `PUT /api/v1/workflows/<id>`. */
const WORKFLOW_WRITE = /^(POST \/api\/v1\/workflows|PUT \/api\/v1\/workflows\/[^/?]+)(\?|$)/;

/**
 * Dev holds Alpha, Beta and Gamma (tagged ops) and a variable, snapshot v1; prod already has a
 * Beta of its own (overwritten by a restore). Both 1.x, variables licensed.
 */
async function setup() {
  const { core, dev, prod, ids } = await coreOnTwoFakes(cleanups);
  for (const fake of [dev, prod]) fake.state.variablesLicensed = true;
  dev.state.variables.push({ id: 'v1', key: 'BASE_URL', value: 'https://dev.example', type: 'string' });
  dev.addWorkflow('d-alpha', 'Alpha', { nodes: nodes('alpha', 'dev'), active: false, tags: ['ops'] });
  dev.addWorkflow('d-beta', 'Beta', { nodes: nodes('beta', 'dev'), active: false, tags: ['ops'] });
  dev.addWorkflow('d-gamma', 'Gamma', { nodes: nodes('gamma', 'dev'), active: false, tags: ['ops'] });
  prod.addWorkflow('p-beta', 'Beta', { nodes: nodes('beta', 'prod'), active: false });
  const snapshot = await data(core.call('backups:snapshotTake', { instanceId: ids.dev, label: 'dev' }));
  /** Makes prod answer the nth workflow write with `status`; `apply`: n8n saved it before the answer was lost. */
  const failNthWrite = (n: number, status: number, apply?: () => void) => {
    let count = 0;
    prod.state.apiHold = (request) => {
      const nth = WORKFLOW_WRITE.test(request) && ++count === n;
      if (nth) apply?.();
      prod.state.failWith = nth ? status : undefined;
      return undefined;
    };
  };
  const restore = () => core.call('backups:snapshotRestore', { snapshotId: snapshot.id, targetInstanceId: ids.prod });
  const restoreEntries = async () =>
    (await data(core.call('audit:list', { limit: 50 }))).entries.filter((e) => e.action === 'snapshot.restore');
  return { core, dev, prod, ids, snapshot, failNthWrite, restore, restoreEntries };
}

describe('a snapshot restore into n8n', () => {
  it('keeps what it overwrites as a snapshot of the target, says so, and audits every workflow written', async () => {
    const { core, prod, ids, restore, restoreEntries } = await setup();
    const result = await data(restore());
    expect(result).toMatchObject({ created: 2, updated: 1, tagsCreated: 1, variablesCreated: 1 });
    expect(result.warnings).toContainEqual(expect.stringMatching(/kept as its snapshot v1: restore that one/));
    const kept = await data(core.call('backups:snapshots', { instanceId: ids.prod }));
    expect(kept).toMatchObject([{ version: 1, label: 'Before restoring snapshot v1 of dev', workflowCount: 1 }]);
    expect(setValue(prod, 'Beta')).toEqual({ value: 'dev' });
    const [entry] = await restoreEntries();
    expect(entry?.details).toMatchObject({
      created: 2,
      updated: 1,
      workflows: [
        { name: 'Alpha', action: 'created', id: expect.any(String) },
        { name: 'Beta', action: 'updated', id: 'p-beta' },
        { name: 'Gamma', action: 'created', id: expect.any(String) },
      ],
      keptAsSnapshot: { version: 1 },
    });
    expect(entry?.details).not.toHaveProperty('error');

    // Restoring the kept one puts the overwritten Beta back.
    await data(core.call('backups:snapshotRestore', { snapshotId: kept[0]!.id, targetInstanceId: ids.prod }));
    expect(setValue(prod, 'Beta')).toEqual({ value: 'prod' });
  });

  it('stopped by a refused write: the error says what was written before, the audit entry is written, the overwritten workflow can be put back', async () => {
    const { core, prod, ids, failNthWrite, restore, restoreEntries } = await setup();
    failNthWrite(3, 400); // Gamma's creation: n8n refuses it.
    const reply = await restore();
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect(reply.ok).toBe(false);
    const error = reply.ok ? null : reply.error;
    expect(error?.code).toBe('VALIDATION');
    expect(error?.message).toMatch(/^The snapshot restore stopped: n8n refused/);
    expect(error?.message).toContain(
      'Before it failed, the restore created 1 workflow(s) ("Alpha"), updated 1 ("Beta"), created 1 tag(s), created 1 variable(s).',
    );
    expect(error?.message).toMatch(/kept as its snapshot v1: restore it to put the overwritten ones back/);
    expect(error?.details).toMatchObject({ created: 1, updated: 1, keptAsSnapshot: { version: 1 } });
    expect(prod.state.workflows.map((w) => w.name).sort()).toEqual(['Alpha', 'Beta']);

    const [entry] = await restoreEntries();
    expect(entry?.details).toMatchObject({
      created: 1,
      updated: 1,
      tagsCreated: 1,
      variablesCreated: 1,
      workflows: [
        { name: 'Alpha', action: 'created' },
        { name: 'Beta', action: 'updated', id: 'p-beta' },
      ],
      error: expect.stringMatching(/n8n refused/),
    });

    const [kept] = await data(core.call('backups:snapshots', { instanceId: ids.prod }));
    await data(core.call('backups:snapshotRestore', { snapshotId: kept!.id, targetInstanceId: ids.prod }));
    expect(setValue(prod, 'Beta')).toEqual({ value: 'prod' });
  });

  it('a write whose answer never came (504) is named as possibly saved', async () => {
    const { prod, failNthWrite, restore, restoreEntries } = await setup();
    // Gamma's creation (a POST: never retried): n8n saves it, then a proxy answers 504.
    failNthWrite(3, 504, () => prod.addWorkflow('p-gamma', 'Gamma', { nodes: nodes('gamma', 'dev'), active: false }));
    const reply = await restore();
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    const error = reply.ok ? null : reply.error;
    expect(error?.code).toBe('N8N_UNREACHABLE');
    expect(error?.message).toContain(
      'Before it failed, the restore created 1 workflow(s) ("Alpha"), updated 1 ("Beta")',
    );
    expect(error?.message).toContain(
      'n8n may or may not have saved "Gamma" (its answer never came): check the target.',
    );
    const [entry] = await restoreEntries();
    expect(entry?.details).toMatchObject({
      created: 1,
      updated: 1,
      workflows: [
        { name: 'Alpha', action: 'created' },
        { name: 'Beta', action: 'updated', id: 'p-beta' },
        { name: 'Gamma', action: 'unknown', id: null },
      ],
      error: expect.stringMatching(/504/),
    });
  });

  it('a failure before any workflow is written is audited with nothing written and no snapshot kept', async () => {
    const { core, prod, ids, restore, restoreEntries } = await setup();
    prod.state.apiHold = (request) => {
      prod.state.failWith = request.startsWith('POST /api/v1/tags') ? 400 : undefined;
      return undefined;
    };
    const reply = await restore();
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect(reply.ok ? null : reply.error.message).toMatch(/Nothing was written before it failed\.$/);
    const [entry] = await restoreEntries();
    expect(entry?.details).toMatchObject({ created: 0, updated: 0, tagsCreated: 0, workflows: [] });
    expect(await data(core.call('backups:snapshots', { instanceId: ids.prod }))).toEqual([]);
  });
});

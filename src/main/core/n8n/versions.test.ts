import { describe, expect, it } from 'vitest';
import { draftDiffers, liveVersionOf } from './live-version';
import { lineOf, liveVerbs, majorOf } from './n8n-line';
import { checkNodeTypes, packageOf, preflightWarnings } from './preflight';

const node = (name: string, type: string, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });

describe('release lines', () => {
  it('reads the major of release strings, and the line of each', () => {
    expect(majorOf('1.123.81')).toBe(1);
    expect(majorOf('n8n@2.41.1')).toBe(2);
    expect(majorOf('2.0.0-rc.1')).toBe(2);
    expect(majorOf('')).toBeNull();
    expect(majorOf(null)).toBeNull();
    expect(majorOf('latest')).toBeNull();
    expect(lineOf('1.123.81')).toBe(1);
    expect(lineOf('3.0.0')).toBe(2);
    expect(lineOf(undefined)).toBeNull();
    expect(liveVerbs(2).on).toBe('publish');
    expect(liveVerbs(null).on).toBe('activate');
  });
});

describe('the live version of a workflow', () => {
  const webhook = (path: string) =>
    node('Webhook', 'n8n-nodes-base.webhook', { parameters: { path }, webhookId: path });

  it('is the published version on 2.x, even when a newer draft is saved', () => {
    const w = {
      active: true,
      versionId: 'draft-2',
      nodes: [webhook('new')],
      connections: {},
      activeVersion: { versionId: 'live-1', nodes: [webhook('old')], connections: {} },
    };
    expect(liveVersionOf(w)?.versionId).toBe('live-1');
    expect(draftDiffers(w)).toBe(true);
    expect(draftDiffers({ ...w, versionId: 'live-1' })).toBe(false);
  });

  it('is the saved version of an active workflow without activeVersion, and nothing when inactive', () => {
    const w = { active: true, versionId: 'v1', nodes: [webhook('p')], connections: {}, activeVersion: null };
    expect(liveVersionOf(w)).toMatchObject({ versionId: 'v1' });
    expect(draftDiffers(w)).toBe(false);
    expect(liveVersionOf({ ...w, active: false })).toBeNull();
    expect(draftDiffers({ ...w, active: false })).toBe(false);
  });
});

describe('migration pre-flight', () => {
  const target = (version: string | null, communityNodeTypes: string[] | null = null) => ({
    instanceId: 'prod',
    version,
    communityNodeTypes,
  });
  const legacy = {
    workflowId: 'w1',
    name: 'Legacy',
    nodes: [
      node('Start', 'n8n-nodes-base.start'),
      node('Run', 'n8n-nodes-base.executeCommand'),
      node('Py', 'n8n-nodes-base.code', { parameters: { language: 'python' } }),
      node('Set', 'n8n-nodes-base.set'),
    ],
  };
  const modern = { workflowId: 'w2', name: 'Modern', nodes: [node('Hook', 'n8n-nodes-base.webhook')] };

  it('flags what n8n 2.0 removed or switched off, per workflow, and only the affected ones', () => {
    const report = checkNodeTypes([legacy, modern], target('2.41.1'));
    expect(report).toMatchObject({
      ok: false,
      checked: 2,
      targetVersion: '2.41.1',
      checkedWith: ['removed-types-list'],
    });
    expect(report.workflows.map((w) => w.name)).toEqual(['Legacy']);
    const problems = report.workflows[0]!.problems;
    expect(problems.map((p) => [p.node, p.severity])).toEqual([
      ['Start', 'error'],
      ['Run', 'warning'],
      ['Py', 'error'],
    ]);
    expect(problems[0]!.message).toMatch(/Start node was removed in n8n 2\.0/);
    expect(preflightWarnings(report)[0]).toMatch(/^"Legacy": cannot run Start/);
  });

  it('has nothing to say for a 1.x target, and warns only when the version is unknown', () => {
    expect(checkNodeTypes([legacy], target('1.123.81'))).toMatchObject({ ok: true, workflows: [] });
    const unknown = checkNodeTypes([legacy], target(null));
    expect(unknown.ok).toBe(true);
    expect(unknown.notes[0]).toMatch(/version is not known/);
    expect(unknown.workflows[0]!.problems.every((p) => p.severity === 'warning')).toBe(true);
    const down = checkNodeTypes([modern], { ...target('1.123.81'), sourceVersion: '2.41.1' });
    expect(down.notes[0]).toMatch(/from n8n 2\.x and go into 1\.x/);
  });

  it('checks community node types against the packages the target lists, or says it cannot', () => {
    const custom = { workflowId: null, name: 'Custom', nodes: [node('Acme', '@acme/n8n-nodes-acme.acme')] };
    expect(packageOf('@acme/n8n-nodes-acme.acme')).toBe('@acme/n8n-nodes-acme');
    expect(checkNodeTypes([custom], target('2.41.1', ['@acme/n8n-nodes-acme.acme']))).toMatchObject({
      ok: true,
      workflows: [],
      checkedWith: ['removed-types-list', 'community-packages'],
    });
    const missing = checkNodeTypes([custom], target('2.41.1', []));
    expect(missing.workflows[0]!.problems[0]).toMatchObject({
      severity: 'error',
      message: expect.stringMatching(/not installed/),
    });
    const untold = checkNodeTypes([custom], target('1.123.81', null));
    expect(untold.workflows[0]!.problems[0]).toMatchObject({ severity: 'warning' });
  });

  it('says when a flagged node is disabled', () => {
    const report = checkNodeTypes(
      [{ workflowId: 'w', name: 'Old', nodes: [node('Start', 'n8n-nodes-base.start', { disabled: true })] }],
      target('2.41.1'),
    );
    expect(report.workflows[0]!.problems[0]!.message).toMatch(/\(The node is disabled\.\)$/);
  });
});

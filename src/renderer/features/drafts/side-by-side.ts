import type { WorkflowDefinition, WorkflowDiff, WorkflowNode } from '../../../shared/contract';

/** One changed value, as the conflict dialog shows it: what my draft has, what n8n has. */
export interface ValueRow {
  /** `Parameter options.timeout`, `Type version`, `Setting timezone`… */
  what: string;
  mine: string;
  theirs: string;
}

/** One group of rows: a node (by name), the workflow's settings, or its connections. */
export interface ValueGroup {
  title: string;
  /** `changed`, `only in your draft`, `only in n8n`. */
  kind: 'changed' | 'added' | 'removed';
  /** The node it is about, by its name in `mine` (`theirs` for a removed node); null for the rest. */
  node: string | null;
  rows: ValueRow[];
}

const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  type: 'Type',
  typeVersion: 'Type version',
  position: 'Position',
  credentials: 'Credentials',
  disabled: 'Disabled',
  webhookId: 'Webhook id',
  notes: 'Notes',
  continueOnFail: 'Continue on fail',
  onError: 'On error',
  retryOnFail: 'Retry on fail',
  maxTries: 'Max tries',
  waitBetweenTries: 'Wait between tries',
  executeOnce: 'Execute once',
  alwaysOutputData: 'Always output data',
};

/** A value on one line, cut long (the dialog is for deciding, not for reading whole scripts). */
export function showValue(value: unknown, max = 240): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function valueAt(root: unknown, path: string): unknown {
  let at: unknown = root;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const field = (node: WorkflowNode | undefined, key: string): unknown =>
  node ? (node as unknown as Record<string, unknown>)[key] : undefined;

/**
 * The diff's paths with both sides' values, node by node and parameter by parameter: what the
 * operator weighs before keeping mine or taking theirs.
 */
export function sideBySide(diff: WorkflowDiff, mine: WorkflowDefinition, theirs: WorkflowDefinition): ValueGroup[] {
  const groups: ValueGroup[] = [];
  if (diff.nameChanged) {
    groups.push({
      title: 'Workflow',
      kind: 'changed',
      node: null,
      rows: [{ what: 'Name', mine: mine.name, theirs: theirs.name }],
    });
  }
  for (const change of diff.changedNodes) {
    const m = mine.nodes.find((n) => n.name === change.name);
    const t = theirs.nodes.find((n) => n.name === (change.previousName ?? change.name));
    const rows: ValueRow[] = change.fields
      .filter((f) => f !== 'parameters')
      .map((f) => ({ what: FIELD_LABELS[f] ?? f, mine: showValue(field(m, f)), theirs: showValue(field(t, f)) }));
    for (const path of change.parameterPaths) {
      rows.push({
        what: `Parameter ${path}`,
        mine: showValue(valueAt(m?.parameters, path)),
        theirs: showValue(valueAt(t?.parameters, path)),
      });
    }
    groups.push({ title: `Node “${change.name}”`, kind: 'changed', node: change.name, rows });
  }
  for (const name of diff.addedNodes) {
    const node = mine.nodes.find((n) => n.name === name);
    groups.push({
      title: `Node “${name}”`,
      kind: 'added',
      node: name,
      rows: [{ what: 'Type', mine: showValue(node?.type), theirs: '—' }],
    });
  }
  for (const name of diff.removedNodes) {
    const node = theirs.nodes.find((n) => n.name === name);
    groups.push({
      title: `Node “${name}”`,
      kind: 'removed',
      node: name,
      rows: [{ what: 'Type', mine: '—', theirs: showValue(node?.type) }],
    });
  }
  if (diff.changedSettings.length) {
    groups.push({
      title: 'Settings',
      kind: 'changed',
      node: null,
      rows: diff.changedSettings.map((key) => ({
        what: `Setting ${key}`,
        mine: showValue(mine.settings[key]),
        theirs: showValue(theirs.settings[key]),
      })),
    });
  }
  if (diff.addedConnections.length || diff.removedConnections.length) {
    groups.push({
      title: 'Connections',
      kind: 'changed',
      node: null,
      rows: [
        ...diff.addedConnections.map((c) => ({ what: 'Connection', mine: c, theirs: '—' })),
        ...diff.removedConnections.map((c) => ({ what: 'Connection', mine: '—', theirs: c })),
      ],
    });
  }
  return groups;
}

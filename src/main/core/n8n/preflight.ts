import type { PreflightProblem, PreflightReport } from '../../../shared/contract/drafts';
import { lineOf, type N8nLine } from './n8n-line';

/**
 * Migration pre-flight: will the target n8n recognise every node of these workflows? n8n's public
 * API does not list node types to an API key (the editor's /types/nodes.json needs a session), so
 * the check uses what is known per release line (types n8n removed or disabled, from n8n's own
 * 2.0 migration report) and, where n8n 2.x lists them, the community packages installed on the
 * target. A workflow with a type the target lacks is created there but cannot be activated
 * ("Unrecognized node type").
 */

interface KnownChange {
  severity: PreflightProblem['severity'];
  message: string;
}

/** Types n8n 2.0 removed or switched off, with what the operator should do. */
const CHANGED_IN_2: Record<string, KnownChange> = {
  'n8n-nodes-base.start': {
    severity: 'error',
    message:
      'The Start node was removed in n8n 2.0: replace it with a Manual Trigger (or an Execute Workflow Trigger for a sub-workflow), or delete it if it is disabled.',
  },
  'n8n-nodes-base.spontit': {
    severity: 'error',
    message: 'The Spontit node was removed in n8n 2.0 (retired service).',
  },
  'n8n-nodes-base.crowdDev': {
    severity: 'error',
    message: 'The crowd.dev node was removed in n8n 2.0 (retired service).',
  },
  'n8n-nodes-base.kitemaker': {
    severity: 'error',
    message: 'The Kitemaker node was removed in n8n 2.0 (retired service).',
  },
  'n8n-nodes-base.executeCommand': {
    severity: 'warning',
    message:
      'Execute Command is disabled by default since n8n 2.0: the target must allow it (NODES_EXCLUDE) or the workflow cannot be activated.',
  },
  'n8n-nodes-base.localFileTrigger': {
    severity: 'warning',
    message:
      'Local File Trigger is disabled by default since n8n 2.0: the target must allow it (NODES_EXCLUDE) or the workflow cannot be activated.',
  },
};

/** Packages every n8n ships; any other package prefix is a community package. */
const BUILT_IN_PACKAGES = new Set(['n8n-nodes-base', '@n8n/n8n-nodes-langchain']);

/** `n8n-nodes-base.webhook` → `n8n-nodes-base`; `@acme/n8n-nodes-x.thing` → `@acme/n8n-nodes-x`. */
export function packageOf(type: string): string {
  const dot = type.lastIndexOf('.');
  return dot > 0 ? type.slice(0, dot) : type;
}

export interface PreflightNode {
  name: string;
  type: string;
  disabled?: boolean | undefined;
  parameters?: Record<string, unknown> | undefined;
}

export interface PreflightWorkflow {
  workflowId: string | null;
  name: string;
  nodes: PreflightNode[];
}

export interface PreflightTarget {
  instanceId: string;
  /** The target's n8n release ("2.41.1"), null when unknown. */
  version: string | null;
  /** Node types of the community packages installed there; null when n8n does not tell. */
  communityNodeTypes: string[] | null;
  /** The release the workflows come from, when known (a snapshot's instance). */
  sourceVersion?: string | null;
}

/** True when any node is of a type outside n8n's own packages (then the target's packages matter). */
export const usesCommunityNodes = (workflows: PreflightWorkflow[]) =>
  workflows.some((w) => w.nodes.some((n) => !BUILT_IN_PACKAGES.has(packageOf(n.type))));

function problemsOf(node: PreflightNode, line: N8nLine | null, target: PreflightTarget): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const at = { node: node.name, type: node.type };
  const known = CHANGED_IN_2[node.type];
  if (known && line !== 1) {
    // Version unknown: the removal may or may not apply, so it is a warning, not an error.
    const severity = line === 2 ? known.severity : 'warning';
    const prefix = line === 2 ? '' : 'If the target runs n8n 2.x: ';
    problems.push({ ...at, severity, message: prefix + known.message });
  }
  const language = node.parameters?.language;
  const code = node.type === 'n8n-nodes-base.code' || node.type === '@n8n/n8n-nodes-langchain.toolCode';
  if (code && language === 'python' && line !== 1) {
    problems.push({
      ...at,
      severity: line === 2 ? 'error' : 'warning',
      message:
        'Python in the Code node ran on Pyodide, which n8n 2.0 removed: switch the node to the native Python runner (language "pythonNative") and check the script.',
    });
  }
  const pkg = packageOf(node.type);
  if (!BUILT_IN_PACKAGES.has(pkg)) {
    if (target.communityNodeTypes === null) {
      problems.push({
        ...at,
        severity: 'warning',
        message: `Community package ${pkg}: the target does not say which community packages it has; make sure it is installed there.`,
      });
    } else if (!target.communityNodeTypes.includes(node.type)) {
      problems.push({
        ...at,
        severity: 'error',
        message: `Community package ${pkg} is not installed on the target (no node type ${node.type} there).`,
      });
    }
  }
  return problems;
}

/** Checks every workflow's node types against the target; pure, so the dry run and the real run agree. */
export function checkNodeTypes(
  workflows: PreflightWorkflow[],
  target: PreflightTarget,
  version: PreflightReport['version'] = 'draft',
): PreflightReport {
  const line = lineOf(target.version);
  const sourceLine = lineOf(target.sourceVersion);
  const notes: string[] = [];
  if (line === null)
    notes.push(
      "The target's n8n version is not known yet (sync it first): node types n8n 2.0 removed are listed as warnings.",
    );
  if (line === 1 && sourceLine === 2)
    notes.push(
      'These workflows come from n8n 2.x and go into 1.x: nodes or node versions added in 2.x may be missing there.',
    );
  const checkedWith: PreflightReport['checkedWith'] = ['removed-types-list'];
  if (target.communityNodeTypes !== null) checkedWith.push('community-packages');
  const results = workflows
    .map((w) => ({
      workflowId: w.workflowId,
      name: w.name,
      problems: w.nodes.flatMap((n) =>
        problemsOf(n, line, target).map((p) =>
          n.disabled ? { ...p, message: `${p.message} (The node is disabled.)` } : p,
        ),
      ),
    }))
    .filter((w) => w.problems.length > 0);
  return {
    targetInstanceId: target.instanceId,
    targetVersion: target.version,
    version,
    checked: workflows.length,
    checkedWith,
    workflows: results,
    notes,
    ok: !results.some((w) => w.problems.some((p) => p.severity === 'error')),
  };
}

/** One line per affected workflow, for results that carry plain warnings (a snapshot restore). */
export function preflightWarnings(report: PreflightReport): string[] {
  return [
    ...report.notes,
    ...report.workflows.map(
      (w) =>
        `"${w.name}": ${w.problems.map((p) => `${p.severity === 'error' ? 'cannot run' : 'check'} ${p.node} — ${p.message}`).join(' ')}`,
    ),
  ];
}

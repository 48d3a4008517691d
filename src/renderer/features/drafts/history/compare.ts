/**
 * Two workflows compared on the canvas: the marks each side shows, read from the one workflow
 * diff (src/shared/drafts/workflow-model.ts `diffWorkflows`), never computed a second time.
 */
import type { WorkflowDiff } from '../../../../shared/contract';
import type { CanvasMarks } from '../../../components/workflow-canvas/WorkflowCanvas';

/** The marks of the older side (`from`: removed, changed) and the newer side (`to`: added, changed). */
export function compareMarks(diff: WorkflowDiff): { from: CanvasMarks; to: CanvasMarks } {
  const from: CanvasMarks = { nodes: {}, links: {} };
  const to: CanvasMarks = { nodes: {}, links: {} };
  for (const name of diff.addedNodes) to.nodes[name] = { kind: 'added' };
  for (const name of diff.removedNodes) from.nodes[name] = { kind: 'removed' };
  for (const c of diff.changedNodes) {
    const what = c.fields.join(', ');
    to.nodes[c.name] = { kind: 'changed', what };
    from.nodes[c.previousName ?? c.name] = { kind: 'changed', what };
  }
  for (const link of diff.addedConnections) to.links[link] = 'added';
  for (const link of diff.removedConnections) from.links[link] = 'removed';
  return { from, to };
}

/** A node clicked on the older side, by its name on the newer side (a renamed node has both). */
export function newerName(diff: WorkflowDiff, olderName: string): string {
  return diff.changedNodes.find((c) => c.previousName === olderName)?.name ?? olderName;
}

/** Links added or removed at a node (its own list beside the canvases). */
export function linksAt(diff: WorkflowDiff, names: string[]): string[] {
  const touches = (link: string) => names.some((n) => link.startsWith(`${n}[`) || link.includes(`→ ${n}[`));
  return [
    ...diff.addedConnections.filter(touches).map((l) => `+ ${l}`),
    ...diff.removedConnections.filter(touches).map((l) => `− ${l}`),
  ];
}

/**
 * The node types the canvas offers to add: those seen in the instances' workflows and in drafts
 * (with the highest typeVersion seen, so a new node matches what the instances run), plus a few
 * core types every n8n has, at versions n8n 1.x and 2.x both accept.
 */
import { typeLabel } from './graph';

export interface NodeTypeChoice {
  type: string;
  typeVersion: number;
  label: string;
  /** How many nodes of this type were seen; 0 for a built-in not seen yet. */
  uses: number;
  /** Where it was seen (instance names, "drafts"). */
  seenIn: string[];
}

export const BUILT_IN_TYPES: readonly { type: string; typeVersion: number }[] = [
  { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1 },
  { type: 'n8n-nodes-base.webhook', typeVersion: 2 },
  { type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2 },
  { type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2 },
  { type: 'n8n-nodes-base.set', typeVersion: 3.4 },
  { type: 'n8n-nodes-base.if', typeVersion: 2.2 },
  { type: 'n8n-nodes-base.switch', typeVersion: 3.2 },
  { type: 'n8n-nodes-base.merge', typeVersion: 3 },
  { type: 'n8n-nodes-base.code', typeVersion: 2 },
  { type: 'n8n-nodes-base.wait', typeVersion: 1.1 },
  { type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1 },
  { type: 'n8n-nodes-base.noOp', typeVersion: 1 },
];

export interface SeenType {
  type: string;
  /** null when the source does not say (the synced list keeps names and types only). */
  typeVersion: number | null;
  uses: number;
  seenIn: string;
}

/** Merges what was seen, highest version and most used first; built-ins fill in. */
export function collectNodeTypes(seen: Iterable<SeenType>): NodeTypeChoice[] {
  const byType = new Map<string, NodeTypeChoice>();
  const versions = new Map<string, number>();
  for (const s of seen) {
    if (!s.type.trim()) continue;
    const entry = byType.get(s.type) ?? { type: s.type, typeVersion: 1, label: typeLabel(s.type), uses: 0, seenIn: [] };
    entry.uses += s.uses;
    if (!entry.seenIn.includes(s.seenIn)) entry.seenIn.push(s.seenIn);
    if (s.typeVersion !== null) versions.set(s.type, Math.max(versions.get(s.type) ?? 0, s.typeVersion));
    byType.set(s.type, entry);
  }
  for (const b of BUILT_IN_TYPES) {
    const entry = byType.get(b.type);
    if (!entry) byType.set(b.type, { ...b, label: typeLabel(b.type), uses: 0, seenIn: [] });
    else if (!versions.has(b.type)) versions.set(b.type, b.typeVersion);
  }
  for (const [type, version] of versions) {
    const entry = byType.get(type);
    if (entry) entry.typeVersion = version;
  }
  return [...byType.values()].sort((a, b) => b.uses - a.uses || a.label.localeCompare(b.label));
}

/** Counts the types of workflows' nodes (drafts, the workflow being edited). */
export function typesOfNodes(nodes: Iterable<{ type: string; typeVersion: number }>, seenIn: string): SeenType[] {
  const counts = new Map<string, SeenType>();
  for (const n of nodes) {
    const key = `${n.type}@${n.typeVersion}`;
    const entry = counts.get(key) ?? { type: n.type, typeVersion: n.typeVersion, uses: 0, seenIn };
    entry.uses++;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

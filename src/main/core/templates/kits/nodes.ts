/**
 * Node builders shared by the kits: n8n's own node types at versions both lines (1.123 and 2.x)
 * run. Ids are placeholders (the install makes fresh ones); `webhookId` marks a node n8n
 * serves a webhook for.
 */
type Params = Record<string, unknown>;

let counter = 0;
const placeholderId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

export interface KitNode {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Params;
  webhookId?: string;
}

export const node = (
  name: string,
  type: string,
  typeVersion: number,
  position: [number, number],
  parameters: Params,
  webhook = false,
): KitNode => ({
  id: placeholderId(),
  name,
  type,
  typeVersion,
  position,
  parameters,
  ...(webhook ? { webhookId: placeholderId() } : {}),
});

/** The trigger every kit starts with: POST <instance>/webhook/<<webhookPath>>, answered at once. */
export const webhookTrigger = (name: string, position: [number, number] = [0, 0]) =>
  node(
    name,
    'n8n-nodes-base.webhook',
    2,
    position,
    { httpMethod: 'POST', path: '<<webhookPath>>', responseMode: 'onReceived', options: {} },
    true,
  );

/** A Set node writing string fields (name → n8n expression or text). */
export const setFields = (name: string, position: [number, number], fields: Record<string, string>) =>
  node(name, 'n8n-nodes-base.set', 3.4, position, {
    assignments: {
      assignments: Object.entries(fields).map(([field, value]) => ({
        id: placeholderId(),
        name: field,
        value,
        type: 'string',
      })),
    },
    includeOtherFields: true,
    options: {},
  });

/** `from` → `to` on output `output` of `from`, in n8n's connections shape. */
export function connect(links: [from: string, to: string, output?: number][]) {
  const connections: Record<string, { main: { node: string; type: 'main'; index: number }[][] }> = {};
  for (const [from, to, output = 0] of links) {
    const main = (connections[from] ??= { main: [] }).main;
    while (main.length <= output) main.push([]);
    main[output]!.push({ node: to, type: 'main', index: 0 });
  }
  return connections;
}

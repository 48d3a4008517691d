import { describe, expect, it } from 'vitest';
import { BUILT_IN_TYPES, collectNodeTypes, typesOfNodes } from './node-types';

describe('node types offered on the canvas', () => {
  it('takes the highest version seen, counts uses, names where it was seen, and fills in built-ins', () => {
    const choices = collectNodeTypes([
      ...typesOfNodes(
        [
          { type: 'n8n-nodes-base.set', typeVersion: 3.2 },
          { type: 'n8n-nodes-base.set', typeVersion: 3.4 },
          { type: '@acme/n8n-nodes-crm.contact', typeVersion: 2 },
        ],
        'drafts',
      ),
      { type: 'n8n-nodes-base.set', typeVersion: null, uses: 5, seenIn: 'prod' },
      { type: 'n8n-nodes-base.slack', typeVersion: null, uses: 1, seenIn: 'prod' },
      { type: ' ', typeVersion: 1, uses: 1, seenIn: 'prod' },
    ]);
    expect(choices[0]).toEqual({
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      label: 'Edit Fields (Set)',
      uses: 7,
      seenIn: ['drafts', 'prod'],
    });
    expect(choices.find((c) => c.type === 'n8n-nodes-base.slack')?.typeVersion).toBe(1);
    expect(choices.find((c) => c.type === '@acme/n8n-nodes-crm.contact')?.label).toBe('Contact');
    expect(choices.find((c) => c.type === 'n8n-nodes-base.webhook')).toMatchObject({ typeVersion: 2, uses: 0 });
    expect(choices).toHaveLength(BUILT_IN_TYPES.length + 2);
  });
});

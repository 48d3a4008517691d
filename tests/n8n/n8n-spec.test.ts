import { afterAll, beforeAll } from 'vitest';
import { describeN8nSpec } from '../../src/main/core/testing/n8n-spec';
import { N8N_VERSION, sharedN8n, type N8nInstance } from './harness';

// The fake n8n's spec against the real thing: the same checks run against the fake in the unit
// project (src/main/core/testing/fake-n8n.test.ts). A failure here means the fake tells a lie.
let n8n: N8nInstance;
beforeAll(async () => {
  n8n = await sharedN8n();
});
afterAll(async () => {
  await n8n?.dispose();
});

describeN8nSpec(`a real n8n ${N8N_VERSION}`, () => ({
  baseUrl: n8n.baseUrl,
  apiKey: n8n.apiKey,
  version: N8N_VERSION,
}));

import type { ConnectionTest } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { N8nClient } from './client';

/**
 * Health (/healthz), then an authenticated read of workflows and executions (auth, scopes,
 * latency), then the version. Never throws: every outcome is a plain sentence for the operator.
 */
export async function testConnection(
  client: N8nClient,
  now: () => number = () => performance.now(),
): Promise<ConnectionTest> {
  const result: ConnectionTest = {
    ok: false,
    healthy: false,
    authenticated: null,
    version: null,
    latencyMs: null,
    code: null,
    message: '',
  };
  try {
    await client.health();
    result.healthy = true;
  } catch (error) {
    const e = asAppError(error);
    // A 404 on /healthz is a proxy that hides it: go on and try the API itself.
    if (e.code !== 'N8N_NOT_FOUND' && e.code !== 'N8N_BAD_RESPONSE')
      return { ...result, code: e.code, message: e.message };
  }
  const started = now();
  try {
    await client.listWorkflows({ limit: 1 });
    result.latencyMs = Math.round((now() - started) * 10) / 10;
    result.authenticated = true;
    await client.listExecutions({ limit: 1 });
  } catch (error) {
    const e = asAppError(error);
    if (e.code === 'N8N_UNAUTHORIZED') result.authenticated = false;
    return { ...result, code: e.code, message: e.message };
  }
  result.version = await client.version();
  return {
    ...result,
    ok: true,
    message: `Connected to n8n${result.version ? ` ${result.version}` : ''} in ${result.latencyMs} ms: the key can read workflows and executions.`,
  };
}

const asAppError = (error: unknown) =>
  error instanceof AppError ? error : new AppError('INTERNAL', `Connection test failed: ${(error as Error).message}`);

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Core } from '../core/create-core';
import type { Logger } from '../core/logger';
import { serveMetrics } from './metrics-endpoint';
import { serveStatic } from './static-files';
import { attachWsTransport } from './ws-transport';

export interface HostOptions {
  core: Core;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  /** 127.0.0.1 unless the operator opts in to another interface. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Set by the operator, or generated (32 random bytes, hex). */
  token?: string;
  /** Extra browser origins allowed to connect (a reverse proxy's, say). */
  extraOrigins?: string[];
  /** Serve GET /metrics (Prometheus text, opt-in) to holders of `token`, by default the host's. */
  metrics?: { token?: string };
  /** Serve https and wss with this certificate and key (PEM); plain http and ws without. */
  tls?: { cert: Buffer; key: Buffer };
  logger: Logger;
}

export interface RunningHost {
  url: string;
  token: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Serves the console over HTTP and its contract over WebSocket. */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('hex');
  const metricsToken = options.metrics ? (options.metrics.token ?? token) : undefined;
  const server = createServer((req, res) => {
    if (metricsToken && new URL(req.url ?? '/', 'http://local').pathname === '/metrics') {
      void serveMetrics(options.core, metricsToken, req, res, options.logger);
      return;
    }
    serveStatic(options.rendererDir, req, res);
  });
  let port = options.port ?? 0;

  const allowedOrigins = () => [
    `http://${host}:${port}`,
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    ...(options.extraOrigins ?? []),
  ];
  const wss = attachWsTransport({ core: options.core, server, token, allowedOrigins, logger: options.logger });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}/`,
    token,
    port,
    server,
    async close() {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

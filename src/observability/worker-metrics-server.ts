import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger';

// The job worker has no Express app: this is all it serves. With Redis the jobs run here, so
// their counters (completed, failed, retried, messages processed and sent, referrals expired)
// exist only in this process and must be scraped from it.

export interface WorkerMetricsServerDeps {
  /** The worker's registry: the domain counters and the database gauges of `openHotline`. */
  registry: Registry;
  host: string;
  /** 0 in a test lets the system pick a free port (the worker itself never starts with 0). */
  port: number;
  logger: Logger;
}

export interface WorkerMetricsServer {
  /** The port it listens on (the chosen one when asked for 0). */
  port: number;
  close(): Promise<void>;
}

/** Listens for `GET /metrics` (Prometheus text) and `GET /healthz`; anything else is a 404 or 405. */
export async function startWorkerMetricsServer(deps: WorkerMetricsServerDeps): Promise<WorkerMetricsServer> {
  const server = http.createServer((req, res) => {
    answer(deps, req, res).catch((error: unknown) => {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'worker metrics not served');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('metrics unavailable\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function answer(deps: WorkerMetricsServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const route = new URL(req.url ?? '/', 'http://worker').pathname;
  if (route !== '/metrics' && route !== '/healthz') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  if (route === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end('{"status":"ok"}');
    return;
  }
  const body = await deps.registry.metrics();
  res.writeHead(200, { 'Content-Type': deps.registry.contentType, 'Cache-Control': 'no-store' }).end(body);
}

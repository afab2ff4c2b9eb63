import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { RouteSpec } from '../http/routes';

/** A Prometheus registry per app (no global state, unless the process shares one), with process and HTTP metrics. */
export function createMetrics(registry: Registry = new Registry()) {
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'hotline_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  /** Times each request under its route pattern (never the concrete URL, which may hold a reference). */
  function observe(req: Request, res: Response, next: NextFunction): void {
    const end = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const pattern = (req.route as { path?: string } | undefined)?.path;
      end({ route: pattern ? `${req.baseUrl}${pattern}` : 'unmatched', status: String(res.statusCode) });
    });
    next();
  }

  const routes: RouteSpec[] = [
    {
      method: 'get',
      path: '/metrics',
      access: { public: true, reason: 'Prometheus scraping; aggregate process metrics only, no personal data' },
      handler: async (_req, res) => {
        res.set('Content-Type', registry.contentType).send(await registry.metrics());
      },
    },
  ];
  return { registry, observe, routes };
}

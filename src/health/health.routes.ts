import type { RouteSpec } from '../http/routes';

export interface HealthDeps {
  /** Each dependency the process needs to serve requests, by name. */
  checks: Record<string, () => Promise<void>>;
  /** How long a readiness check may take before it counts as failed. */
  timeoutMs?: number;
}

function withTimeout(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    timer.unref();
    check().then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** `/healthz` (the process runs) and `/readyz` (its database and queue answer). */
export function healthRoutes({ checks, timeoutMs = 2000 }: HealthDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/healthz',
      access: { public: true, reason: 'liveness probe for load balancers and orchestrators' },
      handler: (_req, res) => {
        res.set('Cache-Control', 'no-store').json({ status: 'ok' });
      },
    },
    {
      method: 'get',
      path: '/readyz',
      access: { public: true, reason: 'readiness probe; names dependencies, never their addresses' },
      handler: async (_req, res) => {
        const results = await Promise.all(
          Object.entries(checks).map(async ([name, check]) => {
            try {
              await withTimeout(check, timeoutMs);
              return [name, 'ok'] as const;
            } catch {
              return [name, 'unavailable'] as const;
            }
          }),
        );
        const ready = results.every(([, state]) => state === 'ok');
        res
          .status(ready ? 200 : 503)
          .set('Cache-Control', 'no-store')
          .json({ status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
      },
    },
  ];
}

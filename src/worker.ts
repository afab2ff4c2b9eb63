import { collectDefaultMetrics } from 'prom-client';
import { scheduleMaintenance } from './jobs/maintenance-schedule';
import { openHotline } from './hotline';
import { startKeyMigration } from './privacy/key-migration.service';
import { startWorkerMetricsServer, type WorkerMetricsServer } from './observability/worker-metrics-server';
import { configOrExit, onShutdownSignal } from './startup';

// A job worker process for production: runs the jobs that web processes queue through Redis.
// Without REDIS_URL it runs the in-process outbox runner, which is what `npm start` does anyway.

const KEEP_ALIVE_MS = 24 * 3600_000;

async function main(): Promise<void> {
  const { config, logger } = configOrExit();
  const hotline = await openHotline(config, logger, { jobRole: 'all', migrate: true });
  collectDefaultMetrics({ register: hotline.metrics });
  const { host, port } = config.workerMetrics;
  const metricsServer: WorkerMetricsServer | undefined = port === 0
    ? undefined
    // A taken port (a second worker on the same host) must not stop the jobs: the worker runs on,
    // without its /metrics, and says how to give each worker its own port.
    : await startWorkerMetricsServer({ registry: hotline.metrics, host, port, logger }).catch((error: unknown) => {
      logger.error(
        { host, port, err: error instanceof Error ? error.message : String(error) },
        'worker metrics not served: the port is taken (give each worker on a host its own WORKER_METRICS_PORT, or 0); jobs run on',
      );
      return undefined;
    });
  await hotline.jobs.start();
  const stopMaintenance = scheduleMaintenance({ ...hotline, failures: hotline.scheduledFailures });
  // Values sealed before per-person keys move to them, a batch at a time (a cheap look when none are left).
  startKeyMigration(hotline).catch((error: unknown) => hotline.scheduledFailures.record('keys.migrate', error));
  // Without Redis nothing holds the event loop open: the runner's and the scheduler's timers are
  // unref'd (tests and the CLI use them and must exit) and PGlite has no socket, so the worker
  // would end as soon as a round of work finished. It must run until it is signalled.
  const keepAlive = setInterval(() => undefined, KEEP_ALIVE_MS);
  if (hotline.jobs.kind === 'in-process') {
    logger.info({ jobs: hotline.jobs.kind }, 'job worker running the in-process outbox (no REDIS_URL)');
  } else {
    logger.info({ jobs: hotline.jobs.kind }, 'job worker running');
  }
  if (metricsServer) logger.info({ host, port: metricsServer.port }, 'worker metrics at /metrics');
  onShutdownSignal(logger, async () => {
    clearInterval(keepAlive);
    stopMaintenance();
    await metricsServer?.close();
    await hotline.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

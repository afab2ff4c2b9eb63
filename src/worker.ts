import { scheduleMaintenance } from './jobs/maintenance-schedule';
import { openHotline } from './hotline';
import { configOrExit, onShutdownSignal } from './startup';

// A job worker process for production: runs the jobs that web processes queue through Redis.
// Without REDIS_URL it runs the in-process outbox runner, which is what `npm start` does anyway.

async function main(): Promise<void> {
  const { config, logger } = configOrExit();
  const hotline = await openHotline(config, logger, { jobRole: 'all', migrate: true });
  await hotline.jobs.start();
  const stopMaintenance = scheduleMaintenance({ ...hotline, failures: hotline.scheduledFailures });
  logger.info({ jobs: hotline.jobs.kind }, 'job worker running');
  onShutdownSignal(logger, async () => {
    stopMaintenance();
    await hotline.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

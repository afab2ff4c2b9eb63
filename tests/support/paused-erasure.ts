import { eraseNow, type ErasureDeps, type ErasureOutcome, type ErasureTarget } from '../../src/privacy/erasure.service';

/**
 * The real erasure of a worker (source cli), held just before its commit: its last step publishes
 * `erasure.done`, and waits there until `release`. Meanwhile it holds what an erasure holds (their
 * people's rows), so a test can send what arrives in that instant.
 */
export async function pausedErasure(deps: ErasureDeps, target: ErasureTarget): Promise<{ release: () => void; done: Promise<ErasureOutcome> }> {
  let paused!: () => void;
  const reachedCommit = new Promise<void>((resolve) => (paused = resolve));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const done = eraseNow({
    ...deps,
    events: {
      ...deps.events,
      publish: async (trx, event, context) => {
        await deps.events.publish(trx, event, context);
        if (event.type === 'erasure.done') {
          paused();
          await gate;
        }
      },
    },
  }, { target, source: 'cli', reason: 'worker_request' });
  await Promise.race([reachedCommit, done]);
  return { release, done };
}

/** Whether `pending` is still unsettled after `ms` (it waits on something). */
export async function stillWaitingAfter(pending: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void pending.then(() => (settled = true), () => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, ms));
  return !settled;
}

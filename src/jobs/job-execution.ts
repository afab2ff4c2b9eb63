import type { OutboxRow } from '../db/schema';
import type { JobCatalogue, JobContext, PayloadMap, RetryPolicy } from './job.types';

/** A failure that retrying cannot mend (unknown job, malformed payload): the job goes dead at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Runs one outbox row through its catalogue entry. */
export async function executeJob<M extends PayloadMap>(
  catalogue: JobCatalogue<M>,
  row: Pick<OutboxRow, 'name' | 'payload'>,
  context: JobContext,
): Promise<void> {
  const definition = catalogue[row.name as keyof M & string];
  if (!definition) throw new PermanentJobError(`no job named ${row.name} in the catalogue`);
  const parsed = definition.payload.safeParse(row.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PermanentJobError(`payload of ${row.name} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  await definition.handle(parsed.data, context);
}

/** The retry policy of a job, or a single attempt for a name the catalogue does not know. */
export function retryPolicyOf<M extends PayloadMap>(catalogue: JobCatalogue<M>, name: string): RetryPolicy {
  return catalogue[name as keyof M & string]?.retry ?? { attempts: 1, backoffMs: 0 };
}

/** Exponential backoff: the wait before retry number `attempt` (1-based) of a policy. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return policy.backoffMs * 2 ** Math.max(0, attempt - 1);
}

/** A short, log-safe description of an error (no stack, no payload). */
export function describeJobError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.slice(0, 500);
}

import type { StoredInbound, StoreResult } from './inbound.repository';

// Group commit for inbound webhooks: requests that arrive while a batch is being written wait a
// moment and are written together, in one statement and one commit. Every request still gets its
// answer only after its own message is committed. A lone request is written at once, so batching
// adds no delay when the hotline is quiet, and batches grow by themselves under load (measured in
// docs/benchmarks.md: one batch in flight beats several on a small machine).

export interface InboundBatcherOptions {
  store: (messages: readonly StoredInbound[]) => Promise<StoreResult[]>;
  /** Most messages in one statement. */
  maxBatch?: number;
  /** Most statements in flight at once; more requests wait and join the next batch. */
  maxInFlight?: number;
  /** A batch not committed by then is failed (its requests spool) and stops holding the others up. */
  timeoutMs?: number;
}

interface Waiting {
  message: StoredInbound;
  resolve: (result: StoreResult) => void;
  reject: (error: unknown) => void;
}

/** Collects messages into batches for `store`; `submit` resolves when the message's batch committed. */
export function createInboundBatcher({ store, maxBatch = 200, maxInFlight = 1, timeoutMs = 5000 }: InboundBatcherOptions) {
  const queue: Waiting[] = [];
  let inFlight = 0;

  function write(batch: Waiting[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`inbound batch not committed within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([store(batch.map((waiting) => waiting.message)), timeout])
      .then(
        (results) => batch.forEach((waiting, index) => {
          const result = results[index];
          if (result) waiting.resolve(result);
          else waiting.reject(new Error('no result for a stored message'));
        }),
        (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
      )
      .finally(() => clearTimeout(timer));
  }

  function pump(): void {
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.splice(0, maxBatch);
      inFlight += 1;
      void write(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  return {
    submit(message: StoredInbound): Promise<StoreResult> {
      return new Promise<StoreResult>((resolve, reject) => {
        queue.push({ message, resolve, reject });
        pump();
      });
    },
  };
}

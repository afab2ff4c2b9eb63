import type { StoredInbound, StoreResult } from './inbound.repository';

// Group commit for inbound webhooks: requests that arrive while earlier batches are being written
// wait a moment and are written together, in one statement and one commit. Every request still
// gets its answer only after its own message is committed. With no queue, a lone request is
// written at once, so batching adds no delay when the hotline is quiet.

export interface InboundBatcherOptions {
  store: (messages: readonly StoredInbound[]) => Promise<StoreResult[]>;
  /** Most messages in one statement. */
  maxBatch?: number;
  /** Most statements in flight at once; more requests wait and join the next batch. */
  maxInFlight?: number;
}

interface Waiting {
  message: StoredInbound;
  resolve: (result: StoreResult) => void;
  reject: (error: unknown) => void;
}

/** Collects messages into batches for `store`; `submit` resolves when the message's batch committed. */
export function createInboundBatcher({ store, maxBatch = 200, maxInFlight = 4 }: InboundBatcherOptions) {
  const queue: Waiting[] = [];
  let inFlight = 0;

  function pump(): void {
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.splice(0, maxBatch);
      inFlight += 1;
      store(batch.map((waiting) => waiting.message))
        .then(
          (results) => batch.forEach((waiting, index) => {
            const result = results[index];
            if (result) waiting.resolve(result);
            else waiting.reject(new Error('no result for a stored message'));
          }),
          (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
        )
        .finally(() => {
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

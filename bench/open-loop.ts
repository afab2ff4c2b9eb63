import http from 'node:http';

// An open-loop load generator: requests leave on a fixed schedule whether or not earlier ones
// have been answered, as Twilio's webhooks do, so a slow answer cannot hold back the next request
// and hide its own delay (coordinated omission). Latency is measured from the scheduled time.

export interface OpenLoopResult {
  offered: number;
  achieved: number;
  p50: number;
  p99: number;
  failures: number;
}

export interface OpenLoopRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** Sends `rate` requests per second for `seconds` seconds, spaced evenly. */
export async function openLoop(port: number, rate: number, seconds: number, next: () => OpenLoopRequest): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = next();
    // Measured from the scheduled time (a late start counts against the server's answer), or from
    // the actual start when the timer fired a little early.
    const from = Math.max(due, performance.now());
    inFlight.push(
      new Promise<void>((resolve) => {
        const outgoing = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: request.path, headers: request.headers, agent },
          (response) => {
            response.resume();
            response.on('end', () => {
              if (response.statusCode !== 200) failures += 1;
              latencies.push(performance.now() - from);
              resolve();
            });
          },
        );
        outgoing.on('error', () => {
          failures += 1;
          resolve();
        });
        outgoing.end(request.body);
      }),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { offered: rate, achieved: latencies.length / elapsed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failures };
}

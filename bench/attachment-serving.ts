import crypto from 'node:crypto';
import http from 'node:http';
import { storeSealed } from '../src/attachments/attachment-store';
import { insertAttachment, markAttachmentStored } from '../src/attachments/attachment.repository';
import { openDatabase } from '../src/db/database';
import { createPersonalDataCipher } from '../src/privacy/personal-data';
import { issueApiToken } from '../src/users/user.service';
import { upsertUser } from '../src/users/user.repository';
import { median, rssMiB } from './process-probe';

// Serving one large sealed file through the API while the web process's resident memory is sampled:
// the file is opened chunk by chunk and piped, so memory must not grow with the file's size.

const FILE_BYTES = 16 * 1024 * 1024;

export interface ServingResult {
  one: { idle: number; peak: number; secondsPerDownload: number };
  four: { idle: number; peak: number; secondsPerDownload: number };
}

/** A coordinator's token, and a 16 MiB PDF sealed on one of the database's cases. */
async function prepare(databaseUrl: string, encryptionKey: string): Promise<{ token: string; path: string }> {
  const handle = await openDatabase({ databaseUrl, poolSize: 2 });
  try {
    const cipher = createPersonalDataCipher({ current: encryptionKey });
    const clock = { now: () => new Date() };
    const org = await handle.db.insertInto('organisations').values({ slug: `bench-${crypto.randomBytes(3).toString('hex')}`, name: 'Bench network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const email = `coordinator-${crypto.randomBytes(3).toString('hex')}@bench.example`;
    await upsertUser(handle.db, { organisationId: org.id, email, displayName: 'Bench coordinator', role: 'coordinator', locale: 'en', passwordHash: null });
    const token = await issueApiToken({ db: handle.db, clock }, { email }, { kind: 'cli' });
    const found = await handle.db.selectFrom('cases').select(['id', 'reference']).orderBy('created_at').executeTakeFirstOrThrow();
    const attachmentId = await insertAttachment(handle.db, { source: 'web', caseId: found.id, at: clock.now() });
    async function* pdf(): AsyncGenerator<Buffer> {
      yield Buffer.from('%PDF-1.4\n', 'latin1');
      for (let sent = 9; sent < FILE_BYTES; sent += 64 * 1024) yield crypto.randomBytes(Math.min(64 * 1024, FILE_BYTES - sent));
    }
    const stored = await storeSealed({ db: handle.db, cipher }, { attachmentId, variant: 'original', source: pdf() });
    await markAttachmentStored(handle.db, attachmentId, { sizeBytes: stored.sizeBytes, at: clock.now(), kind: 'document', contentType: 'application/pdf' });
    return { token, path: `/api/v1/cases/${found.reference}/attachments/${attachmentId}` };
  } finally {
    await handle.close();
  }
}

/** Downloads the file, reading as fast as it comes; resolves with the bytes received. */
function download(port: number, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`download answered ${response.statusCode}`));
        return;
      }
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve(bytes));
      response.on('error', reject);
    }).on('error', reject);
  });
}

async function idleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    samples.push(rssMiB(pid));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return median(samples);
}

async function sampled(pid: number, work: () => Promise<void>): Promise<number> {
  let peak = rssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssMiB(pid));
}

/** Serves the 16 MiB file five times one after another, then four at once, sampling the web process. */
export async function measureServing(target: { port: number; databaseUrl: string; encryptionKey: string; webPid: number }): Promise<ServingResult> {
  const { token, path } = await prepare(target.databaseUrl, target.encryptionKey);
  // Warm-up: the route compiled, the pool connected.
  if ((await download(target.port, path, token)) !== FILE_BYTES) throw new Error('the file did not come back whole');
  const oneIdle = await idleRss(target.webPid);
  let started = performance.now();
  const onePeak = await sampled(target.webPid, async () => {
    for (let i = 0; i < 5; i += 1) if ((await download(target.port, path, token)) !== FILE_BYTES) throw new Error('the file did not come back whole');
  });
  const oneSeconds = (performance.now() - started) / 1000 / 5;
  const fourIdle = await idleRss(target.webPid);
  started = performance.now();
  const fourPeak = await sampled(target.webPid, async () => {
    const sizes = await Promise.all(Array.from({ length: 4 }, () => download(target.port, path, token)));
    if (sizes.some((size) => size !== FILE_BYTES)) throw new Error('a file did not come back whole');
  });
  const fourSeconds = (performance.now() - started) / 1000 / 4;
  return { one: { idle: oneIdle, peak: onePeak, secondsPerDownload: oneSeconds }, four: { idle: fourIdle, peak: fourPeak, secondsPerDownload: fourSeconds } };
}

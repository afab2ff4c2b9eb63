import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../observability/logger';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import type { InboundMedia, MessagingChannel } from '../channel';

// Twilio does not retry a webhook that failed, so when the database cannot take an inbound
// message it is sealed to local disk and answered normally; a drain loop moves spooled messages
// into the database as soon as it answers again. Only sealed text ever touches the disk.

/** A spooled request: Twilio's webhook parameters, or a provider's event already parsed (LINE, Viber). */
export interface SpooledRequest {
  params?: Record<string, string>;
  prepared?: {
    providerId: string;
    channel: MessagingChannel;
    address: string;
    body: string;
    rawBody: string;
    language: string | null;
    media: InboundMedia[];
    receivedAt: string;
    event?: 'follow' | 'unfollow' | 'sticker' | 'location' | null;
    replyToken?: { token: string; expiresAt: string } | null;
  };
  receivedAt: string;
}

export interface InboundSpool {
  /** Writes a request that could not be stored; throws if the disk refuses too. */
  write(messageSid: string, request: SpooledRequest): void;
  /** Replays each spooled request through `store`; a request is removed once stored. */
  drain(store: (request: SpooledRequest) => Promise<void>): Promise<number>;
  /** How many requests wait in the spool. */
  size(): number;
  /** The spooled files and their bytes on disk (for /metrics). */
  usage(): { files: number; bytes: number };
  /**
   * Removes spooled files last written before `before` (requests the drain never managed to store),
   * and half-written ones; with `dryRun`, only counts them. Returns how many.
   */
  purgeOlderThan(before: Date, options?: { dryRun?: boolean }): number;
}

/** A spool directory of sealed files, one per MessageSid (so a replay overwrites, never doubles). */
export function createInboundSpool(directory: string, cipher: PersonalDataCipher, logger: Logger): InboundSpool {
  const fileOf = (messageSid: string) => path.join(directory, `${messageSid.replace(/[^A-Za-z0-9]/g, '')}.sealed`);
  const list = () => (fs.existsSync(directory) ? fs.readdirSync(directory).filter((name) => name.endsWith('.sealed')) : []);
  let draining: Promise<number> | undefined;

  async function drainOnce(store: (request: SpooledRequest) => Promise<void>): Promise<number> {
    let stored = 0;
    for (const name of list()) {
      const file = path.join(directory, name);
      try {
        const request = JSON.parse(cipher.open(fs.readFileSync(file, 'utf8'))) as SpooledRequest;
        await store(request);
        fs.rmSync(file, { force: true });
        stored += 1;
      } catch (error) {
        logger.warn({ file: name, err: error instanceof Error ? error.message : String(error) }, 'spooled inbound message not stored yet');
        return stored;
      }
    }
    return stored;
  }

  return {
    write(messageSid, request) {
      fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
      const file = fileOf(messageSid);
      const temporary = `${file}.tmp`;
      fs.writeFileSync(temporary, cipher.seal(JSON.stringify(request)), { mode: 0o600 });
      fs.renameSync(temporary, file);
    },
    async drain(store) {
      draining ??= drainOnce(store).finally(() => {
        draining = undefined;
      });
      return draining;
    },
    size: () => list().length,
    purgeOlderThan(before, options = {}) {
      if (!fs.existsSync(directory)) return 0;
      let purged = 0;
      for (const name of fs.readdirSync(directory).filter((file) => file.endsWith('.sealed') || file.endsWith('.sealed.tmp'))) {
        const file = path.join(directory, name);
        const stat = fs.statSync(file, { throwIfNoEntry: false });
        if (!stat || stat.mtime >= before) continue;
        if (!options.dryRun) fs.rmSync(file, { force: true });
        purged += 1;
      }
      return purged;
    },
    usage() {
      let files = 0;
      let bytes = 0;
      for (const name of list()) {
        // A file drained between the listing and its stat is simply gone.
        const stat = fs.statSync(path.join(directory, name), { throwIfNoEntry: false });
        if (!stat) continue;
        files += 1;
        bytes += stat.size;
      }
      return { files, bytes };
    },
  };
}

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Logger } from '../observability/logger';
import { generateKey } from './personal-data';

export interface Secrets {
  encryptionKey: string;
  previousEncryptionKeys: string[];
  sessionSecret: string;
}

function readOrCreate(file: string, create: () => string, logger: Logger, what: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const value = create();
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  logger.warn({ file }, `generated ${what} for the embedded mode into DATA_DIR; set it in the environment for production`);
  return value;
}

/**
 * The secrets of this process: from the environment when set (production refuses to start
 * without them), otherwise generated once into DATA_DIR, with a warning, for the embedded mode.
 */
export function resolveSecrets(
  config: { encryptionKey: string | undefined; previousEncryptionKeys: string[]; sessionSecret: string | undefined; dataDir: string },
  logger: Logger,
): Secrets {
  return {
    encryptionKey:
      config.encryptionKey ?? readOrCreate(path.join(config.dataDir, 'encryption.key'), generateKey, logger, 'ENCRYPTION_KEY'),
    previousEncryptionKeys: config.previousEncryptionKeys,
    sessionSecret:
      config.sessionSecret ??
      readOrCreate(path.join(config.dataDir, 'session.secret'), () => crypto.randomBytes(48).toString('base64url'), logger, 'SESSION_SECRET'),
  };
}

import crypto from 'node:crypto';

// The only module that touches encryption keys. Personal fields (phone numbers, message bodies,
// notes, free text) are sealed with AES-256-GCM; a sealed value names the key that sealed it, so
// keys can rotate: new values use the current key, old ones still open with a previous key.

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PersonalDataKeys {
  /** Base64 of 32 bytes. */
  current: string;
  previous?: string[];
}

/** Seals and opens personal fields, and derives keyed lookup hashes for exact-match search. */
export interface PersonalDataCipher {
  /** The id of the key new values are sealed with. */
  readonly currentKeyId: string;
  seal(plaintext: string): string;
  open(sealed: string): string;
  sealOptional(plaintext: string | null | undefined): string | null;
  openOptional(sealed: string | null | undefined): string | null;
  /** The keyed hash under the current key, for storing beside a sealed value. */
  lookupHash(value: string): string;
  /** The keyed hashes under every known key, for finding rows stored before a rotation. */
  lookupHashes(value: string): string[];
}

interface KeyMaterial {
  id: string;
  encryption: Buffer;
  lookup: Buffer;
}

function deriveKey(base64: string): KeyMaterial {
  const secret = Buffer.from(base64, 'base64');
  if (secret.length !== 32) throw new Error('an encryption key must be 32 bytes');
  const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  return {
    id: crypto.createHash('sha256').update(secret).digest('hex').slice(0, 8),
    encryption: derive('migrant-hotline personal data v1'),
    lookup: derive('migrant-hotline lookup hash v1'),
  };
}

/** Builds the cipher from the current key and any previous keys still needed to read old rows. */
export function createPersonalDataCipher(keys: PersonalDataKeys): PersonalDataCipher {
  const current = deriveKey(keys.current);
  const byId = new Map<string, KeyMaterial>([[current.id, current]]);
  for (const previous of keys.previous ?? []) {
    const material = deriveKey(previous);
    if (!byId.has(material.id)) byId.set(material.id, material);
  }
  const hash = (key: KeyMaterial, value: string) =>
    `${key.id}.${crypto.createHmac('sha256', key.lookup).update(value.normalize('NFC')).digest('base64url')}`;

  const seal = (plaintext: string): string => {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', current.encryption, iv);
    cipher.setAAD(Buffer.from(`${FORMAT}.${current.id}`));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, current.id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  };

  const open = (sealed: string): string => {
    const [format, keyId, iv, body, tag] = sealed.split('.');
    if (format !== FORMAT || !keyId || iv === undefined || body === undefined || tag === undefined) {
      throw new Error('not a sealed value');
    }
    const key = byId.get(keyId);
    if (!key) throw new Error(`no key ${keyId} is configured to open this value`);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key.encryption, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${FORMAT}.${keyId}`));
    const authTag = Buffer.from(tag, 'base64url');
    if (authTag.length !== TAG_BYTES) throw new Error('not a sealed value');
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  };

  return {
    currentKeyId: current.id,
    seal,
    open,
    sealOptional: (plaintext) => (plaintext === null || plaintext === undefined ? null : seal(plaintext)),
    openOptional: (sealed) => (sealed === null || sealed === undefined ? null : open(sealed)),
    lookupHash: (value) => hash(current, value),
    lookupHashes: (value) => [...byId.values()].map((key) => hash(key, value)),
  };
}

/** A new random key, base64, for ENCRYPTION_KEY. */
export function generateKey(): string {
  return crypto.randomBytes(32).toString('base64');
}

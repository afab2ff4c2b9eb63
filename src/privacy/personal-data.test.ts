import { createPersonalDataCipher, generateKey } from './personal-data';

describe('personal data cipher', () => {
  const cipher = createPersonalDataCipher({ current: generateKey() });

  it('round-trips text in every script', () => {
    for (const text of ['+66812345678', 'လစာမရဘူး', 'មិនបានប្រាក់ខែ', 'ບໍ່ໄດ້ເງິນເດືອນ', 'ไม่ได้เงินเดือน', 'Chưa được trả lương', '']) {
      expect(cipher.open(cipher.seal(text))).toBe(text);
    }
  });

  it('seals the same text differently each time and names its key', () => {
    const [a, b] = [cipher.seal('+66812345678'), cipher.seal('+66812345678')];
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).toBe(cipher.currentKeyId);
    expect(a).not.toContain('66812345678');
  });

  it('refuses a value that was tampered with', () => {
    const sealed = cipher.seal('unpaid wages');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => cipher.open(parts.join('.'))).toThrow();
    expect(() => cipher.open('plain text')).toThrow('not a sealed value');
  });

  it('opens values sealed under a previous key after rotation, and seals new ones under the new key', () => {
    const oldKey = generateKey();
    const before = createPersonalDataCipher({ current: oldKey });
    const sealed = before.seal('passport kept');
    const after = createPersonalDataCipher({ current: generateKey(), previous: [oldKey] });
    expect(after.open(sealed)).toBe('passport kept');
    expect(after.seal('x').split('.')[1]).not.toBe(before.currentKeyId);
    expect(after.lookupHashes('+66812345678')).toContain(before.lookupHash('+66812345678'));
  });

  it('derives a stable lookup hash that does not reveal the value', () => {
    const hash = cipher.lookupHash('+66812345678');
    expect(cipher.lookupHash('+66812345678')).toBe(hash);
    expect(cipher.lookupHash('+66812345679')).not.toBe(hash);
    expect(hash).not.toContain('66812345678');
    expect(createPersonalDataCipher({ current: generateKey() }).lookupHash('+66812345678')).not.toBe(hash);
  });

  it('passes null through the optional forms', () => {
    expect(cipher.sealOptional(null)).toBeNull();
    expect(cipher.openOptional(undefined)).toBeNull();
  });
});

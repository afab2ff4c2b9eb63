import crypto from 'node:crypto';
import { AppError } from '../../http/errors';
import { checkLineSignature, parseLineJson } from './line-signature';

const SECRET = 'channel-secret-for-tests';
const BODY = Buffer.from('{"destination":"U1","events":[{"type":"message","message":{"type":"text","text":"ค่าจ้าง"}}]}');
const sign = (body: Buffer, secret = SECRET) => crypto.createHmac('sha256', secret).update(body).digest('base64');

describe('LINE webhook signature', () => {
  it('accepts the signature of the exact body bytes', () => {
    expect(checkLineSignature(BODY, sign(BODY), SECRET)).toBe('valid');
  });

  it('reports a request without signature as missing', () => {
    expect(checkLineSignature(BODY, undefined, SECRET)).toBe('missing');
    expect(checkLineSignature(BODY, '', SECRET)).toBe('missing');
  });

  it('refuses a signature made with another secret, or that is not base64 of a digest', () => {
    expect(checkLineSignature(BODY, sign(BODY, 'another-secret'), SECRET)).toBe('invalid');
    expect(checkLineSignature(BODY, 'not-a-signature', SECRET)).toBe('invalid');
  });

  it('refuses a body changed after signing, even by re-serialising the same JSON', () => {
    const signature = sign(BODY);
    const tampered = Buffer.from(BODY.toString().replace('ค่าจ้าง', 'hello'));
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 1));
    expect(checkLineSignature(tampered, signature, SECRET)).toBe('invalid');
    expect(checkLineSignature(reserialised, signature, SECRET)).toBe('invalid');
  });

  it('parses a verified body, and answers bad JSON with a 400 naming the body', () => {
    expect(parseLineJson(BODY)).toMatchObject({ destination: 'U1' });
    let refused: unknown;
    try {
      parseLineJson(Buffer.from('{"destination":'));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 400, issues: [{ field: '(body)', reason: 'invalid_format' }] });
  });
});

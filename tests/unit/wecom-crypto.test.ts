import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decrypt as wecomDecrypt, encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { WecomCryptoError, createCallbackCipher, isValidEncodingAESKey } from '../../src/wecom/crypto.ts';
import { buildAppTextMessageXml, buildCallbackPostXml, parseAppMessageXml, parseEnvelopeXml } from '../../src/wecom/xml.ts';

interface Vectors {
  token: string;
  encodingAESKey: string;
  corpId: string;
  urlVerification: {
    msg_signature: string;
    timestamp: string;
    nonce: string;
    echostr: string;
    raw_query_as_in_source: string;
    expected_plain: string;
  };
  message: {
    msg_signature: string;
    timestamp: string;
    nonce: string;
    post_xml: string;
    expected_plain_xml: string;
  };
}

const V: Vectors = JSON.parse(
  readFileSync(new URL('../fixtures/wecom/official-sample-vectors.json', import.meta.url), 'utf8'),
);

const app = createCallbackCipher({ token: V.token, encodingAESKey: V.encodingAESKey, receiveId: V.corpId });
const OTHER_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof WecomCryptoError) return err.code;
    throw err;
  }
  throw new Error('expected a WecomCryptoError');
}

/** Encrypts an arbitrary plaintext block with the vectors' key, bypassing WeCom's framing. */
function rawEncrypt(plain: Buffer, encodingAESKey = V.encodingAESKey): string {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

function frame(msg: Buffer, id: Buffer, lengthField = msg.length): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(lengthField, 0);
  return Buffer.concat([randomBytes(16), len, msg, id]);
}

function pad32(b: Buffer): Buffer {
  const n = 32 - (b.length % 32);
  return Buffer.concat([b, Buffer.alloc(n, n)]);
}

describe('official sample vectors', () => {
  it('URL verification: the signature over echostr verifies and echostr decrypts exactly', () => {
    const u = V.urlVerification;
    expect(app.sign(u.timestamp, u.nonce, u.echostr)).toBe(u.msg_signature);
    expect(app.verify(u.msg_signature, u.timestamp, u.nonce, u.echostr)).toBe(true);
    expect(app.decrypt(u.echostr)).toBe(u.expected_plain);
    expect(app.verifyAndDecrypt(u.msg_signature, u.timestamp, u.nonce, u.echostr)).toBe(u.expected_plain);
  });

  it('URL verification: decoding the raw query once yields echostr; decoding twice is refused', () => {
    const u = V.urlVerification;
    const once = new URL(u.raw_query_as_in_source.replace(/^GET /, ''), 'http://x').searchParams;
    expect(once.get('echostr')).toBe(u.echostr);
    expect(once.get('msg_signature')).toBe(u.msg_signature);

    const twice = new URLSearchParams(`e=${once.get('echostr')}`).get('e') ?? '';
    expect(twice).not.toBe(u.echostr); // '+' became ' '
    expect(codeOf(() => app.decrypt(twice))).toBe('bad_ciphertext');
  });

  it('message: envelope parsed, signature verifies, decrypts to the expected XML, fields as strings', () => {
    const m = V.message;
    const env = parseEnvelopeXml(m.post_xml);
    expect(env).toEqual({ toUserName: V.corpId, encrypt: expect.any(String), agentId: '218' });
    expect(app.verify(m.msg_signature, m.timestamp, m.nonce, env.encrypt)).toBe(true);

    const plain = app.decrypt(env.encrypt);
    expect(plain).toBe(m.expected_plain_xml);

    const msg = parseAppMessageXml(plain);
    expect(msg).toEqual({
      toUserName: V.corpId,
      fromUserName: 'mycreate',
      createTime: '1409659813',
      msgType: 'text',
      content: 'hello',
      msgId: '4561255354251345929',
      agentId: '218',
      event: null,
      eventKey: null,
      mediaId: null,
      picUrl: null,
      taskId: null,
      cardType: null,
      responseCode: null,
      selectedItems: {},
    });
    expect(typeof msg.msgId).toBe('string');
  });

  it('known answer for encryption: same random bytes reproduce the official ciphertext and POST body', () => {
    const m = V.message;
    const env = parseEnvelopeXml(m.post_xml);
    const { random } = wecomDecrypt(V.encodingAESKey, env.encrypt);

    const inner = buildAppTextMessageXml({
      corpId: V.corpId,
      fromUser: 'mycreate',
      createTime: 1409659813,
      content: 'hello',
      msgId: '4561255354251345929',
      agentId: '218',
    });
    expect(inner).toBe(m.expected_plain_xml);

    const sealed = app.encryptAndSign(inner, m.timestamp, m.nonce, random);
    expect(sealed.encrypt).toBe(env.encrypt);
    expect(sealed.signature).toBe(m.msg_signature);
    expect(buildCallbackPostXml({ toUserName: V.corpId, encrypt: sealed.encrypt, agentId: '218' })).toBe(m.post_xml);
  });

  it('the official ciphertexts are padded to a multiple of 32 bytes', () => {
    expect(Buffer.from(V.urlVerification.echostr, 'base64').length % 32).toBe(0);
    expect(Buffer.from(parseEnvelopeXml(V.message.post_xml).encrypt, 'base64').length % 32).toBe(0);
  });
});

describe('signatures', () => {
  const u = V.urlVerification;

  it('sign matches @wecom/crypto getSignature', () => {
    for (const [ts, nonce, enc] of [
      ['1', '2', '3'],
      ['1700000000', 'abc', 'xyz+/='],
      ['', '', ''],
    ] as const) {
      expect(app.sign(ts, nonce, enc)).toBe(getSignature(V.token, ts, nonce, enc));
    }
  });

  it('rejects a forged or altered signature', () => {
    const flipped = (u.msg_signature[0] === 'a' ? 'b' : 'a') + u.msg_signature.slice(1);
    expect(app.verify(flipped, u.timestamp, u.nonce, u.echostr)).toBe(false);
    expect(app.verify(u.msg_signature.toUpperCase(), u.timestamp, u.nonce, u.echostr)).toBe(false);
    expect(app.verify('', u.timestamp, u.nonce, u.echostr)).toBe(false);
    expect(app.verify(u.msg_signature.slice(0, 39), u.timestamp, u.nonce, u.echostr)).toBe(false);
    expect(app.verify(`${u.msg_signature}0`, u.timestamp, u.nonce, u.echostr)).toBe(false);
    expect(app.verify('签名'.repeat(10), u.timestamp, u.nonce, u.echostr)).toBe(false);
  });

  it('rejects a valid signature replayed with another timestamp, nonce or ciphertext', () => {
    expect(app.verify(u.msg_signature, '1409659590', u.nonce, u.echostr)).toBe(false);
    expect(app.verify(u.msg_signature, u.timestamp, '263014781', u.echostr)).toBe(false);
    expect(app.verify(u.msg_signature, u.timestamp, u.nonce, app.encrypt('other'))).toBe(false);
  });

  it('rejects a signature made with another token', () => {
    const forger = createCallbackCipher({ token: 'not-the-token', encodingAESKey: V.encodingAESKey, receiveId: V.corpId });
    const enc = forger.encrypt('<xml/>');
    const sig = forger.sign('1', '2', enc);
    expect(app.verify(sig, '1', '2', enc)).toBe(false);
    expect(codeOf(() => app.verifyAndDecrypt(sig, '1', '2', enc))).toBe('bad_signature');
  });
});

describe('encrypt / decrypt', () => {
  it('round-trips, including non-ASCII, empty and long messages', () => {
    for (const plain of ['', 'hello', '督办：本周进度 ✅ 🚀', '<xml>]]></xml>', 'x'.repeat(5000)]) {
      const enc = app.encrypt(plain);
      expect(app.decrypt(enc)).toBe(plain);
      // Interoperates with the official library both ways.
      expect(wecomDecrypt(V.encodingAESKey, enc)).toMatchObject({ message: plain, id: V.corpId });
      expect(app.decrypt(wecomEncrypt(V.encodingAESKey, plain, V.corpId))).toBe(plain);
    }
  });

  it('round-trips for the AI bot, whose receiveId is empty', () => {
    const bot = createCallbackCipher({ token: 'tok', encodingAESKey: OTHER_KEY, receiveId: '' });
    const enc = bot.encrypt('{"msgid":"1"}');
    expect(bot.decrypt(enc)).toBe('{"msgid":"1"}');
  });

  it('every message length from 0 to 70 bytes survives the 32-byte padding', () => {
    for (let n = 0; n <= 70; n++) {
      const plain = 'a'.repeat(n);
      expect(app.decrypt(app.encrypt(plain))).toBe(plain);
    }
  });

  it('uses fresh random bytes per encryption unless told otherwise', () => {
    expect(app.encrypt('same')).not.toBe(app.encrypt('same'));
    const r = Buffer.alloc(16, 7);
    expect(app.encrypt('same', r)).toBe(app.encrypt('same', r));
    expect(() => app.encrypt('x', Buffer.alloc(15))).toThrow(RangeError);
  });

  it('wrong receiveId → bad_receive_id', () => {
    const otherCorp = createCallbackCipher({ token: V.token, encodingAESKey: V.encodingAESKey, receiveId: 'wwOTHERCORP' });
    expect(codeOf(() => otherCorp.decrypt(V.urlVerification.echostr))).toBe('bad_receive_id');
    const bot = createCallbackCipher({ token: V.token, encodingAESKey: V.encodingAESKey, receiveId: '' });
    expect(codeOf(() => bot.decrypt(V.urlVerification.echostr))).toBe('bad_receive_id');
    // And the other way round: an AI-bot ciphertext is not accepted as the app's.
    expect(codeOf(() => app.decrypt(bot.encrypt('x')))).toBe('bad_receive_id');
    // A receiveId that is only a prefix of the real one is not enough.
    const prefix = createCallbackCipher({ token: V.token, encodingAESKey: V.encodingAESKey, receiveId: V.corpId.slice(0, -1) });
    expect(codeOf(() => prefix.decrypt(V.urlVerification.echostr))).toBe('bad_receive_id');
  });

  it('wrong key → an error, never garbage', () => {
    const wrong = createCallbackCipher({ token: V.token, encodingAESKey: OTHER_KEY, receiveId: V.corpId });
    expect(() => wrong.decrypt(V.urlVerification.echostr)).toThrow(WecomCryptoError);
    expect(() => wrong.decrypt(parseEnvelopeXml(V.message.post_xml).encrypt)).toThrow(WecomCryptoError);
    for (const receiveId of [V.corpId, '']) {
      for (let i = 0; i < 200; i++) {
        const key = randomBytes(32).toString('base64').slice(0, 43);
        const c = createCallbackCipher({ token: V.token, encodingAESKey: key, receiveId });
        expect(() => c.decrypt(V.urlVerification.echostr)).toThrow(WecomCryptoError);
      }
    }
  });

  it('tampered ciphertext → an error', () => {
    // In CBC a flipped ciphertext bit scrambles its own block and flips the same bit one block later:
    // these positions hit the length field, the message and the padding.
    const buf = Buffer.from(app.encrypt('hello world, a message long enough for two blocks'), 'base64');
    for (const at of [0, 17, buf.length - 17, buf.length - 1]) {
      const t = Buffer.from(buf);
      t[at] = (t[at] ?? 0) ^ 0x01;
      expect(() => app.decrypt(t.toString('base64'))).toThrow(WecomCryptoError);
    }
  });

  it('bad padding → bad_padding', () => {
    const body = frame(Buffer.from('hi'), Buffer.from(V.corpId));
    const n = 32 - (body.length % 32);
    const zeroPad = Buffer.concat([body, Buffer.alloc(n - 1, n), Buffer.from([0])]);
    expect(codeOf(() => app.decrypt(rawEncrypt(zeroPad)))).toBe('bad_padding');
    const tooBig = Buffer.concat([body, Buffer.alloc(n - 1, n), Buffer.from([33])]);
    expect(codeOf(() => app.decrypt(rawEncrypt(tooBig)))).toBe('bad_padding');
    const uneven = Buffer.concat([body, Buffer.alloc(n, n)]);
    uneven[uneven.length - 2] = n === 1 ? 1 : n + 1;
    if (n > 1) expect(codeOf(() => app.decrypt(rawEncrypt(uneven)))).toBe('bad_padding');
  });

  it('bad length field → bad_length', () => {
    const tooLong = pad32(frame(Buffer.from('hi'), Buffer.from(V.corpId), 9999));
    expect(codeOf(() => app.decrypt(rawEncrypt(tooLong)))).toBe('bad_length');
    const huge = pad32(frame(Buffer.from('hi'), Buffer.from(V.corpId), 0xffffffff));
    expect(codeOf(() => app.decrypt(rawEncrypt(huge)))).toBe('bad_length');
    // Padding that eats into the 20-byte header.
    const short = Buffer.concat([randomBytes(12), Buffer.alloc(20, 20)]);
    expect(codeOf(() => app.decrypt(rawEncrypt(short)))).toBe('bad_length');
  });

  it('a length field that is too short leaves trailing bytes in the receiveId → bad_receive_id', () => {
    const short = pad32(frame(Buffer.from('hello'), Buffer.from(V.corpId), 2));
    expect(codeOf(() => app.decrypt(rawEncrypt(short)))).toBe('bad_receive_id');
  });

  it('invalid UTF-8 in the message → bad_ciphertext', () => {
    const bad = pad32(frame(Buffer.from([0xff, 0xfe, 0x41]), Buffer.from(V.corpId)));
    expect(codeOf(() => app.decrypt(rawEncrypt(bad)))).toBe('bad_ciphertext');
  });

  it('not base64 or not whole blocks → bad_ciphertext', () => {
    expect(codeOf(() => app.decrypt(''))).toBe('bad_ciphertext');
    expect(codeOf(() => app.decrypt('abc'))).toBe('bad_ciphertext');
    expect(codeOf(() => app.decrypt('!!!!'))).toBe('bad_ciphertext');
    expect(codeOf(() => app.decrypt(`${V.urlVerification.echostr} `))).toBe('bad_ciphertext');
    expect(codeOf(() => app.decrypt(Buffer.alloc(16).toString('base64')))).toBe('bad_ciphertext');
    expect(codeOf(() => app.decrypt(Buffer.alloc(48).toString('base64')))).toBe('bad_ciphertext');
  });
});

describe('keys and options', () => {
  it('isValidEncodingAESKey', () => {
    expect(isValidEncodingAESKey(V.encodingAESKey)).toBe(true);
    expect(isValidEncodingAESKey(OTHER_KEY)).toBe(true);
    expect(isValidEncodingAESKey(V.encodingAESKey.slice(0, 42))).toBe(false);
    expect(isValidEncodingAESKey(`${V.encodingAESKey}=`)).toBe(false);
    expect(isValidEncodingAESKey(`${V.encodingAESKey}A`)).toBe(false);
    expect(isValidEncodingAESKey(`${V.encodingAESKey.slice(0, 42)}-`)).toBe(false);
    expect(isValidEncodingAESKey(`${V.encodingAESKey.slice(0, 42)} `)).toBe(false);
    expect(isValidEncodingAESKey('')).toBe(false);
  });

  it('createCallbackCipher refuses a bad key or an empty token', () => {
    expect(() => createCallbackCipher({ token: 't', encodingAESKey: 'short', receiveId: '' })).toThrow(TypeError);
    expect(() => createCallbackCipher({ token: '', encodingAESKey: V.encodingAESKey, receiveId: '' })).toThrow(TypeError);
  });

  it('WecomCryptoError carries its code', () => {
    const e = new WecomCryptoError('bad_padding', 'x');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('bad_padding');
    expect(e.name).toBe('WecomCryptoError');
  });
});

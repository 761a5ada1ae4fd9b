/**
 * WeCom callback crypto (doc 91144, 101033): SHA-1 message signatures and the AES-256-CBC envelope
 * shared by the self-built app (receiveId = CorpID) and the AI bot (receiveId = "").
 *
 * Signing and encryption go through the official @wecom/crypto package. Decryption does not: that
 * package neither checks the PKCS#7 padding nor the length field nor the receiveId, so a wrong key or a
 * tampered ciphertext comes back as garbage instead of an error. We decrypt with node:crypto and check
 * every structural field ourselves.
 */
import { createDecipheriv, timingSafeEqual } from 'node:crypto';
import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';

export type WecomCryptoErrorCode =
  | 'bad_signature'
  | 'bad_receive_id'
  | 'bad_ciphertext'
  | 'bad_padding'
  | 'bad_length';

export class WecomCryptoError extends Error {
  constructor(
    public code: WecomCryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WecomCryptoError';
  }
}

export interface CallbackCipherOptions {
  token: string;
  encodingAESKey: string;
  /** CorpID for the self-built app, '' for the internal AI bot. */
  receiveId: string;
}

export interface SealedMessage {
  encrypt: string;
  signature: string;
  timestamp: string;
  nonce: string;
}

export interface CallbackCipher {
  /** sha1 hex of token, timestamp, nonce and encrypt, sorted and concatenated. */
  sign(timestamp: string, nonce: string, encrypt: string): string;
  /** Constant-time comparison against sign(); false for any other length. */
  verify(signature: string, timestamp: string, nonce: string, encrypt: string): boolean;
  /** Decrypts and checks padding, length field and receiveId; throws WecomCryptoError. */
  decrypt(encrypt: string): string;
  /** Encrypts with this cipher's receiveId; random (16 bytes) only for known-answer tests. */
  encrypt(plain: string, random?: Buffer): string;
  /** verify() then decrypt(): throws WecomCryptoError('bad_signature') before touching the ciphertext. */
  verifyAndDecrypt(signature: string, timestamp: string, nonce: string, encrypt: string): string;
  /** encrypt() then sign(): the four values a passive reply envelope carries. */
  encryptAndSign(plain: string, timestamp: string, nonce: string, random?: Buffer): SealedMessage;
}

/** WeCom pads to a multiple of 32 bytes, not the AES block size of 16. */
const PAD_BLOCK = 32;
/** 16 random bytes followed by a 4-byte big-endian message length. */
const HEADER_BYTES = 20;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const ENCODING_AES_KEY_RE = /^[A-Za-z0-9+/]{43}$/;

export function isValidEncodingAESKey(key: string): boolean {
  // Buffer.from(…, 'base64') silently skips characters outside the alphabet, so check the
  // characters first; the decoded length then guards against any other surprise.
  if (typeof key !== 'string' || !ENCODING_AES_KEY_RE.test(key)) return false;
  return Buffer.from(`${key}=`, 'base64').length === 32;
}

// Non-fatal decoding would turn invalid bytes into U+FFFD and hand garbage onwards.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function createCallbackCipher(opts: CallbackCipherOptions): CallbackCipher {
  const { token, encodingAESKey, receiveId } = opts;
  if (typeof token !== 'string' || token.length === 0) {
    // With an empty token anybody can compute a valid signature.
    throw new TypeError('WeCom callback token must be a non-empty string');
  }
  if (!isValidEncodingAESKey(encodingAESKey)) {
    throw new TypeError('WeCom EncodingAESKey must be 43 base64 characters decoding to 32 bytes');
  }
  if (typeof receiveId !== 'string') {
    throw new TypeError('WeCom receiveId must be a string (CorpID, or "" for the AI bot)');
  }

  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  const iv = key.subarray(0, 16);
  const receiveIdBytes = Buffer.from(receiveId, 'utf8');

  const sign = (timestamp: string, nonce: string, encrypt: string): string =>
    getSignature(token, timestamp, nonce, encrypt);

  const verify = (signature: string, timestamp: string, nonce: string, encrypt: string): boolean => {
    if (typeof signature !== 'string') return false;
    const expected = Buffer.from(sign(timestamp, nonce, encrypt), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    // timingSafeEqual throws on unequal lengths; the length of a hex SHA-1 is public anyway.
    if (given.length !== expected.length) return false;
    return timingSafeEqual(given, expected);
  };

  const decrypt = (encrypt: string): string => {
    if (typeof encrypt !== 'string' || encrypt.length === 0 || encrypt.length % 4 !== 0 || !BASE64_RE.test(encrypt)) {
      // Also catches an echostr decoded twice, where '+' has become ' '.
      throw new WecomCryptoError('bad_ciphertext', 'ciphertext is not canonical base64');
    }
    const cipherBytes = Buffer.from(encrypt, 'base64');
    if (cipherBytes.length === 0 || cipherBytes.length % PAD_BLOCK !== 0) {
      throw new WecomCryptoError('bad_ciphertext', `ciphertext length ${cipherBytes.length} is not a multiple of ${PAD_BLOCK}`);
    }

    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);

    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > PAD_BLOCK) {
      throw new WecomCryptoError('bad_padding', 'PKCS#7 pad byte out of range');
    }
    for (let i = plain.length - pad; i < plain.length; i++) {
      if (plain[i] !== pad) throw new WecomCryptoError('bad_padding', 'PKCS#7 pad bytes differ');
    }
    const content = plain.subarray(0, plain.length - pad);

    if (content.length < HEADER_BYTES) {
      throw new WecomCryptoError('bad_length', 'plaintext shorter than its header');
    }
    const msgLength = content.readUInt32BE(16);
    if (msgLength > content.length - HEADER_BYTES) {
      throw new WecomCryptoError('bad_length', 'message length field exceeds the plaintext');
    }
    const msgEnd = HEADER_BYTES + msgLength;
    const idBytes = content.subarray(msgEnd);
    if (!idBytes.equals(receiveIdBytes)) {
      throw new WecomCryptoError('bad_receive_id', 'receiveId does not match this callback');
    }

    try {
      return utf8.decode(content.subarray(HEADER_BYTES, msgEnd));
    } catch {
      throw new WecomCryptoError('bad_ciphertext', 'message is not valid UTF-8');
    }
  };

  const encrypt = (plain: string, random?: Buffer): string => {
    if (random !== undefined && (!Buffer.isBuffer(random) || random.length !== 16)) {
      throw new RangeError('random must be a 16-byte Buffer');
    }
    return wecomEncrypt(encodingAESKey, plain, receiveId, random);
  };

  const verifyAndDecrypt = (signature: string, timestamp: string, nonce: string, ciphertext: string): string => {
    if (!verify(signature, timestamp, nonce, ciphertext)) {
      throw new WecomCryptoError('bad_signature', 'msg_signature does not match');
    }
    return decrypt(ciphertext);
  };

  const encryptAndSign = (plain: string, timestamp: string, nonce: string, random?: Buffer): SealedMessage => {
    const ciphertext = encrypt(plain, random);
    return { encrypt: ciphertext, signature: sign(timestamp, nonce, ciphertext), timestamp, nonce };
  };

  return { sign, verify, decrypt, encrypt, verifyAndDecrypt, encryptAndSign };
}

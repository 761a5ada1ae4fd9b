import { pino, type Logger } from 'pino';

export type { Logger };

// Fields that may hold a secret, a token, or what a person wrote (message text, a note): never
// logged as they are. Callers log ids and counts; this list is the second line of defence.
const SENSITIVE = [
  'secret', 'corpsecret', 'sessionSecret', 'token', 'access_token', 'accessToken', 'encodingAESKey', 'aesKey', 'webhookKey',
  'cookie', 'authorization', 'content', 'text', 'note',
];

/** A token or robot key inside a logged URL or error message (`?access_token=…`, `webhook/send?key=…`). */
const SECRET_IN_URL = /\b(access_token|corpsecret|key)=[^&"\s\\]+/g;

/** Structured JSON logs. Secrets and decrypted message text are redacted here as a second line of defence. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'duban' },
      redact: {
        paths: [...SENSITIVE, ...SENSITIVE.map((f) => `*.${f}`), 'req.headers.cookie', 'req.headers.authorization'],
        censor: '[redacted]',
      },
      hooks: {
        streamWrite: (line) => line.replace(SECRET_IN_URL, '$1=[redacted]'),
      },
    },
    destination ?? process.stderr,
  );
}

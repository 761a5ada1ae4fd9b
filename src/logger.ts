import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Secrets and decrypted message text are redacted here as a second line of defence. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'duban' },
      redact: {
        paths: ['secret', 'token', 'access_token', 'encodingAESKey', 'content', 'text', '*.secret', '*.token', '*.content'],
        censor: '[redacted]',
      },
    },
    destination ?? process.stderr,
  );
}

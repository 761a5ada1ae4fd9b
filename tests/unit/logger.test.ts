// The logger's second line of defence: fields that hold secrets or what a person wrote are redacted, and a token
// or robot key inside a logged URL or error message is cut out.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';

function capture() {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString('utf8');
      done();
    },
  });
  return { logger: createLogger('info', stream), read: () => out };
}

describe('createLogger', () => {
  it('redacts secrets and what people wrote, at the top and one level down', () => {
    const { logger, read } = capture();
    logger.info({ text: '汇报 7.5 30% 走访企业', note: '走访企业', cookie: 'duban_session=abc', msg: { content: '原文' }, wecom: { secret: 's3cret', sessionSecret: 'x'.repeat(32) } }, 'm');
    const line = read();
    for (const s of ['走访企业', 'duban_session=abc', '原文', 's3cret', 'x'.repeat(32)]) expect(line).not.toContain(s);
    expect(line).toContain('[redacted]');
  });

  it('cuts access tokens and robot keys out of URLs and error messages', () => {
    const { logger, read } = capture();
    logger.error({ err: new Error('fetch failed: https://qyapi.weixin.qq.com/cgi-bin/message/send?access_token=TOKEN123&debug=1') }, 'call failed');
    logger.warn({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=5b7c3e91-2d4f' }, 'webhook');
    const out = read();
    expect(out).not.toContain('TOKEN123');
    expect(out).not.toContain('5b7c3e91-2d4f');
    expect(out).toContain('access_token=[redacted]&debug=1');
  });
});

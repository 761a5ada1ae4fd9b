import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const noDotenv = { dotenvPath: null } as const;

describe('loadConfig', () => {
  it('gives working defaults with no configuration at all (local mode)', () => {
    const c = loadConfig({}, noDotenv);
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('./data');
    expect(c.mongodbUri).toBeUndefined();
    expect(c.localMode).toBe(true);
    expect(c.wecom.maxSkewSeconds).toBe(300);
    expect(c.wecom.apiBase).toBe('https://qyapi.weixin.qq.com');
    expect(c.reminderCron).toBe('0 10 * * 5');
    expect(c.digestCron).toBe('0 9 * * 1');
    expect(c.timeZone).toBe('Asia/Shanghai');
  });

  it('reports every problem at once, each with the variable name', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        MONGODB_URI: 'postgres://x',
        WECOM_ENCODING_AES_KEY: 'short',
        WECOM_MAX_SKEW_SECONDS: '-1',
        REMINDER_CRON: 'every friday',
      }, noDotenv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'MONGODB_URI', 'WECOM_ENCODING_AES_KEY', 'WECOM_MAX_SKEW_SECONDS', 'REMINDER_CRON']) {
      expect(problems).toContain(name);
    }
    expect((err as ConfigError).problems).toHaveLength(5);
  });

  it('asks for the callback settings together when a secret is given', () => {
    expect(() => loadConfig({ WECOM_SECRET: 's' }, noDotenv)).toThrowError(/WECOM_CORP_ID[\s\S]*WECOM_AGENT_ID[\s\S]*WECOM_TOKEN[\s\S]*WECOM_ENCODING_AES_KEY/);
  });

  it('parses lists and treats empty variables as unset', () => {
    const c = loadConfig({ WECOM_ADMINS: 'zhang, li，wang', MONGODB_URI: '', WECOM_API_BASE: 'http://127.0.0.1:9/' }, noDotenv);
    expect(c.wecom.admins).toEqual(['zhang', 'li', 'wang']);
    expect(c.mongodbUri).toBeUndefined();
    expect(c.wecom.apiBase).toBe('http://127.0.0.1:9');
  });

  it('reads the pages\' settings: local mode needs none, production needs the address and the secret together', () => {
    const local = loadConfig({}, noDotenv);
    expect(local.web).toEqual({ baseUrl: undefined, sessionSecret: undefined, oauthBase: undefined });
    const prod = { WECOM_SECRET: 's', WECOM_CORP_ID: 'ww1', WECOM_AGENT_ID: '1000002', WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: 'a'.repeat(43) };
    expect(loadConfig(prod, noDotenv).web.oauthBase).toBe('https://open.weixin.qq.com');
    const both = loadConfig({ ...prod, WEB_BASE_URL: 'https://duban.example.gov.cn/', WEB_SESSION_SECRET: 'x'.repeat(32) }, noDotenv);
    expect(both.web.baseUrl).toBe('https://duban.example.gov.cn');
    expect(() => loadConfig({ ...prod, WEB_BASE_URL: 'https://duban.example.gov.cn' }, noDotenv)).toThrowError(/WEB_SESSION_SECRET: required/);
    expect(() => loadConfig({ WEB_SESSION_SECRET: 'short', WEB_BASE_URL: 'duban.example.gov.cn', WECOM_OAUTH_BASE: 'ftp://x' }, noDotenv))
      .toThrowError(/WEB_BASE_URL[\s\S]*WEB_SESSION_SECRET|WEB_SESSION_SECRET[\s\S]*WEB_BASE_URL/);
  });
});

// `doctor` against the local WeCom stand-in: every check passes on a good configuration, and each failure the
// stand-in can produce (a refused secret, an untrusted IP, someone outside the visible range, a wrong clock)
// gives a ✗ with the fix; the CLI prints every check and exits non-zero on any ✗.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { runDoctor, type CheckResult } from '../../src/doctor/checks.ts';
import type { Store } from '../../src/store/database.ts';
import { startLocalWecom, type LocalWecom } from '../../src/wecom/local-wecom.ts';
import { cleanEnv, removeTempDirs, tempDir } from '../helpers/processes.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let wecom: LocalWecom;
let env: Record<string, string>;
const SECRET = 'doctor-secret-0123456789';

beforeAll(async () => {
  store = await openTestStore('doctor');
  await store.models.Member.create([
    { userid: 'zhangsan', name: '张三', departments: ['经贸办'], roles: ['member'] },
    { userid: 'lisi', name: '李四', departments: ['党政办'], roles: ['admin'] },
    { userid: 'demo-x', name: '演示', departments: [], roles: ['member'], demo: true },
  ]);
  wecom = await startLocalWecom({
    corpId: 'wwdoctor000000001', secret: SECRET,
    departments: [{ id: 1, name: '南旺镇人民政府', parentid: 0 }, { id: 2, name: '经贸办', parentid: 1 }],
    users: [{ userid: 'zhangsan', name: '张三', department: [2] }, { userid: 'lisi', name: '李四', department: [1] }],
  });
  const backups = tempDir('doctor-backups');
  writeFileSync(join(backups, 'duban-2026-12-02.tar.gz'), 'x'); // written just now: fresh
  env = {
    WECOM_CORP_ID: 'wwdoctor000000001', WECOM_AGENT_ID: '1000002', WECOM_SECRET: SECRET, WECOM_TOKEN: 'doctortoken',
    WECOM_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', WECOM_API_BASE: wecom.url,
    WECOM_GROUP_WEBHOOK_KEY: '693a91f6-7111-4bc4-97a0-0ec20f0a5aaa',
    WEB_BASE_URL: 'https://duban.example.gov.cn', WEB_SESSION_SECRET: randomBytes(36).toString('base64'), BACKUP_DIR: backups,
  };
});
afterAll(async () => {
  await wecom.close();
  await store.close();
  removeTempDirs();
});

const doctor = (extra: Record<string, string> = {}, clock = systemClock) =>
  runDoctor({ config: loadConfig({ ...env, ...extra }, { dotenvPath: null }), store, clock });
const byName = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.name, r]));

describe('doctor', () => {
  it('passes every check on a good configuration', async () => {
    const results = await doctor();
    expect(results.map((r) => r.name)).toEqual(['access_token', '应用可见范围与名册', '群机器人 key', '时钟', '数据库', '备份', 'WEB_BASE_URL 与会话密钥']);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('names the Secret page when WeCom refuses the secret, and an untrusted IP when it says so', async () => {
    const refused = byName(await doctor({ WECOM_SECRET: 'not-the-secret' }));
    expect(refused['access_token']).toMatchObject({ ok: false, detail: expect.stringContaining('errcode 40001') });
    expect(refused['access_token']!.fix).toContain('WECOM_SECRET 不是本应用的 Secret');
    expect(refused['应用可见范围与名册']!.ok).toBe(false);

    wecom.failNext('/cgi-bin/gettoken', { errcode: 60020, errmsg: 'not allow to access from your ip' });
    const ip = byName(await doctor());
    expect(ip['access_token']!.fix).toContain('企业可信IP');
  });

  it('lists roster members outside the visible range, and a clock that is off', async () => {
    await store.models.Member.create({ userid: 'wangwu', name: '王五', departments: ['村建办'], roles: ['member'] });
    try {
      const range = byName(await doctor())['应用可见范围与名册']!;
      expect(range).toMatchObject({ ok: false, detail: expect.stringContaining('wangwu') });
      expect(range.detail).not.toContain('demo-x');
    } finally {
      await store.models.Member.deleteOne({ userid: 'wangwu' });
    }
    const late = new ManualClock(new Date(Date.now() - 120_000));
    expect(byName(await doctor({}, late))['时钟']).toMatchObject({ ok: false, detail: expect.stringContaining('慢') });
  });

  it('refuses a whole webhook URL as the robot key, and http or an IP as WEB_BASE_URL', async () => {
    const r = byName(await doctor({ WECOM_GROUP_WEBHOOK_KEY: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${env.WECOM_GROUP_WEBHOOK_KEY}`, WEB_BASE_URL: 'http://10.0.0.5:3000' }));
    expect(r['群机器人 key']).toMatchObject({ ok: false, detail: '填的是整个 Webhook 地址' });
    expect(r['WEB_BASE_URL 与会话密钥']!.ok).toBe(false);
  });

  it('as a command: prints every check and exits 1 on a refused secret, 0 when all pass', async () => {
    const uri = `${inject('mongoUri').replace(/\/?$/, '/')}${store.conn.name}`;
    const run = (extra: Record<string, string>) => new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'doctor'], {
        env: cleanEnv({ ...env, MONGODB_URI: uri, LOG_LEVEL: 'warn', ...extra }), stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => resolve({ code, out }));
    });
    const good = await run({});
    expect(good.out.match(/^✓ /gm)?.length, good.out).toBe(7);
    expect(good.code).toBe(0);
    const bad = await run({ WECOM_SECRET: 'not-the-secret' });
    expect(bad.out).toContain('✗ access_token：企业微信拒绝：errcode 40001');
    expect(bad.out).toContain('修复：WECOM_SECRET 不是本应用的 Secret');
    expect(bad.code).toBe(1);
  }, 60_000);
});

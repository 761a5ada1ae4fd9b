// What the bot writes to its log at `info` during an ordinary working session — reports with notes, a 退回 with its
// reason, a web login, a plan upload, the weekly digest — holds no message text, note, secret, session or access
// token: a log is read by more people, and kept longer, than the messages it describes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { runJob } from '../../src/jobs/run-job.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { LOCAL_WECOM } from '../../src/wecom/local-settings.ts';
import { sendReport } from '../helpers/processes.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const SESSION_SECRET = 'log-test-session-secret-7f3a9c1e5b2d8046';
const ROBOT_KEY = '5b7c3e91-2d4f-4a68-9e0b-1c2d3e4f5a6b';
const NOTES = ['走访企业十二家签约意向三份', '技改项目已验收资料齐备', '缺少验收照片请补充佐证'];

const clock = new ManualClock('2021-07-26T02:00:00Z');
let log = '';
let store: Store;
let service: Service;

beforeAll(async () => {
  store = await openTestStore('logsecrets');
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      log += chunk.toString('utf8');
      done();
    },
  });
  const config = loadConfig({ LOG_LEVEL: 'info', WEB_SESSION_SECRET: SESSION_SECRET, WECOM_GROUP_WEBHOOK_KEY: ROBOT_KEY }, { dotenvPath: null });
  service = await startService({ config, logger: createLogger(config.logLevel, sink), clock, port: 0, store, scheduler: false });
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('the log at info', () => {
  it('holds no message text, note, secret or token after a working session', async () => {
    const texts: string[] = [];
    let n = 0;
    const say = async (userid: string, text: string) => {
      texts.push(text);
      const sent = await sendReport(service.url, userid, text, `6600000${String(n++).padStart(3, '0')}`, clock.now());
      expect(sent.status).toBe(200);
    };
    await say('demo-liaison-01', `汇报 7.5 30% ${NOTES[0]}`);
    await say('demo-liaison-01', `完成 7.1 ${NOTES[1]}`);
    await say('demo-admin', `退回 7.1 经贸办 ${NOTES[2]}`);
    await say('demo-liaison-01', '我的任务');

    const session = await loginAs(service.url, 'demo-admin');
    const page = await (await fetch(`${service.url}/web/plans`, { headers: { cookie: `duban_session=${session}` } })).text();
    const body = new FormData();
    body.set('csrf', /name="csrf" value="([^"]*)"/.exec(page)![1]!);
    body.set('file', new Blob([readFileSync(join(import.meta.dirname, '../fixtures/plans/multi/anquan-2021.txt'))]), '安全生产方案.txt');
    expect((await fetch(`${service.url}/web/plans/preview`, { method: 'POST', body, headers: { cookie: `duban_session=${session}` } })).status).toBe(200);

    await runJob(service.jobs, 'digest', '2021-W30');
    // The 退回 notice reaches the liaison through the outbox, with an access token.
    for (let i = 0; i < 100 && !JSON.stringify(service.localWecom!.sent()).includes(NOTES[2]!); i++) await new Promise((r) => setTimeout(r, 100));
    expect(JSON.stringify(service.localWecom!.sent())).toContain(NOTES[2]);

    const tokens = [...new Set(service.localWecom!.requests.map((r) => r.query.access_token).filter((t): t is string => !!t))];
    expect(tokens.length).toBeGreaterThan(0);
    const secrets = [
      SESSION_SECRET, ROBOT_KEY, session, LOCAL_WECOM.secret, LOCAL_WECOM.token, LOCAL_WECOM.encodingAESKey,
      LOCAL_WECOM.aibotToken, LOCAL_WECOM.aibotEncodingAESKey, ...tokens,
    ];

    expect(log).toContain('"msg":"web login"'); // the log was written at info
    for (const s of [...texts, ...NOTES, ...secrets]) expect(log, s).not.toContain(s);
  });
});

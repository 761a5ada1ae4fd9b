// 佐证 photos through the real encrypted callback, the real WeCom client and the local stand-in's media API, on the
// embedded database: a photo after a report proves it; a photo alone waits for `佐证 <编号>`; oversized or non-image
// media are refused with a message and nothing stored; a download interrupted midway loses nothing, stores once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notifier } from '../../src/bot/types.ts';
import { createLogger } from '../../src/logger.ts';
import { MediaDownloader, type MediaSource } from '../../src/evidence/media-downloads.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { createWecomClient, type WecomClient } from '../../src/wecom/api-client.ts';
import { startLocalWecom, type LocalWecom } from '../../src/wecom/local-wecom.ts';
import { buildImageCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;
let wecom: LocalWecom;
let client: WecomClient;
const told: Array<{ key: string; userids: string[]; text: string }> = [];
const notifier: Notifier = { async notifyUsers(key, userids, text) { told.push({ key, userids, text }); } };
const silent = createLogger('silent');

function jpeg(size: number): Buffer {
  const b = randomBytes(size);
  b[0] = 0xff; b[1] = 0xd8; b[2] = 0xff;
  return b;
}

function downloader(source: MediaSource = client, leaseMs = 60_000): MediaDownloader {
  return new MediaDownloader({ store, clock: h.clock, logger: silent, source, notifier, workerId: `w-${randomBytes(2).toString('hex')}`, leaseMs });
}

async function say(userid: string, text: string): Promise<string> {
  const reply = await h.say(userid, text);
  if (reply === null) throw new Error(`no reply to ${text}`);
  return reply;
}

async function sendPhoto(userid: string, mediaId: string, msgId?: string): Promise<string> {
  const cb = buildImageCallback(TEST_SETTINGS, { userid, mediaId, createTime: Math.floor(h.clock.now().getTime() / 1000), msgId });
  const res = await h.post(cb.path, cb.body);
  expect(res.status).toBe(200);
  return openPassiveReply(TEST_SETTINGS, await res.text())?.content ?? '';
}

const minutes = (n: number) => h.clock.advance(n * 60_000);

beforeAll(async () => {
  store = await openTestStore('photos');
  await importPlanFile(store, BUNDLED_PLAN, new (await import('../../src/clock.ts')).ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'cjb', name: '村建办联络员', departments: ['村建办'], roles: ['member'] },
  ]);
  h = await startHarness(store, { passiveBudgetMs: 20_000 });
  wecom = await startLocalWecom({ clock: h.clock, corpId: TEST_SETTINGS.corpId, secret: 'photo-secret' });
  client = createWecomClient({ apiBase: wecom.url, corpId: TEST_SETTINGS.corpId, secret: 'photo-secret', agentId: TEST_SETTINGS.agentId, store, clock: h.clock, logger: silent, maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
  await wecom?.close();
  await store?.close();
});

describe('photos as 佐证', () => {
  it('takes a photo sent after a report as that report’s evidence, and 任务 says so', async () => {
    expect(await say('jmb', '汇报 7.5 90% 已完成电商培训三期')).toContain('已记录');
    minutes(2);
    const reply = await sendPhoto('jmb', wecom.putMedia(jpeg(50_000)));
    expect(reply).toContain('作为 7.5（经贸办）的佐证');
    expect(await downloader().runOnce()).toEqual(['stored']);
    expect(await say('jmb', '任务 7.5')).toMatch(/经贸办[^\n]*佐证 1 份/);
    const media = wecom.requests.filter((r) => r.path === '/cgi-bin/media/get');
    expect(media).toHaveLength(1);
  });

  it('asks which task a photo with no recent report proves, and 佐证 <编号> attaches it', async () => {
    minutes(40);
    const reply = await sendPhoto('jmb', wecom.putMedia(jpeg(20_000)));
    expect(reply).toContain('这是哪项任务的佐证');
    expect(reply).toContain('佐证 7.5');
    // Downloaded before it is assigned: kept, not yet evidence.
    expect(await downloader().runOnce()).toEqual(['stored']);
    expect(await say('jmb', '任务 7.5')).toMatch(/佐证 1 份/);
    minutes(5);
    expect(await say('jmb', '佐证 7.5')).toContain('已把 1 张照片作为 7.5（经贸办）的佐证');
    expect(await say('jmb', '任务 7.5')).toMatch(/经贸办[^\n]*佐证 2 份/);
    // Nothing waits any more.
    expect(await say('jmb', '佐证 7.5')).toContain('没有等待指明任务的照片');
  });

  it('also attaches a photo assigned before its download finished', async () => {
    minutes(40);
    await sendPhoto('jmb', wecom.putMedia(jpeg(30_000)));
    expect(await say('jmb', '佐证 7.6')).toContain('已把 1 张照片作为 7.6（经贸办）的佐证');
    expect(await downloader().runOnce()).toEqual(['stored']);
    expect(await say('jmb', '任务 7.6')).toMatch(/佐证 1 份/);
  });

  it('refuses an oversized photo and a file that is not JPG or PNG, telling the sender, storing nothing', async () => {
    minutes(40);
    await say('cjb', '汇报 7.5 50% 村庄规划编制中');
    const files = await store.models.File.countDocuments({});
    const evidence = await store.models.Evidence.countDocuments({});
    await sendPhoto('cjb', wecom.putMedia(jpeg(11 * 1024 * 1024)));
    await sendPhoto('cjb', wecom.putMedia(Buffer.from('GIF89a not a photo'), 'image/gif'));
    expect((await downloader().runOnce()).sort()).toEqual(['refused', 'refused']);
    const texts = told.filter((t) => t.userids.includes('cjb')).map((t) => t.text);
    expect(texts.some((t) => t.includes('10 MB') && t.includes('未保存'))).toBe(true);
    expect(texts.some((t) => t.includes('不是 JPG 或 PNG') && t.includes('未保存'))).toBe(true);
    expect(await store.models.File.countDocuments({})).toBe(files);
    expect(await store.models.Evidence.countDocuments({})).toBe(evidence);
  });

  it('stores a photo once when its message is delivered twice', async () => {
    minutes(40);
    await say('jmb', '汇报 7.3 70% 统计报表已报送');
    const mediaId = wecom.putMedia(jpeg(10_000));
    await sendPhoto('jmb', mediaId, '7300000000000000001');
    await sendPhoto('jmb', mediaId, '7300000000000000001');
    expect(await store.models.MediaJob.countDocuments({ _id: '7300000000000000001' })).toBe(1);
    expect(await downloader().runOnce()).toEqual(['stored']);
    expect(await store.models.Evidence.countDocuments({ _id: 'wecom:7300000000000000001' })).toBe(1);
  });

  it('loses no photo and stores none twice when a download is cut off between fetching and storing', async () => {
    minutes(40);
    await say('jmb', '汇报 7.1 80% 技改项目推进');
    const bytes = jpeg(40_000);
    await sendPhoto('jmb', wecom.putMedia(bytes), '7100000000000000001');
    // The first worker fetches the photo and then hangs before storing it, as a process does that is about to die.
    let release!: () => void;
    const hung = new Promise<void>((r) => { release = r; });
    const frozen: MediaSource = { async getMedia(id) { const b = await client.getMedia(id); await hung; return b; } };
    const first = downloader(frozen, 60_000).runOnce();
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.models.Evidence.countDocuments({ _id: 'wecom:7100000000000000001' })).toBe(0);
    // After its lease, the restarted bot's worker takes the job over and stores it.
    minutes(2);
    expect(await downloader().runOnce()).toEqual(['stored']);
    release();
    await first; // the old worker wakes up and finishes: nothing written twice
    expect(await store.models.Evidence.countDocuments({ _id: 'wecom:7100000000000000001' })).toBe(1);
    const { sha256Of } = await import('../../src/store/files.ts');
    expect(await store.models.File.countDocuments({ _id: sha256Of(bytes) })).toBe(1);
    expect(await say('jmb', '任务 7.1')).toMatch(/佐证 1 份/);
  });

  it('reports a media_id WeCom no longer has as lost, asking to send it again', async () => {
    minutes(40);
    await sendPhoto('jmb', 'expired-or-unknown-media');
    expect(await downloader().runOnce()).toEqual(['dead']);
    expect(told.at(-1)?.text).toContain('请重新发送这张照片');
  });
});

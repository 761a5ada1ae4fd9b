// The 智能机器人 (AI bot) callback: leaders @ the bot in the 党政办 group. JSON, receiveId "", same handle().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MENU } from '../../src/cli/wecom.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createWecomClient } from '../../src/wecom/api-client.ts';
import { startLocalWecom } from '../../src/wecom/local-wecom.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { createCallbackCipher } from '../../src/wecom/crypto.ts';
import { buildClickCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;
const aibot = createCallbackCipher({ token: TEST_SETTINGS.aibotToken!, encodingAESKey: TEST_SETTINGS.aibotEncodingAESKey!, receiveId: '' });

beforeAll(async () => {
  store = await openTestStore('aibot');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create([
    { userid: 'boss', name: '镇长', departments: [], roles: ['leader'] },
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
  ]);
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

function seal(message: object, nonce = 'n0nce') {
  const ts = String(Math.floor(h.clock.now().getTime() / 1000));
  const sealed = aibot.encryptAndSign(JSON.stringify(message), ts, nonce);
  return { path: `/wecom/aibot?msg_signature=${sealed.signature}&timestamp=${ts}&nonce=${nonce}`, body: JSON.stringify({ encrypt: sealed.encrypt }) };
}

function groupText(msgid: string, userid: string, content: string) {
  return { msgid, aibotid: 'bot1', chatid: 'chat-dzb', chattype: 'group', from: { userid }, msgtype: 'text', text: { content } };
}

async function openStream(res: Response): Promise<{ content: string; finish: boolean }> {
  const body = (await res.json()) as { encrypt: string; msgsignature: string; timestamp: number; nonce: string };
  expect(aibot.verify(body.msgsignature, String(body.timestamp), body.nonce, body.encrypt)).toBe(true);
  const plain = JSON.parse(aibot.decrypt(body.encrypt)) as { msgtype: string; stream: { content: string; finish: boolean } };
  expect(plain.msgtype).toBe('stream');
  return plain.stream;
}

describe('AI bot callback', () => {
  it('answers the URL verification with receiveId ""', async () => {
    const ts = String(Math.floor(h.clock.now().getTime() / 1000));
    const echostr = aibot.encrypt('echo-12345');
    const sig = aibot.sign(ts, 'n1', echostr);
    const res = await fetch(`${h.server.url}/wecom/aibot?msg_signature=${sig}&timestamp=${ts}&nonce=n1&echostr=${encodeURIComponent(echostr)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('echo-12345');
  });

  it('strips the @mention, runs the command and replies with a finished stream, once per msgid', async () => {
    const cb = seal(groupText('aibot-msg-1', 'boss', '@督办助手 总览'));
    const first = await fetch(`${h.server.url}${cb.path}`, { method: 'POST', body: cb.body });
    expect(first.status).toBe(200);
    const stream = await openStream(first);
    expect(stream.finish).toBe(true);
    expect(stream.content).toContain('全镇进展');

    const again = await fetch(`${h.server.url}${cb.path}`, { method: 'POST', body: cb.body });
    expect((await openStream(again)).content).toBe(stream.content);
    expect(await store.models.Inbound.countDocuments({ key: 'aibot:aibot-msg-1' })).toBe(1);
  });

  it('refuses a body signed with the app token, and malformed JSON, with nothing recorded', async () => {
    const before = await store.models.Inbound.countDocuments({});
    const app = createCallbackCipher({ token: TEST_SETTINGS.token, encodingAESKey: TEST_SETTINGS.aibotEncodingAESKey!, receiveId: '' });
    const ts = String(Math.floor(h.clock.now().getTime() / 1000));
    const sealed = app.encryptAndSign(JSON.stringify(groupText('x1', 'boss', '总览')), ts, 'n2');
    const forged = await fetch(`${h.server.url}/wecom/aibot?msg_signature=${sealed.signature}&timestamp=${ts}&nonce=n2`, { method: 'POST', body: JSON.stringify({ encrypt: sealed.encrypt }) });
    expect(forged.status).toBe(401);
    const cb = seal(groupText('x2', 'boss', '总览'));
    const malformed = await fetch(`${h.server.url}${cb.path}`, { method: 'POST', body: '{"encrypt": ' });
    expect(malformed.status).toBe(400);
    expect(await store.models.Inbound.countDocuments({})).toBe(before);
  });
});

describe('app menu', () => {
  it('is created through the API with one click button per command', async () => {
    const local = await startLocalWecom({ clock: h.clock });
    try {
      const client = createWecomClient({ apiBase: local.url, corpId: local.corpId, secret: local.secret, agentId: '1000002', store, clock: h.clock, logger: createLogger('silent') });
      await client.createMenu(APP_MENU);
      const [menu] = local.menus();
      expect(menu?.agentid).toBe('1000002');
      expect(menu?.menu).toEqual({ button: [
        { type: 'click', name: '我的任务', key: '我的任务' },
        { type: 'click', name: '待汇报', key: '待汇报' },
        { type: 'click', name: '帮助', key: '帮助' },
      ] });
      for (const b of APP_MENU.button) expect(h.bot.commands.some((c) => c.name === b.key)).toBe(true);
    } finally {
      await local.close();
    }
  });

  it('run the command named by EventKey through the same handle()', async () => {
    const cb = buildClickCallback(TEST_SETTINGS, { userid: 'jmb', eventKey: '待汇报', createTime: Math.floor(h.clock.now().getTime() / 1000) });
    const res = await h.post(cb.path, cb.body);
    expect(res.status).toBe(200);
    const reply = openPassiveReply(TEST_SETTINGS, await res.text());
    expect(reply?.content).toContain('经贸办本周');
    // The same click delivered again is not run twice.
    const again = await h.post(cb.path, cb.body);
    expect(openPassiveReply(TEST_SETTINGS, await again.text())?.content).toBe(reply?.content);
    expect(await store.models.Inbound.countDocuments({ key: /^app:ev:jmb:/ })).toBe(1);
  });
});

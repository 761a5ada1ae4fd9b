import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { createCallbackCipher } from '../../src/wecom/crypto.ts';
import { buildAppTextMessageXml, buildCallbackPostXml } from '../../src/wecom/xml.ts';
import { buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/wecom/official-sample-vectors.json', import.meta.url), 'utf8'));
const OFFICIAL = { corpId: vectors.corpId, agentId: '218', token: vectors.token, encodingAESKey: vectors.encodingAESKey, maxSkewSeconds: 300 };

let store: Store;
beforeAll(async () => {
  store = await openTestStore('callback');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create({ userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] });
});
afterAll(async () => {
  await store.close();
});

async function sideEffects() {
  return {
    inbound: await store.models.Inbound.countDocuments({}),
    reports: await store.models.Report.countDocuments({}),
  };
}

describe('official sample vectors, through HTTP', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('answers the URL verification with the exact plaintext', async () => {
    h = await startHarness(store, { settings: OFFICIAL, start: new Date(Number(vectors.urlVerification.timestamp) * 1000).toISOString() });
    const query = vectors.urlVerification.raw_query_as_in_source.split('?')[1];
    const res = await fetch(`${h.server.url}/wecom/callback?${query}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(vectors.urlVerification.expected_plain);
  });

  it('accepts the sample message, keeps MsgId as a string, and replies encrypted to its sender', async () => {
    const m = vectors.message;
    h = await startHarness(store, { settings: OFFICIAL, start: new Date(Number(m.timestamp) * 1000).toISOString() });
    const res = await h.post(`/wecom/callback?msg_signature=${m.msg_signature}&timestamp=${m.timestamp}&nonce=${m.nonce}`, m.post_xml);
    expect(res.status).toBe(200);
    const reply = openPassiveReply(OFFICIAL, await res.text());
    expect(reply?.toUser).toBe('mycreate');
    expect(reply?.content).toContain('绑定 mycreate');
    expect(await store.models.Inbound.countDocuments({ key: 'app:4561255354251345929' })).toBe(1);
  });
});

describe('refusals change nothing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(store);
  });
  afterAll(async () => h.close());

  const now = () => Math.floor(h.clock.now().getTime() / 1000);

  async function expectRefused(path: string, body: string, status: number) {
    const before = await sideEffects();
    const res = await h.post(path, body);
    expect(res.status).toBe(status);
    expect(await sideEffects()).toEqual(before);
  }

  it('refuses a forged signature', async () => {
    const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.5 60%', createTime: now() });
    await expectRefused(cb.path.replace(/msg_signature=[0-9a-f]{4}/, 'msg_signature=0000'), cb.body, 401);
  });

  it('refuses a message encrypted for another corp id', async () => {
    const cb = buildTextCallback({ ...TEST_SETTINGS, corpId: 'wwSomebodyElse' }, { userid: 'jmb', text: '汇报 7.5 60%', createTime: now() });
    await expectRefused(cb.path, cb.body, 400);
  });

  it('refuses a stale timestamp', async () => {
    const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.5 60%', createTime: now() - 301 });
    await expectRefused(cb.path, cb.body, 403);
  });

  it('refuses a nonce other than the one signed', async () => {
    const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.5 60%', createTime: now(), nonce: 'abc123' });
    await expectRefused(cb.path.replace('nonce=abc123', 'nonce=abc124'), cb.body, 401);
  });

  it('refuses an oversized body', async () => {
    const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.5 60%', createTime: now() });
    await expectRefused(cb.path, cb.body.replace('<AgentID>', `<Pad>${'x'.repeat(70_000)}</Pad><AgentID>`), 413);
  });

  it('refuses malformed XML', async () => {
    const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.5 60%', createTime: now() });
    await expectRefused(cb.path, cb.body.replace('</xml>', ''), 400);
  });

  it('refuses XML that declares entities', async () => {
    const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.5 60%', createTime: now() });
    const evil = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>${cb.body}`;
    await expectRefused(cb.path, evil, 400);
  });

  it('refuses an encrypted inner message that declares entities', async () => {
    const cipher = createCallbackCipher({ token: TEST_SETTINGS.token, encodingAESKey: TEST_SETTINGS.encodingAESKey, receiveId: TEST_SETTINGS.corpId });
    const inner = `<!DOCTYPE x [<!ENTITY e "boom">]>${buildAppTextMessageXml({ corpId: TEST_SETTINGS.corpId, fromUser: 'jmb', createTime: now(), content: '&e;', msgId: '1', agentId: '1' })}`;
    const sealed = cipher.encryptAndSign(inner, String(now()), 'n1');
    const path = `/wecom/callback?msg_signature=${sealed.signature}&timestamp=${sealed.timestamp}&nonce=n1`;
    await expectRefused(path, buildCallbackPostXml({ toUserName: TEST_SETTINGS.corpId, encrypt: sealed.encrypt, agentId: '1' }), 400);
  });

  it('refuses a request without signature parameters', async () => {
    await expectRefused('/wecom/callback', '<xml/>', 400);
  });
});

describe('delivery', () => {
  it('processes three deliveries of one message once and answers each with the same reply', async () => {
    const h = await startHarness(store);
    try {
      const before = await store.models.Report.countDocuments({ taskCode: '7.6' });
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await h.say('jmb', '汇报 7.6 30% 已对接两家企业', { msgId: '7000000000000000001' }));
      expect(await store.models.Report.countDocuments({ taskCode: '7.6' })).toBe(before + 1);
      expect(replies[0]).toContain('已记录');
      expect(replies[1]).toBe(replies[0]);
      expect(replies[2]).toBe(replies[0]);
    } finally {
      await h.close();
    }
  });
});

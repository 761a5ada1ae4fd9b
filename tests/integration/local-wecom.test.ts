// The local WeCom stand-in answers like WeCom does, over real HTTP.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { startLocalWecom, type LocalWecom } from '../../src/wecom/local-wecom.ts';

type Json = Record<string, any>;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('local WeCom stand-in', () => {
  const clock = new ManualClock('2021-07-26T02:00:00Z');
  let wecom: LocalWecom;

  beforeAll(async () => {
    wecom = await startLocalWecom({
      clock,
      corpId: 'wwcorp',
      secret: 's3cret',
      tokenTtlSeconds: 7200,
      departments: [
        { id: 1, name: '南旺镇人民政府', parentid: 0 },
        { id: 2, name: '党政办', parentid: 1 },
        { id: 3, name: '财政所', parentid: 1 },
      ],
      users: [
        { userid: 'zhangsan', name: '张三', department: [2] },
        { userid: 'lisi', name: '李四', department: [2, 3] },
      ],
    });
  });
  afterAll(async () => {
    await wecom.close();
  });
  beforeEach(() => {
    wecom.reset();
  });

  async function get(path: string): Promise<Json> {
    const res = await fetch(`${wecom.url}${path}`);
    return (await res.json()) as Json;
  }
  async function post(path: string, body: unknown): Promise<{ status: number; json: () => Promise<Json> }> {
    const res = await fetch(`${wecom.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: async () => (await res.json()) as Json };
  }
  async function token(): Promise<string> {
    const data = await get('/cgi-bin/gettoken?corpid=wwcorp&corpsecret=s3cret');
    expect(data.errcode).toBe(0);
    return data.access_token as string;
  }

  it('checks corpid and secret, and hands back the same token within its life', async () => {
    expect((await get('/cgi-bin/gettoken?corpid=wwcorp&corpsecret=wrong')).errcode).toBe(40001);
    expect((await get('/cgi-bin/gettoken?corpid=other&corpsecret=s3cret')).errcode).toBe(40013);
    const first = await get('/cgi-bin/gettoken?corpid=wwcorp&corpsecret=s3cret');
    expect(first).toMatchObject({ errcode: 0, expires_in: 7200 });
    clock.advance(60_000);
    const second = await get('/cgi-bin/gettoken?corpid=wwcorp&corpsecret=s3cret');
    expect(second.access_token).toBe(first.access_token);
    expect(second.expires_in).toBe(7140);
  });

  it('answers 41001 without a token, 40014 for an unknown one and 42001 once it expired', async () => {
    const msg = { touser: 'zhangsan', msgtype: 'text', agentid: 1000002, text: { content: 'hi' } };
    expect((await (await post('/cgi-bin/message/send', msg)).json()).errcode).toBe(41001);
    expect((await (await post('/cgi-bin/message/send?access_token=nope', msg)).json()).errcode).toBe(40014);
    const t = await token();
    expect((await (await post(`/cgi-bin/message/send?access_token=${t}`, msg)).json()).errcode).toBe(0);
    clock.advance(7200_000);
    expect((await (await post(`/cgi-bin/message/send?access_token=${t}`, msg)).json()).errcode).toBe(42001);
    const renewed = await token();
    expect(renewed).not.toBe(t);
    wecom.expireAllTokens();
    expect((await (await post(`/cgi-bin/message/send?access_token=${renewed}`, msg)).json()).errcode).toBe(42001);
    expect(wecom.sent()).toHaveLength(1);
  });

  it('validates message/send lightly and reports invalid recipients', async () => {
    const t = await token();
    const send = async (body: Json) => (await post(`/cgi-bin/message/send?access_token=${t}`, body)).json();
    expect((await send({ msgtype: 'text', agentid: 1, text: { content: 'x' } })).errcode).toBe(40031);
    expect((await send({ touser: 'zhangsan', msgtype: 'fax', agentid: 1 })).errcode).toBe(40008);
    expect((await send({ touser: 'zhangsan', msgtype: 'text', text: { content: 'x' } })).errcode).toBe(40056);
    const long = '督'.repeat(683); // 2049 bytes in UTF-8
    expect((await send({ touser: 'zhangsan', msgtype: 'text', agentid: 1, text: { content: long } })).errcode).toBe(45002);
    expect((await send({ touser: 'ghost', msgtype: 'text', agentid: 1, text: { content: 'x' } })).errcode).toBe(81013);
    const partly = await send({ touser: 'zhangsan|ghost', msgtype: 'markdown', agentid: 1, markdown: { content: '**x**' } });
    expect(partly).toMatchObject({ errcode: 0, invaliduser: 'ghost' });
    expect(wecom.sent()).toHaveLength(1);
    expect(wecom.sent()[0]).toMatchObject({ touser: 'zhangsan|ghost', msgtype: 'markdown' });
  });

  it('holds each webhook key to 20 messages a rolling minute', async () => {
    const body = { msgtype: 'text', text: { content: '周报' } };
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await (await post('/cgi-bin/webhook/send?key=k1', body)).json()).errcode);
    expect(codes.slice(0, 20).every((c) => c === 0)).toBe(true);
    expect(codes[20]).toBe(45009);
    expect((await (await post('/cgi-bin/webhook/send?key=k2', body)).json()).errcode).toBe(0); // per key
    clock.advance(60_000);
    expect((await (await post('/cgi-bin/webhook/send?key=k1', body)).json()).errcode).toBe(0);
    expect(wecom.webhookPosts()).toHaveLength(22);
    expect((await (await post('/cgi-bin/webhook/send', body)).json()).errcode).toBe(93000);
    const md = { msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } };
    expect((await (await post('/cgi-bin/webhook/send?key=k3', md)).json()).errcode).toBe(45002);
  });

  it('takes robot images as WeCom does: PNG or JPG, at most 2 MB, md5 of the raw bytes', async () => {
    const image = (bytes: Buffer, md5 = createHash('md5').update(bytes).digest('hex')) => ({ msgtype: 'image', image: { base64: bytes.toString('base64'), md5 } });
    const send = async (body: unknown) => (await (await post('/cgi-bin/webhook/send?key=img', body)).json()).errcode;
    const png = (size: number) => Buffer.concat([PNG_MAGIC, Buffer.alloc(size - PNG_MAGIC.length, 7)]);
    const limit = 2 * 1024 * 1024;

    expect(await send(image(png(limit)))).toBe(0); // the largest allowed, whose base64 is over 2 MB of JSON
    expect(await send(image(png(limit + 1)))).toBe(40009);
    expect(await send(image(png(100), 'd41d8cd98f00b204e9800998ecf8427e'))).toBe(301019);
    expect(await send(image(Buffer.from('GIF89a-not-allowed')))).toBe(40005);
    expect(await send({ msgtype: 'image', image: { base64: '###', md5: 'x' } })).toBe(47001);
    expect(await send({ msgtype: 'image' })).toBe(47001);
    expect(wecom.webhookPosts()).toHaveLength(1);
  });

  it('serves contacts from its roster, not recursively, and records menus', async () => {
    const t = await token();
    const list = await get(`/cgi-bin/department/simplelist?access_token=${t}`);
    expect(list.department_id.map((d: Json) => d.id)).toEqual([1, 2, 3]);
    expect((await get(`/cgi-bin/department/get?access_token=${t}&id=3`)).department).toMatchObject({ id: 3, name: '财政所', parentid: 1 });
    expect((await get(`/cgi-bin/department/get?access_token=${t}&id=9`)).errcode).toBe(60003);
    expect((await get(`/cgi-bin/user/list?access_token=${t}&department_id=3`)).userlist.map((u: Json) => u.userid)).toEqual(['lisi']);
    expect((await get(`/cgi-bin/user/list?access_token=${t}&department_id=1`)).userlist).toEqual([]);
    const menu = { button: [{ type: 'click', name: '我的任务', key: 'my_tasks' }] };
    expect((await (await post(`/cgi-bin/menu/create?access_token=${t}&agentid=1000002`, menu)).json()).errcode).toBe(0);
    expect(wecom.menus()).toEqual([{ agentid: '1000002', menu }]);
  });

  it('fails on request: errcodes, HTTP statuses, a number of times, then recovers', async () => {
    const t = await token();
    const msg = { touser: 'zhangsan', msgtype: 'text', agentid: 1, text: { content: 'hi' } };
    wecom.failNext('/cgi-bin/message/send', { status: 503, times: 2 });
    wecom.failNext('/cgi-bin/message/send', { errcode: -1 });
    const statuses: Array<number | string> = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(`/cgi-bin/message/send?access_token=${t}`, msg);
      statuses.push(res.status === 200 ? (await res.json()).errcode : res.status);
    }
    expect(statuses).toEqual([503, 503, -1, 0]);
    expect(wecom.sent()).toHaveLength(1);
    expect(wecom.requests.filter((r) => r.path === '/cgi-bin/message/send')).toHaveLength(4);
    expect(wecom.requests.at(-1)).toMatchObject({ method: 'POST', body: msg, query: { access_token: t } });
  });

  it('reset() forgets records, failures and tokens', async () => {
    const t = await token();
    wecom.failNext('/cgi-bin/gettoken', { errcode: -1, times: 5 });
    wecom.reset();
    expect(wecom.requests).toHaveLength(0);
    expect((await (await post(`/cgi-bin/message/send?access_token=${t}`, {})).json()).errcode).toBe(40014);
    expect((await get('/cgi-bin/gettoken?corpid=wwcorp&corpsecret=s3cret')).errcode).toBe(0);
  });
});

// `say USERID TEXT…`: plays WeCom. Encrypts and signs TEXT as a text message from USERID, posts it to the
// running bot (BOT_URL, default http://127.0.0.1:$PORT) or to one started here on the same DATA_DIR,
// and prints the reply, whether it came in the HTTP answer or through the outbox.
import { startService, type Service } from '../service.ts';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildCardTapCallback, buildImageCallback, buildTextCallback, openPassiveReply } from '../wecom/simulator.ts';
import type { CardTap } from '../cards/template-card.ts';
import { effectiveWecom } from '../wecom/settings.ts';
import { CliUsageError, type CliContext } from './runtime.ts';

export const SAY_USAGE = 'say USERID TEXT… | say USERID --image FILE | say USERID --click KEY [--option ID]   (plays WeCom: sends TEXT, a photo or a tap on a card button as USERID to the bot and prints its reply)';

const WAIT_FOR_OUTBOX_MS = 15_000;

export async function runSayCommand(argv: string[], ctx: CliContext): Promise<number> {
  const [userid, ...words] = argv;
  if (!userid || words.length === 0) throw new CliUsageError(SAY_USAGE);
  const imageFile = words[0] === '--image' ? words[1] : undefined;
  if (words[0] === '--image' && (!imageFile || words.length !== 2)) throw new CliUsageError(SAY_USAGE);
  const clickKey = words[0] === '--click' ? words[1] : undefined;
  const option = words[2] === '--option' ? words[3] : undefined;
  if (words[0] === '--click' && (!clickKey || !(words.length === 2 || (words.length === 4 && option)))) throw new CliUsageError(SAY_USAGE);
  const text = words.join(' ');
  const wecom = effectiveWecom(ctx.config);
  const settings = { ...wecom.callback, agentId: wecom.agentId };

  let url = ctx.config.botUrl ?? `http://127.0.0.1:${ctx.config.port}`;
  let service: Service | null = null;
  if (!(await answers(url))) {
    service = await startService({ config: ctx.config, logger: ctx.logger, clock: ctx.clock, port: 0, scheduler: false });
    url = service.url;
  }
  try {
    const before = await sentCount(url, userid);
    const createTime = Math.floor(ctx.clock.now().getTime() / 1000);
    let cb;
    if (clickKey) {
      const tap = await tapOnLocalWecom(url, userid, clickKey, option);
      if ('error' in tap) {
        ctx.out(tap.error);
        return 1;
      }
      cb = buildCardTapCallback(settings, { userid, tap, createTime });
    } else if (imageFile) {
      const uploaded = await uploadToLocalWecom(url, imageFile);
      if (uploaded.id === undefined) {
        ctx.out(uploaded.error);
        return 1;
      }
      cb = buildImageCallback(settings, { userid, mediaId: uploaded.id, createTime });
    } else {
      cb = buildTextCallback(settings, { userid, text, createTime });
    }
    const res = await fetch(`${url}${cb.path}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' } });
    if (res.status !== 200) {
      ctx.out(`机器人拒绝了这条消息（HTTP ${res.status}）：${await res.text()}`);
      return 1;
    }
    const passive = openPassiveReply(settings, await res.text());
    if (passive) ctx.out(passive.content);
    const expected = passive ? remainingParts(passive.content) : null;
    if (expected === 0) return 0;
    if (before === null) {
      ctx.out('（其余回复经企业微信发送，本地看不到。）');
      return 0;
    }
    for (const content of await waitForOutbox(url, userid, before, expected)) ctx.out(content);
    return 0;
  } finally {
    await service?.stop();
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

/** A passive reply "（1/3）…" says two more parts follow through the outbox. */
function remainingParts(first: string): number {
  const m = /^（1\/(\d+)）/.exec(first);
  return m ? Number(m[1]) - 1 : 0;
}

type Sent = Array<{ index: number; body: { text?: { content?: string } } }>;

/** Index of the last message the local stand-in holds for this user; null when the bot is not in local mode. */
async function sentCount(url: string, userid: string): Promise<number | null> {
  const res = await fetch(`${url}/local/wecom/sent?touser=${encodeURIComponent(userid)}`).catch(() => null);
  if (!res?.ok) return null;
  const list = (await res.json()) as Sent;
  return list.length ? list[list.length - 1]!.index : -1;
}

async function waitForOutbox(url: string, userid: string, after: number, expected: number | null): Promise<string[]> {
  const deadline = Date.now() + WAIT_FOR_OUTBOX_MS;
  let got: Sent = [];
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/local/wecom/sent?touser=${encodeURIComponent(userid)}&after=${after}`);
    got = (await res.json()) as Sent;
    const want = expected ?? (got[0] ? 1 + remainingParts(got[0].body.text?.content ?? '') : Infinity);
    if (got.length >= want) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return got.map((m) => m.body.text?.content ?? JSON.stringify(m.body));
}

/** Asks the local stand-in for the tap: the most recent card USERID got with a live button KEY, and its response_code. */
async function tapOnLocalWecom(botUrl: string, userid: string, key: string, option?: string): Promise<CardTap | { error: string }> {
  const query = new URLSearchParams({ userid, key, ...(option ? { option } : {}) });
  const res = await fetch(`${botUrl}/local/wecom/tap?${query.toString()}`).catch(() => null);
  if (!res || res.status === 404 && !res.headers.get('content-type')?.includes('json')) return { error: '--click 只能在本地模式下使用（本地的企业微信替身记得发过的卡片）。' };
  if (res.status === 404) return { error: `${userid} 最近收到的卡片里没有可点的按钮“${key}”。` };
  if (!res.ok) return { error: `本地替身拒绝了这次点击（HTTP ${res.status}）。` };
  return (await res.json()) as CardTap;
}

/**
 * Uploads a photo to the local WeCom stand-in through its media/upload, as the phone's WeCom app would before the
 * image message reaches the bot; WeCom's own checks (JPG/PNG, at most 10 MB) answer here.
 */
async function uploadToLocalWecom(botUrl: string, file: string): Promise<{ id: string; error?: undefined } | { id?: undefined; error: string }> {
  const info = await fetch(`${botUrl}/local/wecom/api`).catch(() => null);
  if (!info?.ok) return { error: '--image 只能在本地模式下使用（本地的企业微信替身接收照片）。' };
  const { url, corpId, secret } = (await info.json()) as { url: string; corpId: string; secret: string };
  const token = (await (await fetch(`${url}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`)).json()) as { access_token?: string };
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return { error: `找不到文件 ${file}` };
  }
  const form = new FormData();
  form.append('media', new Blob([new Uint8Array(bytes)]), basename(file));
  const res = await fetch(`${url}/cgi-bin/media/upload?access_token=${token.access_token ?? ''}&type=image`, { method: 'POST', body: form });
  const answer = (await res.json()) as { errcode: number; errmsg: string; media_id?: string };
  if (answer.errcode !== 0 || !answer.media_id) return { error: `企业微信不接收这张图片（errcode ${answer.errcode}：${answer.errmsg.split(',')[0]}）。图片须为 JPG 或 PNG，不超过 10 MB。` };
  return { id: answer.media_id };
}

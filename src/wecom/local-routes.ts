// Local mode only: lets the simulator in another process read what the bot sent to the in-process
// WeCom stand-in (replies that went through the outbox, reminders, digests).
import Router from '@koa/router';
import type { LocalWecom } from './local-wecom.ts';

export function createLocalWecomRouter(local: LocalWecom): Router {
  const router = new Router();
  router.get('/local/wecom/sent', (ctx) => {
    const touser = typeof ctx.query.touser === 'string' ? ctx.query.touser : null;
    const after = Number(ctx.query.after ?? -1);
    const all = local.sent().map((body, index) => ({ index, body }));
    ctx.body = all.filter(({ index, body }) =>
      index > after && (!touser || String(body.touser ?? '').split('|').includes(touser)));
  });
  // Where `say --image` uploads a photo as a WeCom user's phone would (the development secret of local mode).
  router.get('/local/wecom/api', (ctx) => {
    ctx.body = { url: local.url, corpId: local.corpId, secret: local.secret };
  });
  // `say USERID --click KEY`: the stand-in picks the card and issues the tap's response_code; the CLI seals the event.
  router.get('/local/wecom/tap', (ctx) => {
    const userid = typeof ctx.query.userid === 'string' ? ctx.query.userid : '';
    const key = typeof ctx.query.key === 'string' ? ctx.query.key : '';
    const option = typeof ctx.query.option === 'string' ? ctx.query.option : undefined;
    const tap = local.tap(userid, key, option);
    ctx.status = tap ? 200 : 404;
    ctx.body = tap ?? { error: 'no live card button with that key for this user' };
  });
  router.get('/local/wecom/webhook', (ctx) => {
    ctx.body = local.webhookPosts();
  });
  return router;
}

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
  router.get('/local/wecom/webhook', (ctx) => {
    ctx.body = local.webhookPosts();
  });
  return router;
}

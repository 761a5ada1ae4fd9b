// WeCom checks a 可信域名 (网页授权及JS-SDK) by fetching a file it names (WW_verify_….txt) from the domain's root.
// The app serves it from configuration, so no file has to be placed on the server by hand.
import Router from '@koa/router';

export function createDomainVerifyRouter(file: { name: string; content: string }): Router {
  const router = new Router();
  router.get(`/${file.name}`, (ctx) => {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = file.content;
  });
  return router;
}

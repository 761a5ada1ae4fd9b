// `wecom menu`: creates the app menu (我的任务, 待汇报, 帮助); each click sends its command as EventKey.
import { createWecomClient, type WecomClient } from '../wecom/api-client.ts';
import { startLocalWecom } from '../wecom/local-wecom.ts';
import { effectiveWecom } from '../wecom/settings.ts';
import { CliUsageError, type CliContext } from './runtime.ts';

export const WECOM_USAGE = 'wecom menu   (creates the app menu: 我的任务 / 待汇报 / 帮助)';

export const APP_MENU = {
  button: ['我的任务', '待汇报', '帮助'].map((name) => ({ type: 'click', name, key: name })),
};

/** A client for the real WeCom, or in local mode for a stand-in started for the call. */
export async function withWecomClient<T>(ctx: CliContext, fn: (client: WecomClient, local: boolean) => Promise<T>): Promise<T> {
  const store = await ctx.store();
  const wecom = effectiveWecom(ctx.config);
  const local = ctx.config.localMode ? await startLocalWecom({ corpId: wecom.callback.corpId, secret: wecom.secret, clock: ctx.clock }) : null;
  try {
    const client = createWecomClient({
      apiBase: local?.url ?? ctx.config.wecom.apiBase, corpId: wecom.callback.corpId, secret: wecom.secret,
      agentId: wecom.agentId, store, clock: ctx.clock, logger: ctx.logger,
    });
    return await fn(client, local !== null);
  } finally {
    await local?.close();
  }
}

export async function runWecomCommand(argv: string[], ctx: CliContext): Promise<number> {
  if (argv[0] !== 'menu') throw new CliUsageError(WECOM_USAGE);
  return withWecomClient(ctx, async (client, local) => {
    await client.createMenu(APP_MENU);
    ctx.out(`已创建应用菜单：${APP_MENU.button.map((b) => b.name).join(' / ')}${local ? '（本地模式：发往本地企业微信替身）' : ''}`);
    return 0;
  });
}

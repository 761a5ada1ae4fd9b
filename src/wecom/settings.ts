// The WeCom settings the service runs with: what the configuration gives, and in local mode
// development values for whatever it leaves out.
import type { Config } from '../config.ts';
import type { CallbackSettings } from './callback-routes.ts';
import { LOCAL_WECOM } from './local-settings.ts';

export interface EffectiveWecom {
  callback: CallbackSettings;
  agentId: string;
  secret: string;
  webhookKey: string | undefined;
}

export function effectiveWecom(config: Config): EffectiveWecom {
  const w = config.wecom;
  const local = config.localMode;
  // Outside local mode loadConfig has already insisted on these; the fallbacks only serve local mode.
  const pick = (given: string | undefined, dev: string) => given ?? (local ? dev : '');
  return {
    callback: {
      corpId: pick(w.corpId, LOCAL_WECOM.corpId),
      token: pick(w.token, LOCAL_WECOM.token),
      encodingAESKey: pick(w.encodingAESKey, LOCAL_WECOM.encodingAESKey),
      aibotToken: w.aibotToken ?? (local ? LOCAL_WECOM.aibotToken : undefined),
      aibotEncodingAESKey: w.aibotEncodingAESKey ?? (local ? LOCAL_WECOM.aibotEncodingAESKey : undefined),
      maxSkewSeconds: w.maxSkewSeconds,
    },
    agentId: pick(w.agentId, LOCAL_WECOM.agentId),
    secret: pick(w.secret, LOCAL_WECOM.secret),
    webhookKey: w.groupWebhookKey ?? (local ? 'local-group-robot' : undefined),
  };
}

// The one reader of the environment. Everything else receives a typed Config.
import { readFileSync, existsSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

export const TIME_ZONE = 'Asia/Shanghai';

const DEFAULT_API_BASE = 'https://qyapi.weixin.qq.com';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const aesKey = optionalText.refine((v) => v === undefined || /^[A-Za-z0-9+/]{43}$/.test(v), {
  message: 'must be 43 characters of base64 (EncodingAESKey from the WeCom console)',
});

const cronExpr = z
  .string()
  .trim()
  .refine((v) => {
    const n = v.split(/\s+/).length;
    return n === 5 || n === 6;
  }, { message: 'must be a cron expression with 5 or 6 fields' });

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'must be true or false',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: optionalText,
  MONGODB_URI: optionalText.refine((v) => v === undefined || /^mongodb(\+srv)?:\/\//.test(v), {
    message: 'must start with mongodb:// or mongodb+srv://',
  }),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PLAN_FILE: optionalText,
  WECOM_CORP_ID: optionalText,
  WECOM_AGENT_ID: optionalText.refine((v) => v === undefined || /^\d+$/.test(v), { message: 'must be a number' }),
  WECOM_SECRET: optionalText,
  WECOM_TOKEN: optionalText,
  WECOM_ENCODING_AES_KEY: aesKey,
  WECOM_AIBOT_TOKEN: optionalText,
  WECOM_AIBOT_ENCODING_AES_KEY: aesKey,
  WECOM_GROUP_WEBHOOK_KEY: optionalText,
  WECOM_API_BASE: z.string().trim().url().default(DEFAULT_API_BASE),
  WECOM_ADMINS: z.string().default(''),
  WECOM_MAX_SKEW_SECONDS: z.coerce.number().int().min(0).default(300),
  REMINDER_CRON: cronExpr.default('0 10 * * 5'),
  DIGEST_CRON: cronExpr.default('0 9 * * 1'),
  DIGEST_MENTIONS: bool.default(false),
  WORKDAY_ADJUST: bool.default(true),
  BOT_URL: optionalText,
  WEB_BASE_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(v), {
    message: 'must be an http(s) address without query, e.g. https://duban.example.gov.cn',
  }),
});

export interface WecomConfig {
  corpId: string | undefined;
  agentId: string | undefined;
  secret: string | undefined;
  token: string | undefined;
  encodingAESKey: string | undefined;
  aibotToken: string | undefined;
  aibotEncodingAESKey: string | undefined;
  groupWebhookKey: string | undefined;
  apiBase: string;
  admins: string[];
  maxSkewSeconds: number;
}

export interface WebConfig {
  /** The trusted-domain address of the web pages: links in chat. */
  baseUrl: string | undefined;
}

export interface Config {
  port: number;
  host: string;
  mongodbUri: string | undefined;
  dataDir: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  planFile: string | undefined;
  /** Local mode: no WECOM_SECRET, so the bot talks to the in-process WeCom stand-in. */
  localMode: boolean;
  wecom: WecomConfig;
  reminderCron: string;
  digestCron: string;
  digestMentions: boolean;
  workdayAdjust: boolean;
  botUrl: string | undefined;
  web: WebConfig;
  timeZone: typeof TIME_ZONE;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`配置有误 (invalid configuration):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** A .env file to read; its values never override the real environment. Default: ./.env if present. */
  dotenvPath?: string | null;
}

/** Reads and checks every setting at once, so that one start reports all problems. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const merged = { ...readDotenv(options.dotenvPath), ...withoutEmpty(env) };
  const result = schema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const v = result.data;
  const problems: string[] = [];
  if (v.WECOM_SECRET) {
    for (const name of ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const) {
      if (!v[name]) problems.push(`${name}: required when WECOM_SECRET is set`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port: v.PORT,
    // Local mode runs with development keys anyone can read in the repository: loopback only, unless asked.
    host: v.HOST ?? (v.WECOM_SECRET ? '0.0.0.0' : '127.0.0.1'),
    mongodbUri: v.MONGODB_URI,
    dataDir: v.DATA_DIR,
    logLevel: v.LOG_LEVEL,
    planFile: v.PLAN_FILE,
    localMode: !v.WECOM_SECRET,
    wecom: {
      corpId: v.WECOM_CORP_ID,
      agentId: v.WECOM_AGENT_ID,
      secret: v.WECOM_SECRET,
      token: v.WECOM_TOKEN,
      encodingAESKey: v.WECOM_ENCODING_AES_KEY,
      aibotToken: v.WECOM_AIBOT_TOKEN,
      aibotEncodingAESKey: v.WECOM_AIBOT_ENCODING_AES_KEY,
      groupWebhookKey: v.WECOM_GROUP_WEBHOOK_KEY,
      apiBase: v.WECOM_API_BASE.replace(/\/+$/, ''),
      admins: v.WECOM_ADMINS.split(/[,，;；\s]+/).map((s) => s.trim()).filter(Boolean),
      maxSkewSeconds: v.WECOM_MAX_SKEW_SECONDS,
    },
    reminderCron: v.REMINDER_CRON,
    digestCron: v.DIGEST_CRON,
    digestMentions: v.DIGEST_MENTIONS,
    workdayAdjust: v.WORKDAY_ADJUST,
    botUrl: v.BOT_URL,
    web: {
      baseUrl: v.WEB_BASE_URL?.replace(/\/+$/, ''),
    },
    timeZone: TIME_ZONE,
  };
}

function readDotenv(path: string | null | undefined): Record<string, string> {
  if (path === null) return {};
  const file = path ?? '.env';
  if (!existsSync(file)) return {};
  return withoutEmpty(parseDotenv(readFileSync(file)));
}

/** An empty variable means "not set", as in most twelve-factor tools. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

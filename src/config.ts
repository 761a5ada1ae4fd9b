// The one reader of the environment. Everything else receives a typed Config.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

export const TIME_ZONE = 'Asia/Shanghai';

const DEFAULT_API_BASE = 'https://qyapi.weixin.qq.com';
const DEFAULT_OAUTH_BASE = 'https://open.weixin.qq.com';

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
  REVIEW_REQUIRED: bool.default(true),
  WECOM_CARDS: bool.default(true),
  BOT_URL: optionalText,
  WEB_BASE_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(v), {
    message: 'must be an http(s) address without query, e.g. https://duban.example.gov.cn',
  }),
  WEB_SESSION_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, { message: 'must be at least 32 characters' }),
  WECOM_OAUTH_BASE: optionalText.refine((v) => v === undefined || /^https?:\/\/[^?#]+$/.test(v), { message: 'must be an http(s) address' }),
  BACKUP_DIR: optionalText,
  SCORE_RULES_FILE: z.string().trim().min(1).default('config/考核细则.yaml'),
  METRICS_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 16, { message: 'must be at least 16 characters' }),
  WECOM_DOMAIN_VERIFY_FILE: optionalText.refine((v) => v === undefined || /^[A-Za-z0-9_.-]{1,100}\.txt$/.test(v), {
    message: 'must be the file name WeCom gives, e.g. WW_verify_AbCdEf123.txt',
  }),
  WECOM_DOMAIN_VERIFY_CONTENT: optionalText,
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
  /** The trusted-domain address: OAuth redirect_uri and links in chat. Unset in local mode = this service's own address. */
  baseUrl: string | undefined;
  /** Signs session cookies. Unset in local mode = a development value (local mode stays on loopback). */
  sessionSecret: string | undefined;
  /** Where the browser is sent to log in (WeCom's authorize page). Unset in local mode = the stand-in. */
  oauthBase: string | undefined;
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
  /** 完成 waits for an admin's 审核通过 (待审核 → 已销号); false closes on the department's word. */
  reviewRequired: boolean;
  /** WECOM_CARDS: reminders and the 待审核 notice as interactive template cards (text where a card cannot go). */
  cards: boolean;
  botUrl: string | undefined;
  web: WebConfig;
  /** The 考核细则 the scores follow (default config/考核细则.yaml), checked at start. */
  scoreRulesFile: string;
  /** Daily backup archives (default DATA_DIR/backups). */
  backupDir: string;
  /** /metrics answers loopback callers, and others that send `Authorization: Bearer METRICS_TOKEN`. */
  metricsToken: string | undefined;
  /** The 可信域名 check: WeCom's verification file, served at /NAME with this content. */
  domainVerifyFile: { name: string; content: string } | undefined;
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
  // The pages need both outside local mode: links and redirect_uri from one, cookies signed with the other.
  if (v.WECOM_SECRET && !!v.WEB_BASE_URL !== !!v.WEB_SESSION_SECRET) {
    problems.push(v.WEB_BASE_URL ? 'WEB_SESSION_SECRET: required when WEB_BASE_URL is set' : 'WEB_BASE_URL: required when WEB_SESSION_SECRET is set');
  }
  if (!!v.WECOM_DOMAIN_VERIFY_FILE !== !!v.WECOM_DOMAIN_VERIFY_CONTENT) {
    problems.push(v.WECOM_DOMAIN_VERIFY_FILE ? 'WECOM_DOMAIN_VERIFY_CONTENT: required when WECOM_DOMAIN_VERIFY_FILE is set' : 'WECOM_DOMAIN_VERIFY_FILE: required when WECOM_DOMAIN_VERIFY_CONTENT is set');
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
    reviewRequired: v.REVIEW_REQUIRED,
    cards: v.WECOM_CARDS,
    botUrl: v.BOT_URL,
    web: {
      baseUrl: v.WEB_BASE_URL?.replace(/\/+$/, ''),
      sessionSecret: v.WEB_SESSION_SECRET,
      oauthBase: (v.WECOM_OAUTH_BASE ?? (v.WECOM_SECRET ? DEFAULT_OAUTH_BASE : undefined))?.replace(/\/+$/, ''),
    },
    backupDir: v.BACKUP_DIR ?? join(v.DATA_DIR, 'backups'),
    scoreRulesFile: v.SCORE_RULES_FILE,
    metricsToken: v.METRICS_TOKEN,
    domainVerifyFile: v.WECOM_DOMAIN_VERIFY_FILE && v.WECOM_DOMAIN_VERIFY_CONTENT
      ? { name: v.WECOM_DOMAIN_VERIFY_FILE, content: v.WECOM_DOMAIN_VERIFY_CONTENT } : undefined,
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

/**
 * Where the pages are, for links in messages sent without a request to answer (digests, reminders, the CLI's
 * previews): WEB_BASE_URL, or in local mode this machine's service at its configured port — so the preview of a
 * digest and the digest the local service sends carry the same link.
 */
export function pagesBaseUrl(config: Pick<Config, 'web' | 'localMode' | 'host' | 'port'>): string | undefined {
  if (config.web.baseUrl) return config.web.baseUrl;
  if (!config.localMode) return undefined;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host}:${config.port}`;
}

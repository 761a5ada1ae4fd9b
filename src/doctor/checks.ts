// `doctor`: checks a live configuration before the first real message, each check with the fix in Chinese.
// It talks to WeCom directly (not through the bot's client with its retries and token cache) so that every
// answer, errcode and clock included, is seen as WeCom gave it.
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { backupStatus } from '../backup/daily.ts';
import { listMembers } from '../members/members.ts';
import type { Store } from '../store/database.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a ✗, in Chinese, naming the console page or the command. */
  fix?: string;
}

export interface DoctorDeps {
  config: Config;
  /** Null when the database could not be opened (the database check then fails with `storeError`). */
  store: Store | null;
  storeError?: string;
  clock: Clock;
  fetchImpl?: typeof fetch;
}

/** Callbacks further off than WECOM_MAX_SKEW_SECONDS are refused; warn well before that. */
export const MAX_CLOCK_SKEW_SECONDS = 30;
const TIMEOUT_MS = 10_000;
const ROBOT_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const APP_PAGE = '管理后台（work.weixin.qq.com）→ 应用管理 → 自建应用「督办助手」';

type Json = Record<string, unknown>;

interface WecomAnswer {
  data: Json | null;
  /** The server's clock, from the HTTP Date header. */
  serverDate: Date | null;
  error?: string;
}

export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  const { config } = deps;
  const results: CheckResult[] = [];
  const token = await checkAccessToken(deps, results);
  results.push(await checkVisibleRange(deps, token));
  results.push(checkRobotKey(config));
  results.push(checkClock(deps, token.serverDate));
  results.push(await checkDatabase(deps));
  results.push(checkBackup(deps));
  results.push(checkWeb(config));
  return results;
}

/** The report, one line per check (and the fix under each ✗). */
export function formatResults(results: CheckResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.ok ? '✓' : '✗'} ${r.name}：${r.detail}`);
    if (!r.ok && r.fix) lines.push(`    修复：${r.fix}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  lines.push(failed ? `${failed} 项未通过。改好后再运行：npm run -s cli -- doctor` : '全部通过。');
  return lines;
}

async function callWecom(deps: DoctorDeps, path: string, query: Record<string, string>): Promise<WecomAnswer> {
  const url = new URL(`${deps.config.wecom.apiBase}${path}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  try {
    const res = await (deps.fetchImpl ?? fetch)(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const date = res.headers.get('date');
    const serverDate = date ? new Date(date) : null;
    const text = await res.text();
    if (res.status !== 200) return { data: null, serverDate, error: `HTTP ${res.status}` };
    try {
      return { data: JSON.parse(text) as Json, serverDate };
    } catch {
      return { data: null, serverDate, error: '回答不是 JSON' };
    }
  } catch (err) {
    return { data: null, serverDate: null, error: (err as Error).name === 'TimeoutError' ? `${TIMEOUT_MS / 1000} 秒无回答` : (err as Error).message };
  }
}

const errcodeOf = (data: Json | null) => (typeof data?.errcode === 'number' ? data.errcode : null);

/** What a refused gettoken means, and where to look. */
const TOKEN_FIXES: Record<number, string> = {
  40001: `WECOM_SECRET 不是本应用的 Secret：${APP_PAGE} → Secret → 查看（发到管理员的企业微信），复制到 .env 的 WECOM_SECRET`,
  40013: 'WECOM_CORP_ID 不对：管理后台 → 我的企业 → 企业信息 → 企业ID，复制到 .env 的 WECOM_CORP_ID',
  60020: `本机的出口 IP 不在企业可信IP中：${APP_PAGE} → 企业可信IP → 配置，加入本机出口 IP`,
  41004: 'WECOM_SECRET 为空：在 .env 中设置',
};

async function checkAccessToken(deps: DoctorDeps, results: CheckResult[]): Promise<{ value: string | null; serverDate: Date | null }> {
  const name = 'access_token';
  const { wecom, localMode } = deps.config;
  if (localMode || !wecom.secret || !wecom.corpId) {
    results.push({
      name, ok: false, detail: '未设置 WECOM_SECRET：这是本地模式，消息只发给本机的企业微信替身',
      fix: `在 .env 中设置 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET、WECOM_TOKEN、WECOM_ENCODING_AES_KEY（${APP_PAGE}），见 README「企业微信管理后台」`,
    });
    return { value: null, serverDate: null };
  }
  const answer = await callWecom(deps, '/cgi-bin/gettoken', { corpid: wecom.corpId, corpsecret: wecom.secret });
  const code = errcodeOf(answer.data);
  const value = typeof answer.data?.access_token === 'string' && answer.data.access_token ? answer.data.access_token : null;
  if (code === 0 && value) {
    results.push({ name, ok: true, detail: `已取得（企业 ${wecom.corpId}，应用 ${wecom.agentId}）` });
    return { value, serverDate: answer.serverDate };
  }
  if (answer.error) {
    results.push({
      name, ok: false, detail: `连不上 ${wecom.apiBase}（${answer.error}）`,
      fix: '检查本机能否访问 qyapi.weixin.qq.com（DNS、防火墙、代理）；WECOM_API_BASE 一般不用设置',
    });
    return { value: null, serverDate: answer.serverDate };
  }
  results.push({
    name, ok: false, detail: `企业微信拒绝：errcode ${code}（${String(answer.data?.errmsg ?? '').split(',')[0]}）`,
    fix: (code !== null && TOKEN_FIXES[code]) || `查错误码：https://open.work.weixin.qq.com/devtool/query?e=${code}`,
  });
  return { value: null, serverDate: answer.serverDate };
}

/** The app reaches only the people in its visible range, and the address book it reads is limited to them. */
async function checkVisibleRange(deps: DoctorDeps, token: { value: string | null }): Promise<CheckResult> {
  const name = '应用可见范围与名册';
  if (!token.value) return { name, ok: false, detail: '未检查（没有 access_token）', fix: '先解决 access_token 一项' };
  if (!deps.store) return { name, ok: false, detail: '未检查（数据库打不开）', fix: '先解决数据库一项' };
  const roster = (await listMembers(deps.store)).filter((m) => m.active && !m.demo);
  if (roster.length === 0) {
    return { name, ok: false, detail: '名册中没有人员', fix: '导入名册：npm run -s cli -- members sync（从通讯录）或 members import roster.csv' };
  }
  const depts = await callWecom(deps, '/cgi-bin/department/simplelist', { access_token: token.value });
  const deptCode = errcodeOf(depts.data);
  if (deptCode !== 0) {
    return {
      name, ok: false, detail: `读不到可见范围内的部门（${depts.error ?? `errcode ${deptCode}`}）`,
      fix: `${APP_PAGE} → 可见范围：加入各部门；并在 管理后台 → 安全与管理 → 管理工具 → 通讯录同步 中允许本应用读取通讯录`,
    };
  }
  const ids = ((depts.data?.department_id ?? []) as Array<{ id: number }>).map((d) => d.id);
  const visible = new Set<string>();
  for (const id of ids) {
    const users = await callWecom(deps, '/cgi-bin/user/list', { access_token: token.value, department_id: String(id) });
    if (errcodeOf(users.data) !== 0) continue;
    for (const u of (users.data?.userlist ?? []) as Array<{ userid: string }>) visible.add(u.userid);
  }
  const missing = roster.filter((m) => !visible.has(m.userid)).map((m) => m.userid);
  if (missing.length) {
    const shown = missing.slice(0, 8).join('、') + (missing.length > 8 ? ` 等 ${missing.length} 人` : '');
    return {
      name, ok: false, detail: `名册 ${roster.length} 人中 ${missing.length} 人不在应用可见范围内：${shown}（收不到提醒）`,
      fix: `${APP_PAGE} → 可见范围：添加这些人或他们的部门；已离开的人用 npm run -s cli -- members sync 更新名册`,
    };
  }
  return { name, ok: true, detail: `名册 ${roster.length} 人都在可见范围内（可见 ${ids.length} 个部门、${visible.size} 人）` };
}

function checkRobotKey(config: Config): CheckResult {
  const name = '群机器人 key';
  const key = config.wecom.groupWebhookKey;
  const fix = '在党政办群：群设置 → 群机器人 → 添加 → 复制 Webhook 地址中 key= 后面的部分，设为 .env 的 WECOM_GROUP_WEBHOOK_KEY';
  if (!key) return { name, ok: false, detail: '未设置 WECOM_GROUP_WEBHOOK_KEY：周报不会发到群里', fix };
  if (/https?:|key=/.test(key)) return { name, ok: false, detail: '填的是整个 Webhook 地址', fix: '只填地址中 key= 后面的部分' };
  if (!ROBOT_KEY.test(key)) return { name, ok: false, detail: '格式不对（应为 8-4-4-4-12 位的十六进制）', fix };
  return { name, ok: true, detail: `格式正确（…${key.slice(-4)}；未发送消息）` };
}

function checkClock(deps: DoctorDeps, serverDate: Date | null): CheckResult {
  const name = '时钟';
  if (!serverDate || Number.isNaN(serverDate.getTime())) {
    return { name, ok: false, detail: '无法与企业微信服务器比较（没有连上）', fix: '先解决 access_token 一项' };
  }
  const skew = Math.round((deps.clock.now().getTime() - serverDate.getTime()) / 1000);
  if (Math.abs(skew) > MAX_CLOCK_SKEW_SECONDS) {
    return {
      name, ok: false, detail: `本机比企业微信${skew > 0 ? '快' : '慢'} ${Math.abs(skew)} 秒`,
      fix: `校准系统时间（如 sudo timedatectl set-ntp true）；相差超过 ${deps.config.wecom.maxSkewSeconds} 秒的回调会被拒收`,
    };
  }
  return { name, ok: true, detail: `与企业微信相差 ${Math.abs(skew)} 秒` };
}

async function checkDatabase(deps: DoctorDeps): Promise<CheckResult> {
  const name = '数据库';
  const where = deps.config.mongodbUri ? 'MongoDB（MONGODB_URI）' : `内置数据库（${deps.config.dataDir}）`;
  if (!deps.store) return { name, ok: false, detail: `${where} 打不开：${deps.storeError ?? ''}`, fix: deps.config.mongodbUri ? '检查 MONGODB_URI 与 MongoDB 是否在运行' : '运行 npm run -s cli -- db build，再看 npm start 的输出' };
  const probe = await deps.store.probe(2000);
  return probe.ok
    ? { name, ok: true, detail: `${where} 可读写` }
    : { name, ok: false, detail: `${where} 无响应（${probe.problem}）`, fix: '查看机器人日志；内置数据库会自动重启，MongoDB 请检查其服务' };
}

function checkBackup(deps: DoctorDeps): CheckResult {
  const name = '备份';
  const status = backupStatus(deps.config.backupDir, deps.clock.now());
  if (status.stale) {
    return {
      name, ok: false, detail: status.problem ?? '备份过旧',
      fix: `机器人运行时每天 03:00 后自动备份到 ${deps.config.backupDir}；现在手动备份：npm run -s cli -- backup --out ${deps.config.backupDir}/duban-manual.tar.gz`,
    };
  }
  return { name, ok: true, detail: `最新 ${status.latest!.file}（${status.latest!.ageHours} 小时前）` };
}

function checkWeb(config: Config): CheckResult {
  const name = 'WEB_BASE_URL 与会话密钥';
  const { baseUrl, sessionSecret } = config.web;
  const fix = `WEB_BASE_URL 设为应用可信域名上的 https 地址（${APP_PAGE} → 网页授权及JS-SDK → 可信域名）；WEB_SESSION_SECRET 设为 32 位以上随机字符（openssl rand -base64 48）`;
  if (!baseUrl || !sessionSecret) return { name, ok: false, detail: `未设置 ${!baseUrl ? 'WEB_BASE_URL' : 'WEB_SESSION_SECRET'}：网页（总览、任务、台账）不开放`, fix };
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') return { name, ok: false, detail: `${baseUrl} 不是 https：登录 Cookie 会明文传输`, fix };
  if (/^(localhost|127\.|\d+\.\d+\.\d+\.\d+$|\[)/.test(url.hostname)) return { name, ok: false, detail: `${url.hostname} 不是域名：企业微信只认已备案的可信域名`, fix };
  if (sessionSecret.length < 32 || /development|local|example|changeme/i.test(sessionSecret)) {
    return { name, ok: false, detail: 'WEB_SESSION_SECRET 太短或是示例值', fix };
  }
  return { name, ok: true, detail: `${baseUrl}，会话密钥 ${sessionSecret.length} 位` };
}

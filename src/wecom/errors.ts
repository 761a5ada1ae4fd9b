/**
 * WeCom API errors, judged by errcode alone: errmsg wording changes and carries per-request hints,
 * so nothing here ever looks at it except to pass it on.
 */

/** Where WeCom's own error lookup explains a code (the same link its errmsg carries). */
export function lookupUrlFor(code: number): string {
  return `https://open.work.weixin.qq.com/devtool/query?e=${code}`;
}

/**
 * Codes for failures that never produced a WeCom answer. Negative and far from WeCom's own range,
 * so an outbox lastError or a log line can still be read as "errcode N".
 */
export const LOCAL_ERRCODES = {
  network: -1001,
  timeout: -1002,
  http: -1003,
  badResponse: -1004,
  notConfigured: -1005,
} as const;

/** The access_token was refused: drop the cached one, fetch a new one and try again. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001, 41001]);

const MEANINGS: Record<number, string> = {
  [-1]: '系统繁忙 / WeCom busy, retry later',
  40001: 'secret 不正确 / invalid secret (check the app secret)',
  40008: '消息类型不合法 / invalid message type',
  40013: 'CorpID 不正确 / invalid corpid',
  40014: 'access_token 不合法 / invalid access_token (refetch it)',
  40031: '接收人列表不合法 / invalid touser/toparty/totag',
  40056: 'agentid 不合法 / invalid agentid',
  40058: '参数不合法或内容过长 / invalid parameter or content too long',
  41001: '缺少 access_token / access_token missing',
  42001: 'access_token 已过期 / access_token expired (refetch it)',
  45002: '消息内容过长 / message content too long (split it)',
  45009: '接口调用超过频率限制 / API rate limit reached, back off',
  45033: '接口并发调用超过限制 / too many concurrent calls, back off',
  47001: '数据格式错误 / malformed request body',
  48002: 'API 接口无权限调用 / API not permitted for this app',
  50002: '成员不在应用可见范围 / user outside the app’s visibility',
  60003: '部门不存在 / department not found',
  60011: '无权限操作该成员/部门/标签 / no permission for that user, department or tag',
  60020: '访问 IP 不在企业可信IP中 / server IP not in the app’s 企业可信IP (configuration)',
  81013: '接收人全部无效或无权限 / all recipients invalid or not visible to the app',
  93000: '机器人 webhook 地址无效 / invalid group robot webhook key',
  301002: '使用了其他应用的 access_token / access_token belongs to another app',
  [LOCAL_ERRCODES.network]: '网络错误 / network error before WeCom answered',
  [LOCAL_ERRCODES.timeout]: '请求超时 / request timed out',
  [LOCAL_ERRCODES.http]: 'HTTP 错误状态 / WeCom answered with an HTTP error status',
  [LOCAL_ERRCODES.badResponse]: '应答无法解析 / WeCom’s answer was not the expected JSON',
  [LOCAL_ERRCODES.notConfigured]: '未配置 / not configured (e.g. no group webhook key)',
};

/** A short meaning, Chinese and English, for logs and dead-letter reasons. */
export function describeErrcode(code: number): string {
  return MEANINGS[code] ?? '未知错误码 / unknown errcode, see the lookup link';
}

const RETRYABLE_ERRCODES: ReadonlySet<number> = new Set([
  -1,
  45009,
  45033,
  LOCAL_ERRCODES.network,
  LOCAL_ERRCODES.timeout,
  LOCAL_ERRCODES.badResponse,
]);

/**
 * Whether trying again later can succeed. Token errors count as retryable: the cure is a fresh token,
 * which the client fetches before retrying.
 */
export function isRetryable(code: number, httpStatus?: number): boolean {
  if (code === LOCAL_ERRCODES.http) return httpStatus === undefined || httpStatus >= 500 || httpStatus === 429;
  return RETRYABLE_ERRCODES.has(code) || TOKEN_ERRCODES.has(code);
}

export interface WecomApiErrorInit {
  errcode: number;
  errmsg: string;
  /** Which API, e.g. "/cgi-bin/message/send" — never the query, which holds the token or webhook key. */
  api?: string;
  httpStatus?: number;
  retryable?: boolean;
}

export class WecomApiError extends Error {
  readonly errcode: number;
  readonly errmsg: string;
  readonly httpStatus?: number;
  readonly retryable: boolean;
  readonly meaning: string;
  readonly lookupUrl: string;
  readonly api: string | undefined;

  constructor(init: WecomApiErrorInit) {
    const meaning = describeErrcode(init.errcode);
    super(`WeCom ${init.api ?? 'API'}: errcode ${init.errcode} ${meaning}${init.errmsg ? ` (${init.errmsg})` : ''}`);
    this.name = 'WecomApiError';
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    this.retryable = init.retryable ?? isRetryable(init.errcode, init.httpStatus);
    this.meaning = meaning;
    this.lookupUrl = lookupUrlFor(init.errcode);
    this.api = init.api;
  }

  /** The fields worth logging or storing as a dead-letter reason: no secrets, no message content. */
  toLogFields(): Record<string, unknown> {
    return {
      api: this.api,
      errcode: this.errcode,
      meaning: this.meaning,
      lookupUrl: this.lookupUrl,
      httpStatus: this.httpStatus,
      retryable: this.retryable,
    };
  }
}

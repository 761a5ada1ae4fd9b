// The audit log read aloud: every kind of change has one Chinese sentence, e.g. "党政办管理员 审核通过 7.5（经贸办）".
// Pages and chat show these sentences, never the stored action key, target key or a userid. Pure: names come from
// a lookup the caller passes.

/** Every kind of change the audit log records. */
export const AUDIT_ACTIONS = [
  'task.review.approve', 'task.review.return', 'task.reopen', 'task.chase',
  'task.extension.request', 'task.extension.approve', 'task.extension.refuse',
  'task.departments.transfer', 'task.departments.add', 'task.departments.remove', 'task.departments.plan-changed',
  'task.cadence',
  'plan.import', 'plan.reimport', 'plan.activate', 'plan.archive',
  'member.create', 'member.update', 'member.roles.add', 'member.roles.remove',
  'member.departments.bind', 'member.departments.unbind', 'member.departments.replace', 'member.charge',
  'unit.merge', 'unit.remove',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * What the entry is about, as stored: "task:7.5" (with the plan), "member:zhangsan", "plan:政务公开", "unit:经贸力".
 * The key is the store's; people see what `targetText` makes of it.
 */
export type AuditTargetKind = 'task' | 'member' | 'plan' | 'unit';

/** An entry as the sentence needs it (the stored document has these fields). */
export interface AuditFacts {
  actor: string;
  action: string; // stored entries may predate the union; an unknown one still reads as Chinese
  target: string;
  planId?: unknown;
  before?: unknown;
  after?: unknown;
  note?: string;
}

export interface AuditNames {
  /** A member's name by userid; undefined when nobody by that id is known. */
  member(userid: string): string | undefined;
  /** A plan's short name by id, to qualify task codes where several plans run; omit on a task's own page. */
  plan?(planId: string): string | undefined;
}

/** A deadline as the sentences show it: the date, or "未规定". */
const deadlineWords = (v: unknown): string => (v == null || v === '' ? '未规定' : String(v));

/** Review decisions, 重新打开 and 催办 concern one unit: their note is "部门：原因" (the store's one convention). */
export function unitNote(department: string, reason: string): string {
  return [department, reason.trim()].filter(Boolean).join('：');
}

export function readUnitNote(note: string | undefined): { department: string; reason: string } {
  const text = note ?? '';
  const at = text.indexOf('：');
  return at < 0 ? { department: text, reason: '' } : { department: text.slice(0, at), reason: text.slice(at + 1) };
}

/** Who did it: a member by name, "系统" for the service's own work, "命令行" for the CLI. */
export function actorName(actor: string, names: AuditNames): string {
  if (actor === 'cli') return '命令行';
  if (actor.startsWith('system:') || actor === 'scheduler') return '系统';
  return names.member(actor) || actor;
}

export function splitTarget(target: string): { kind: AuditTargetKind | null; key: string } {
  const at = target.indexOf(':');
  const kind = at < 0 ? null : target.slice(0, at);
  return kind === 'task' || kind === 'member' || kind === 'plan' || kind === 'unit'
    ? { kind, key: target.slice(at + 1) }
    : { kind: null, key: target };
}

/** The target as people call it: a task's code (with its plan where asked), a member's name, a plan's name. */
export function targetText(entry: Pick<AuditFacts, 'target' | 'planId'>, names: AuditNames): string {
  const { kind, key } = splitTarget(entry.target);
  if (kind === 'task') {
    const plan = entry.planId != null ? names.plan?.(String(entry.planId)) : undefined;
    return plan ? `${plan} ${key}` : key;
  }
  if (kind === 'member') return names.member(key) || key;
  if (kind === 'plan') return `方案“${key}”`;
  return key;
}

const ROLE_TEXT: Record<string, string> = { member: '联络员', leader: '领导', admin: '管理员' };
const CADENCE_TEXT: Record<string, string> = { weekly: '每周', monthly: '每月' };
const FIELD_TEXT: Record<string, string> = { departments: '部门', roles: '角色', active: '状态', name: '姓名', cadence: '频次' };

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v == null || v === '' ? [] : [String(v)]);
const joined = (xs: string[]): string => xs.join('、') || '（无）';
const roles = (v: unknown): string => joined(list(v).map((r) => ROLE_TEXT[r] ?? r));
const minus = (a: unknown, b: unknown): string[] => list(a).filter((x) => !list(b).includes(x));

/** One field of a member's before/after as Chinese. */
function fieldText(field: string, v: unknown): string {
  if (field === 'active') return v === false ? '停用' : '在职';
  if (field === 'roles') return roles(v);
  if (field === 'cadence') return CADENCE_TEXT[String(v)] ?? String(v);
  return joined(list(v));
}

/** What changed in a member's tracked fields: "部门 经贸办 → 统计站；状态 在职 → 停用". */
function memberChanges(before: unknown, after: unknown): string {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const field of Object.keys(FIELD_TEXT)) {
    if (!(field in a) && !(field in b)) continue;
    const from = fieldText(field, b[field]);
    const to = fieldText(field, a[field]);
    if (from !== to) parts.push(`${FIELD_TEXT[field]} ${from} → ${to}`);
  }
  return parts.join('；');
}

function memberFields(after: unknown): string {
  const a = (after ?? {}) as Record<string, unknown>;
  return [`部门：${fieldText('departments', a.departments)}`, `角色：${fieldText('roles', a.roles)}`].join('；');
}

/** The sentence for one entry. */
export function auditSentence(entry: AuditFacts, names: AuditNames): string {
  const who = actorName(entry.actor, names);
  const what = targetText(entry, names);
  const { before, after } = entry;
  const unit = readUnitNote(entry.note);
  const because = unit.reason ? `，原因：${unit.reason}` : '';
  const action = entry.action as AuditAction;
  switch (action) {
    case 'task.review.approve':
      return `${who} 审核通过 ${what}（${unit.department}）${unit.reason ? `，意见：${unit.reason}` : ''}`;
    case 'task.review.return':
      return `${who} 退回 ${what}（${unit.department}）${because}`;
    case 'task.reopen':
      return `${who} 重新打开 ${what}（${unit.department}）${because}`;
    case 'task.chase':
      return `${who} 催办 ${what}（${unit.department}）${unit.reason ? `：${unit.reason}` : ''}`;
    case 'task.extension.request':
      return `${who} 申请延期 ${what}（${unit.department}）：时限 ${deadlineWords(before)} 延至 ${deadlineWords(after)}${because}`;
    case 'task.extension.approve':
      return `${who} 同意延期 ${what}（${unit.department}）：原时限 ${deadlineWords(before)}，延期至 ${deadlineWords(after)}`;
    case 'task.extension.refuse':
      return `${who} 不同意延期 ${what}（${unit.department}）至 ${deadlineWords(after)}${because}`;
    case 'task.departments.transfer':
      return `${who} 把 ${what} 转办给 ${joined(list(after))}（原为 ${joined(list(before))}）`;
    case 'task.departments.add':
      return `${who} 为 ${what} 增派 ${joined(minus(after, before))}（现为 ${joined(list(after))}）`;
    case 'task.departments.remove':
      return `${who} 从 ${what} 撤下 ${joined(minus(before, after))}（现为 ${joined(list(after))}）`;
    case 'task.departments.plan-changed':
      return `${who} 按新导入的方案把 ${what} 的责任单位改为 ${joined(list(after))}（原为 ${joined(list(before))}）`;
    case 'task.cadence':
      return `${who} 把 ${what} 改为${fieldText('cadence', after)}汇报（原为${fieldText('cadence', before)}）`;
    case 'plan.import':
    case 'plan.reimport': {
      const n = (after ?? {}) as { created?: number; updated?: number; retired?: number };
      const title = entry.note ? `《${entry.note}》` : what;
      return `${who} ${action === 'plan.import' ? '导入' : '重新导入'}方案${title}：新增 ${n.created ?? 0} 项，更新 ${n.updated ?? 0} 项，停用 ${n.retired ?? 0} 项`;
    }
    case 'plan.activate':
      return `${who} 把方案${entry.note ? `《${entry.note}》` : what}恢复为进行中`;
    case 'plan.archive':
      return `${who} 归档方案${entry.note ? `《${entry.note}》` : what}`;
    case 'member.create':
      return `${who} 新增成员 ${what}（${memberFields(after)}）`;
    case 'member.update': {
      const changes = memberChanges(before, after);
      return `${who} 修改成员 ${what}${changes ? `：${changes}` : ''}`;
    }
    case 'member.roles.add':
      return `${who} 把 ${what} 设为${roles(minus(after, before))}`;
    case 'member.roles.remove':
      return `${who} 撤销 ${what} 的${roles(minus(before, after))}角色`;
    case 'member.departments.bind':
      return `${who} 为 ${what} 绑定 ${joined(minus(after, before))}（现为 ${joined(list(after))}）`;
    case 'member.departments.unbind':
      return `${who} 为 ${what} 解绑 ${joined(minus(before, after))}（现为 ${joined(list(after))}）`;
    case 'member.departments.replace':
      return `${who} 把 ${what} 的部门改为 ${joined(list(after))}（原为 ${joined(list(before))}）`;
    case 'member.charge':
      return list(after).length === 0
        ? `${who} 取消 ${what} 的分管（原为 ${joined(list(before))}）`
        : `${who} 设置 ${what} 分管 ${joined(list(after))}（原为 ${joined(list(before))}）`;
    case 'unit.merge':
      return `${who} 把单位 ${what} 并入 ${joined(list(after))}${entry.note ? `，原因：${entry.note}` : ''}`;
    case 'unit.remove':
      return `${who} 删除单位 ${what}${entry.note ? `，原因：${entry.note}` : ''}`;
    default:
      // An entry of a kind this version does not know (written by a newer one): say that something changed.
      return `${who} 修改了 ${what}`;
  }
}

// 延期: a liaison asks for a later deadline for their unit's part of a task; an admin, or the leader in charge of
// that unit (分管), approves or refuses it. The decision is one more transition of the lifecycle (`extend`); an
// approved one reaches every view through the read model's `extensions`, never by editing the task. One place
// for chat, the pages and (later) the template cards: `requestExtension` and `decideExtension`.
import { canDecideExtension, canReport, isAdmin, type User } from '../access.ts';
import { render } from '../bot/render.ts';
import { BotError } from '../bot/errors.ts';
import type { CardSender, Notifier } from '../bot/types.ts';
import type { Clock } from '../clock.ts';
import { actorName, unitNote } from '../domain/audit-sentence.ts';
import { parseNewDeadline } from '../domain/deadline.ts';
import { guard, type ExtensionEvent } from '../domain/lifecycle.ts';
import { formatLocal, shanghaiDate } from '../domain/period.ts';
import { memberNames, recordOnce, taskAuditTarget } from '../store/audit.ts';
import type { Store } from '../store/database.ts';
import {
  appendExtensionDecision, appendExtensionRequest, extensionRequestOfMessage, extensionsOfTask, pendingExtensions,
  type ExtensionDecisionDoc, type ExtensionRequestDoc, type ExtensionVerdict,
} from '../store/extensions.ts';
import { allCharges } from '../store/leader-charges.ts';
import { activeMembersWithRole } from '../store/members-repo.ts';
import type { CardItem } from '../store/cards.ts';
import type { PlanDoc, TaskDoc } from '../store/models.ts';
import { activePlans } from '../store/plans.ts';
import { liaisonsOf } from '../store/task-assignments.ts';
import { isResponsible } from '../store/task-queries.ts';
import { standingOf, unitsOfPlan } from '../standing/index.ts';

export const MAX_EXTENSION_REASON_CHARS = 200;

export interface ExtensionDeps {
  store: Store;
  clock: Clock;
  /** Who is told (approvers of a request, the unit of a decision); without one nobody is (a test, the CLI). */
  notifier?: Notifier;
  /** With cards on (WECOM_CARDS), each approver gets the request as a card with 同意 / 不同意; otherwise as text. */
  cardNotices?: CardSender;
}

/** "安全生产 1.2" where several plans run (or the plan is archived), else "1.2": as chat's codeLabel. */
export async function taskLabel(store: Store, plan: PlanDoc, task: Pick<TaskDoc, 'code'>): Promise<string> {
  const plans = await activePlans(store);
  return plans.length > 1 || plan.status !== 'active' ? `${plan.name}${task.code}` : task.code;
}

/** A unit's deadline as people read it: the task's own wording ("2021年年底前") when it is the task's, else the date. */
export function deadlineWords(task: Pick<TaskDoc, 'deadline' | 'deadlineText'>, deadline: string | null): string {
  if (deadline === null) return '未规定';
  return deadline === task.deadline && task.deadlineText ? task.deadlineText : deadline;
}

/** "原时限 2021年年底前，延期至 2026-12-31（党政办管理员，12月2日）": what 任务 and the task page show. */
export function extensionLine(task: Pick<TaskDoc, 'deadline' | 'deadlineText'>, e: ExtensionEvent, member: (userid: string) => string | undefined): string {
  const who = actorName(e.actor, { member });
  return `原时限 ${deadlineWords(task, task.deadline)}，延期至 ${e.deadline}（${who}，${formatLocal(e.at, 'M月D日')}）`;
}

export interface ExtensionRequestInput {
  user: User;
  plan: PlanDoc;
  task: TaskDoc;
  /** Named in the command, or null: the sender's one unit on the task. */
  department: string | null;
  /** The new deadline as typed. */
  deadline: string;
  reason: string;
  sourceMsgId: string | null;
  /** How the task is called in replies (see taskLabel). */
  label?: string;
}

/** 延期 <编号> [部门] <新时限> <原因>: validates, stores one pending request, tells the approvers. Nothing is written when refused. */
export async function requestExtension(deps: ExtensionDeps, input: ExtensionRequestInput): Promise<string> {
  const { store, clock } = deps;
  const { user, plan, task } = input;
  const label = input.label ?? (await taskLabel(store, plan, task));
  const reason = input.reason.trim();
  const department = await requestingUnit(store, user, plan, task, input.department, label, input.deadline, reason);
  if (!canReport(user, department)) {
    throw new BotError('not_your_unit', `只有${department}的联络员（或管理员）可以为${department}申请延期，未做修改。`);
  }
  // The same message again (its first run stopped after storing): answer as before, store nothing new.
  const earlier = await extensionRequestOfMessage(store, input.sourceMsgId, task._id, department);
  if (earlier) {
    await auditRequest(store, task, earlier);
    return requestConfirmation(label, task, earlier, await notifyApprovers(deps, plan, task, label, earlier, user));
  }

  const now = clock.now();
  const today = shanghaiDate(now);
  const deadline = parseNewDeadline(input.deadline, today);
  const example = `延期 ${label}${input.department ? ` ${department}` : ''} ${nextYearEnd(today)} 需与法院协调`;
  if (!deadline) throw new BotError('bad_date', `“${input.deadline}”不是日期，未做修改。请写 2026-12-31 或 12月31日，例如：\n${example}`);
  if (!reason) throw new BotError('reason_required', `请写明延期原因，未做修改。例如：\n${example}`);
  if ([...reason].length > MAX_EXTENSION_REASON_CHARS) {
    throw new BotError('reason_too_long', `原因太长（${[...reason].length} 字），请控制在 ${MAX_EXTENSION_REASON_CHARS} 字以内，未做修改。`);
  }
  if (deadline <= today) throw new BotError('date_past', `新时限 ${deadline} 不晚于今天（${today}），未做修改。`);
  const state = await standingOf(store, plan, task, department, now);
  if (state.deadline && deadline <= state.deadline) {
    throw new BotError('date_not_later', `新时限 ${deadline} 不晚于${department}现在的时限 ${deadlineWords(task, state.deadline)}，无需延期，未做修改。`);
  }
  const refused = guard(state, { kind: 'extend' });
  if (refused) throw new BotError('closed', `${department}的任务 ${label} 已销号，无需延期，未做修改。\n查看：任务 ${label}`);
  // One pending request per unit: a second is refused (not silently replaced), so an approver never approves a date
  // other than the one the notice showed. The liaison waits, or asks the approver to refuse the first.
  const pending = (await pendingExtensions(store, plan._id)).find((r) => String(r.taskId) === String(task._id) && r.department === department);
  if (pending) throw new BotError('already_pending', alreadyPending(label, department, pending));
  const stored = await appendExtensionRequest(store, {
    task, department, fromDeadline: state.deadline, deadline, reason, userid: user.userid, at: now, sourceMsgId: input.sourceMsgId,
  });
  if (stored === 'conflict') {
    const other = (await pendingExtensions(store, plan._id)).find((r) => String(r.taskId) === String(task._id) && r.department === department);
    throw new BotError('already_pending', other ? alreadyPending(label, department, other) : `${department}的任务 ${label} 刚有另一份延期申请，未做修改。\n查看：任务 ${label}`);
  }
  const request = stored.request;
  await auditRequest(store, task, request);
  return requestConfirmation(label, task, request, await notifyApprovers(deps, plan, task, label, request, user));
}

/** The request's audit entry, once (a redelivered message finishes what its first run started). */
async function auditRequest(store: Store, task: TaskDoc, r: ExtensionRequestDoc): Promise<void> {
  await recordOnce(store, {
    at: r.at, actor: r.userid, action: 'task.extension.request', ...taskAuditTarget(task),
    before: deadlineWords(task, r.fromDeadline), after: r.deadline, note: unitNote(r.department, r.reason),
  });
}

/** The unit a request is for: the one named, else the sender's only unit on the task. */
async function requestingUnit(store: Store, user: User, plan: PlanDoc, task: TaskDoc, named: string | null, label: string, date: string, reason: string): Promise<string> {
  const units = task.collective ? await unitsOfPlan(store, plan) : task.departments;
  if (named) {
    if (!isResponsible(task, named) || !units.includes(named)) {
      throw new BotError('not_responsible', `${named}不负责任务 ${label}（责任部门：${task.departments.join('、')}），未做修改。`);
    }
    return named;
  }
  const mine = units.filter((d) => user.departments.includes(d));
  if (mine.length === 1) return mine[0]!;
  if (mine.length === 0) {
    if (isAdmin(user)) throw new BotError('department_required', `请写明为哪个部门申请延期，例如：\n延期 ${label} ${task.departments[0] ?? '部门'} ${date} ${reason}`.trim());
    throw new BotError('not_responsible', `你的部门（${user.departments.join('、') || '未绑定'}）不负责任务 ${label}，不能申请延期，未做修改。`);
  }
  throw new BotError('department_required', [`你有 ${mine.length} 个部门负责任务 ${label}，请写明为哪个部门申请延期：`, ...mine.map((d) => `延期 ${label} ${d} ${date} ${reason}`.trim())].join('\n'));
}

function alreadyPending(label: string, department: string, r: ExtensionRequestDoc): string {
  return `${department}的任务 ${label} 已有一份待审批的延期申请（延至 ${r.deadline}，${formatLocal(r.at, 'M月D日')}提交），未做修改。\n请等待审批结果；要改日期，请审批人先：不同意延期 ${label} ${department} 原因`;
}

function nextYearEnd(today: string): string {
  return `${Number(today.slice(0, 4)) + (today.slice(5) > '11-30' ? 1 : 0)}-12-31`;
}

/** Who decides a unit's 延期: the admins and the leaders in charge of it (active members only), by userid. */
export async function approversOf(store: Store, department: string): Promise<string[]> {
  const [admins, leaders, charges] = await Promise.all([activeMembersWithRole(store, 'admin'), activeMembersWithRole(store, 'leader'), allCharges(store)]);
  const leaderIds = new Set(leaders.map((m) => m.userid));
  const inCharge = charges.filter((c) => leaderIds.has(c._id) && c.departments.includes(department)).map((c) => c._id);
  return [...new Set([...admins.map((m) => m.userid), ...inCharge])].sort();
}

async function notifyApprovers(deps: ExtensionDeps, plan: PlanDoc, task: TaskDoc, label: string, r: ExtensionRequestDoc, user: User): Promise<number> {
  const approvers = (await approversOf(deps.store, r.department)).filter((u) => u !== user.userid);
  const view = {
    code: label, title: task.title, department: r.department, from: deadlineWords(task, r.fromDeadline), to: r.deadline, reason: r.reason,
    who: user.name, when: formatLocal(r.at, 'M月D日 HH:mm'),
  };
  if (deps.cardNotices) {
    // One card per approver (a tap is answered for the card's own recipient), keyed by the request: a redelivered
    // 延期 message makes the same cards, which are kept and sent once.
    const item: CardItem = {
      planId: String(plan._id), code: task.code, label, title: task.title, department: r.department,
      // A 延期 card is judged by its request (still undecided?), not by the unit's stage: these only describe it.
      stage: 'extension_requested', sinceMs: r.at.getTime(), showDepartment: true,
      extension: { requestId: r._id, from: view.from, to: view.to, reason: view.reason, who: view.who, when: view.when },
    };
    for (const userid of approvers) {
      await deps.cardNotices.send(`extension-request:${r._id}:${userid}`, { kind: 'extension', source: 'extension-request', heading: '延期申请', userid, items: [item], link: null });
    }
    return approvers.length;
  }
  if (!deps.notifier || approvers.length === 0) return approvers.length;
  await deps.notifier.notifyUsers(`extension-request:${r._id}`, approvers, render('extension-request-notice', view));
  return approvers.length;
}

/** A task's 延期 requests as 任务 and the task page list them, oldest first: "12月2日 司法所 申请延至 2026-12-31（原因）：已同意（张三）". */
export async function extensionHistory(store: Store, taskId: TaskDoc['_id']): Promise<Array<{ when: string; department: string; text: string }>> {
  const rows = await extensionsOfTask(store, taskId);
  const names = await memberNames(store, rows.flatMap((r) => [r.request.userid, r.decision?.actor ?? '']).filter(Boolean));
  const name = (id: string) => actorName(id, { member: (u) => names.get(u) });
  return rows.map(({ request: r, decision: d }) => ({
    when: formatLocal(r.at, 'M月D日'), department: r.department,
    text: `${name(r.userid)}申请延至 ${r.deadline}（${r.reason}）：${
      !d ? '待审批' : d.verdict === 'approved' ? `${name(d.actor)} ${formatLocal(d.at, 'M月D日')}同意` : `${name(d.actor)} ${formatLocal(d.at, 'M月D日')}不同意：${d.reason}`}`,
  }));
}

function requestConfirmation(label: string, task: TaskDoc, r: ExtensionRequestDoc, approvers: number): string {
  return [
    `已提交延期申请：${label} ${r.department}，时限 ${deadlineWords(task, r.fromDeadline)} → ${r.deadline}（${r.reason}）。`,
    approvers ? `已通知 ${approvers} 位审批人（管理员、分管领导），审批结果会通知你。` : '没有可通知的审批人，请联系党政办。',
    `查看：任务 ${label}`,
  ].join('\n');
}

export interface ExtensionDecisionInput {
  user: User;
  plan: PlanDoc;
  task: TaskDoc;
  /** The unit, or null when the task has exactly one pending request. */
  department: string | null;
  verdict: ExtensionVerdict;
  /** Required for a refusal (the liaison is told why). */
  reason: string;
  label?: string;
}

/**
 * 同意延期 / 不同意延期, from chat, the pages or a card tap: decides the unit's pending request once, audits it and
 * tells the unit. Refused (nothing written) when there is no pending request, the user may not decide for that
 * unit, a refusal has no reason, or the part is already 已销号. Returns the reply for the person who decided.
 */
export async function decideExtension(deps: ExtensionDeps, input: ExtensionDecisionInput): Promise<string> {
  const { store, clock } = deps;
  const { user, plan, task, verdict } = input;
  const label = input.label ?? (await taskLabel(store, plan, task));
  const command = verdict === 'approved' ? '同意延期' : '不同意延期';
  const reason = input.reason.trim();
  const pendingOfTask = (await pendingExtensions(store, plan._id)).filter((r) => String(r.taskId) === String(task._id));
  let request: ExtensionRequestDoc | undefined;
  if (input.department) {
    if (!isResponsible(task, input.department)) {
      throw new BotError('not_responsible', `${input.department}不负责任务 ${label}（责任部门：${task.departments.join('、')}），未做修改。`);
    }
    request = pendingOfTask.find((r) => r.department === input.department);
    if (!request) throw new BotError('no_pending', `${input.department}的任务 ${label} 没有待审批的延期申请，未做修改。\n查看：任务 ${label}`);
  } else {
    const mine = pendingOfTask.filter((r) => canDecideExtension(user, r.department));
    if (pendingOfTask.length === 0) throw new BotError('no_pending', `任务 ${label} 没有待审批的延期申请，未做修改。\n查看：任务 ${label}`);
    if (pendingOfTask.length > 1) {
      const choices = (mine.length ? mine : pendingOfTask).map((r) => `${command} ${label} ${r.department}${verdict === 'refused' ? ` ${reason || '原因'}` : ''}`);
      throw new BotError('department_required', [`任务 ${label} 有 ${pendingOfTask.length} 份待审批的延期申请，请写明部门：`, ...choices].join('\n'));
    }
    request = pendingOfTask[0]!;
  }
  const department = request.department;
  if (!canDecideExtension(user, department)) {
    throw new BotError('not_in_charge', `只有管理员或分管${department}的领导可以审批${department}的延期申请，未做修改。`);
  }
  if (verdict === 'refused' && !reason) {
    throw new BotError('reason_required', `请写明不同意的原因（会告知申请人），例如：\n不同意延期 ${label} ${department} 请按原时限完成`);
  }
  if ([...reason].length > MAX_EXTENSION_REASON_CHARS) {
    throw new BotError('reason_too_long', `原因太长（${[...reason].length} 字），请控制在 ${MAX_EXTENSION_REASON_CHARS} 字以内，未做修改。`);
  }
  const now = clock.now();
  const state = await standingOf(store, plan, task, department, now);
  if (verdict === 'approved') {
    if (guard(state, { kind: 'extend' })) {
      throw new BotError('closed', `${department}的任务 ${label} 已销号，无需延期，未做修改。\n如不同意：不同意延期 ${label} ${department} 已销号`);
    }
    if (state.deadline && request.deadline <= state.deadline) {
      throw new BotError('date_not_later', `申请的时限 ${request.deadline} 不晚于${department}现在的时限 ${deadlineWords(task, state.deadline)}，未做修改。\n如不同意：不同意延期 ${label} ${department} 原因`);
    }
  }
  const { decision, created } = await appendExtensionDecision(store, request, { verdict, reason, actor: user.userid, at: now });
  if (!created && decision.actor !== user.userid) {
    const names = await memberNames(store, [decision.actor]);
    return `${department}的延期申请已由${actorName(decision.actor, { member: (id) => names.get(id) })}${decision.verdict === 'approved' ? '同意' : '不同意'}，未做修改。\n查看：任务 ${label}`;
  }
  // The same person's decision already stored (a redelivered message, or a second tap): the audit entry and the
  // notices below are written once each (recordOnce; the notices' keys), so running them again finishes, never repeats.
  await recordOnce(store, {
    at: decision.at, actor: decision.actor, action: decision.verdict === 'approved' ? 'task.extension.approve' : 'task.extension.refuse', ...taskAuditTarget(task),
    before: deadlineWords(task, request.fromDeadline), after: request.deadline, note: unitNote(department, decision.verdict === 'approved' ? request.reason : decision.reason),
  });
  const told = await notifyUnit(deps, task, label, request, decision, user, state.deadline);
  const from = deadlineWords(task, state.deadline);
  const lines = verdict === 'approved'
    ? [`已同意延期：${label} ${department}，时限 ${from} → ${request.deadline}。`]
    : [`已不同意延期：${label} ${department}（${reason}），时限仍为 ${from}。`];
  lines.push(told ? `已通知${department} ${told} 人。` : `${department}没有绑定联络员，未能通知。`);
  lines.push(`查看：任务 ${label}`);
  return lines.join('\n');
}

/** The requester and the unit's liaisons learn the decision (not the one who made it). */
async function notifyUnit(deps: ExtensionDeps, task: TaskDoc, label: string, r: ExtensionRequestDoc, d: ExtensionDecisionDoc, user: User, current: string | null): Promise<number> {
  const userids = [...new Set([r.userid, ...(await liaisonsOf(deps.store, [r.department]))])].filter((u) => u !== user.userid).sort();
  if (deps.notifier && userids.length) {
    const text = render('extension-decided-notice', {
      code: label, title: task.title, department: r.department, approved: d.verdict === 'approved', to: r.deadline,
      from: deadlineWords(task, current), reason: d.reason, actor: user.name,
    });
    await deps.notifier.notifyUsers(`extension-decided:${r._id}`, userids, text);
  }
  return userids.length;
}

/** 待批延期: the pending requests this user may decide (all of them for admins, their 分管 units for leaders), oldest first. */
export async function pendingExtensionsText(store: Store, user: User): Promise<string> {
  const mine = (await pendingExtensions(store)).filter((r) => canDecideExtension(user, r.department));
  if (mine.length === 0) return isAdmin(user) ? '没有待审批的延期申请。' : '你分管的部门没有待审批的延期申请。';
  const plans = await activePlans(store);
  const byId = new Map(plans.map((p) => [String(p._id), p]));
  const names = await memberNames(store, mine.map((r) => r.userid));
  const lines = [`待审批的延期申请 ${mine.length} 项：`];
  for (const r of mine) {
    const plan = byId.get(String(r.planId));
    const code = plan && plans.length > 1 ? `${plan.name}${r.taskCode}` : r.taskCode;
    lines.push(`· ${code} ${r.department} 延至 ${r.deadline}（${r.reason}；${names.get(r.userid) ?? r.userid}，${formatLocal(r.at, 'M月D日')}）`);
  }
  const first = mine[0]!;
  const code = plans.length > 1 ? `${byId.get(String(first.planId))?.name ?? ''}${first.taskCode}` : first.taskCode;
  lines.push(`同意：同意延期 ${code} ${first.department}`, `不同意：不同意延期 ${code} ${first.department} 原因`);
  return lines.join('\n');
}

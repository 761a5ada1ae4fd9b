// One 销号 decision (审核通过, 退回, 重新打开), whoever asks and however: the chat commands (handlers/review.ts) and
// the web desk (src/web/review-desk.ts) both call `decideReview`, so the access rule, the lifecycle's guard, the
// append-only decision, its audit entry and the liaisons' notice are one code path.
import { canReview, type User } from '../access.ts';
import type { Notifier } from '../bot/types.ts';
import type { Clock } from '../clock.ts';
import { actorName, unitNote } from '../domain/audit-sentence.ts';
import { guard, STAGE_LABEL, TRANSITIONS, type Stage } from '../domain/lifecycle.ts';
import { heldLines } from '../domain/held-notices.ts';
import { standingOf, stageOnly, type Standing } from '../standing/index.ts';
import { memberNames, recordOnce, taskAuditTarget } from '../store/audit.ts';
import { claimNoticeSlot } from '../store/chases.ts';
import type { Store } from '../store/database.ts';
import type { ReviewDoc } from '../store/loop-models.ts';
import type { PlanDoc, TaskDoc } from '../store/models.ts';
import { appendDecision, decisionOfMessage } from '../store/reviews.ts';
import { liaisonsOf } from '../store/task-assignments.ts';
import { isResponsible } from '../store/task-queries.ts';

export const MAX_REASON_CHARS = 200;

/** "安全生产1.2" when several plans are active (so the code is unambiguous) or the plan is archived, else "1.2". */
export function codeLabel(plan: PlanDoc, task: Pick<TaskDoc, 'code'>, plans: readonly PlanDoc[]): string {
  return plans.length > 1 || plan.status !== 'active' ? `${plan.name}${task.code}` : task.code;
}

export type Decision = ReviewDoc['decision'];
const TRANSITION_OF = { approved: 'approve', returned: 'return', reopened: 'reopen' } as const;

export interface ReviewDeps {
  store: Store;
  clock: Clock;
  notifier: Notifier;
  /** Renders a chat template (the liaisons' 退回 notice). */
  render(template: string, view: object): string;
}

export interface ReviewRequest {
  actor: User;
  plan: PlanDoc;
  task: TaskDoc;
  /** The task's code as replies name it ("7.1", or "安全生产1.2" when several plans run). */
  label: string;
  department: string;
  decision: Decision;
  reason: string;
  /**
   * What asked for it, once: a chat message's id, or a web form's one-time token. The same key again finishes what
   * the first run started and decides nothing new (a redelivery, a crash, a second click).
   */
  sourceKey: string | null;
}

export type ReviewOutcome =
  /** `again`: this key had already decided; nothing new was stored. */
  | { ok: true; again: boolean; text: string; decision: ReviewDoc }
  | { ok: false; code: 'forbidden' | 'not_responsible' | 'reason_required' | 'reason_too_long' | 'not_pending' | 'already_closed'; text: string };

export async function decideReview(deps: ReviewDeps, req: ReviewRequest): Promise<ReviewOutcome> {
  const { store, clock } = deps;
  const { task, label, department, decision } = req;
  const reason = req.reason.trim();
  const command = TRANSITIONS[TRANSITION_OF[decision]].label;
  if (!canReview(req.actor)) return { ok: false, code: 'forbidden', text: `${command}仅限管理员，未做修改。` };
  if (!isResponsible(task, department)) {
    return { ok: false, code: 'not_responsible', text: `${department}不负责任务 ${label}（责任部门：${task.departments.join('、')}），未做修改。` };
  }
  if (decision !== 'approved' && !reason) {
    return { ok: false, code: 'reason_required', text: `请写明${command}原因，例如：\n${command} ${label} ${department} ${decision === 'returned' ? '缺少佐证材料' : '需补充新的佐证'}` };
  }
  if ([...reason].length > MAX_REASON_CHARS) {
    return { ok: false, code: 'reason_too_long', text: `原因太长（${[...reason].length} 字），请控制在 ${MAX_REASON_CHARS} 字以内，未做修改。` };
  }
  // The same request again (its first run crashed after the decision, or a second click): finish what it started.
  const earlier = await decisionOfMessage(store, req.sourceKey, task._id, department);
  if (earlier) {
    const text = await announce(deps, req, earlier, earlier.decision === 'approved' ? STAGE_LABEL.pending_review : null);
    return { ok: true, again: true, text, decision: earlier };
  }
  const state = await standingOf(store, req.plan, task, department, clock.now());
  if (decision === 'approved' && state.stage === 'closed') return { ok: false, code: 'already_closed', text: `${department}的任务 ${label} 已销号，未做修改。\n查看：任务 ${label}` };
  const refused = guard(state, { kind: TRANSITION_OF[decision] });
  if (refused) return { ok: false, code: 'not_pending', text: refusal(label, department, state, command) };
  const { decision: stored, created } = await appendDecision(store, {
    task, department, decision, reason, actor: req.actor.userid, at: clock.now(), sourceMsgId: req.sourceKey,
  });
  const text = await announce(deps, req, stored, STAGE_LABEL[state.stage]);
  return { ok: true, again: !created, text, decision: stored };
}

/**
 * What follows a decision: its audit entry and, for a 退回, the liaisons' notice. Safe to run again for the same
 * decision: the audit entry is written once (looked up by the decision's moment) and the notices carry its key.
 */
async function announce(deps: ReviewDeps, req: ReviewRequest, stored: ReviewDoc, before: string | null): Promise<string> {
  const { store, clock } = deps;
  const { task, label, department } = req;
  const { decision, reason } = stored;
  const action = decision === 'approved' ? 'task.review.approve' : decision === 'returned' ? 'task.review.return' : 'task.reopen';
  await recordOnce(store, {
    at: stored.at, actor: stored.actor, action, ...taskAuditTarget(task),
    before: before ?? STAGE_LABEL.pending_review, after: decision === 'approved' ? STAGE_LABEL.closed : STAGE_LABEL.returned,
    note: unitNote(department, reason),
  });
  if (decision === 'approved') return confirmation(label, department, decision, reason, [], null);

  const now = clock.now();
  const userids = (await liaisonsOf(store, [department])).filter((u) => u !== stored.actor).sort();
  const known = await memberNames(store, [stored.actor]);
  const actor = req.actor.userid === stored.actor ? req.actor.member?.name || stored.actor : actorName(stored.actor, { member: (id) => known.get(id) });
  const text = deps.render('return-notice', { code: label, title: task.title, department, reason, actor, reopened: decision === 'reopened' });
  const names = await memberNames(store, userids);
  const held: Array<{ name: string; at: Date }> = [];
  const sentNow: string[] = [];
  for (const userid of userids) {
    const slot = await claimNoticeSlot(store, 'review-return', userid, now);
    if (slot.today) sentNow.push(names.get(userid) ?? userid);
    else held.push({ name: names.get(userid) ?? userid, at: slot.at });
    await deps.notifier.notifyUsers(`review-return:${stored._id}:${userid}`, [userid], text, slot.today ? undefined : { notBefore: slot.at });
  }
  return confirmation(label, department, decision, reason, sentNow, held);
}

function refusal(label: string, department: string, state: Standing, command: string): string {
  const now = state.stage === 'not_started' || state.stage === 'in_progress' || state.stage === 'blocked'
    ? (state.latest ? `尚未完成（最新：${stageOnly(state)}）` : '尚未汇报')
    : stageOnly(state);
  const next = nextStep(label, department, state.stage);
  return `${department}的任务 ${label} 当前${now}，不能${command}，未做修改。\n${next}`;
}

function nextStep(label: string, department: string, stage: Stage): string {
  if (stage === 'closed') return `要重新打开请用：重新打开 ${label} ${department} 原因`;
  if (stage === 'pending_review') return `审核请用：审核通过 ${label} ${department}，或：退回 ${label} ${department} 原因`;
  return `查看：任务 ${label}`;
}

function confirmation(label: string, department: string, decision: Decision, reason: string, sentNow: string[], held: Array<{ name: string; at: Date }> | null): string {
  if (decision === 'approved') return `已销号：${label} ${department}。\n查看：任务 ${label}`;
  const lines = [decision === 'returned' ? `已退回：${label} ${department}（${reason}），需重新汇报。` : `已重新打开：${label} ${department}（${reason}），需重新汇报。`];
  if (held !== null) {
    if (sentNow.length) lines.push(`已通知：${sentNow.join('、')}。`);
    lines.push(...heldLines(held, decision === 'returned' ? '退回' : '重新打开'));
    if (!sentNow.length && !held.length) lines.push(`${department}没有绑定联络员，未能通知；请先：绑定 账号 ${department}`);
  }
  lines.push(`查看：任务 ${label}`);
  return lines.join('\n');
}

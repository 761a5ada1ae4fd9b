// The 销号 desk, for admins: what waits for review (each unit's latest report and its 佐证 thumbnails), with
// 审核通过 and 退回 (a reason required). The forms call the same action as the chat commands (src/review/decide.ts):
// the same access rule, the lifecycle's guard, the same audit entry and the same notice to the unit's liaisons.
// Each form carries the session's CSRF token (as the 方案 page's forms) and a one-time token that becomes the
// decision's key, so a second identical submit decides nothing and says so.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { canReview } from '../access.ts';
import { render as renderChat } from '../bot/render.ts';
import type { Notifier } from '../bot/types.ts';
import type { Clock } from '../clock.ts';
import { formatLocal } from '../domain/period.ts';
import { describeProgress } from '../domain/progress.ts';
import { codeLabel, decideReview, MAX_REASON_CHARS, type Decision } from '../review/decide.ts';
import type { PlanStanding } from '../standing/index.ts';
import { memberNames } from '../store/audit.ts';
import type { Store } from '../store/database.ts';
import { activePlans } from '../store/plans.ts';
import type { WebAuth } from './auth.ts';
import { evidenceByUnit, newUploadToken } from './evidence.ts';
import { readUpload } from './multipart.ts';
import { planId, planLabel } from './view-models.ts';

export interface ReviewDeskDeps {
  store: Store;
  clock: Clock;
  auth: WebAuth;
  notifier: Notifier;
  plans(): Promise<PlanStanding[]>;
  page(ctx: Context, template: string, view: object, status?: number): void;
}

/** More than this waiting is a backlog: the desk shows the oldest first and says how many more. */
const DESK_LIMIT = 50;

export function addReviewDeskRoutes(router: Router, deps: ReviewDeskDeps): void {
  const { store, clock, auth } = deps;

  const requireReviewer = (ctx: Context) => {
    ctx.assert(canReview(ctx.state.viewer), 403, '销号审核仅限管理员。');
  };

  const deskPage = async (ctx: Context, notice: { ok: boolean; text: string } | null = null, status = 200) => {
    const states = await deps.plans();
    const several = states.length > 1;
    const waiting = states.flatMap((s) => s.records.filter((c) => c.stage === 'pending_review' && c.latest).map((c) => ({ s, c })))
      .sort((a, b) => a.c.latest!.at.getTime() - b.c.latest!.at.getTime());
    const shown = waiting.slice(0, DESK_LIMIT);
    const names = await memberNames(store, shown.map(({ c }) => c.latest!.userid));
    const items = [];
    for (const { s, c } of shown) {
      const task = s.tasksById.get(c.task.id)!;
      const [evidence] = await evidenceByUnit(store, task, [c.department], (ids) => memberNames(store, ids));
      items.push({
        planId: planId(s.plan), plan: several ? planLabel(s.plan) : null, code: c.task.code, title: c.task.title, department: c.department,
        label: codeLabel(s.plan, task, states.map((x) => x.plan)),
        when: formatLocal(c.latest!.at, 'M月D日 HH:mm'), who: names.get(c.latest!.userid) ?? c.latest!.userid,
        progress: describeProgress(c.latest!), note: c.latest!.note, overdueDays: c.overdueDays,
        evidence: (evidence?.items ?? []).slice(0, 8), evidenceCount: evidence?.count ?? 0,
        token: newUploadToken(),
      });
    }
    const counts = states.reduce((n, s) => ({ pending: n.pending + s.digest.review.pending, closed: n.closed + s.digest.review.closed, returned: n.returned + s.digest.review.returned }), { pending: 0, closed: 0, returned: 0 });
    deps.page(ctx, 'review', {
      title: '销号审核', items, more: Math.max(0, waiting.length - shown.length), counts, notice, csrf: auth.formToken(ctx), maxReason: MAX_REASON_CHARS,
    }, status);
  };

  router.get('/review', async (ctx: Context) => {
    requireReviewer(ctx);
    await deskPage(ctx);
  });

  router.post('/review', async (ctx: Context) => {
    requireReviewer(ctx);
    const form = await readUpload(ctx, 0);
    ctx.assert(auth.checkFormToken(ctx, form.fields.csrf ?? ''), 403, '页面已过期，请刷新后重试。');
    const f = (k: string) => (form.fields[k] ?? '').trim();
    const decision: Decision | null = f('action') === 'approve' ? 'approved' : f('action') === 'return' ? 'returned' : null;
    if (!decision) return ctx.throw(400, '请用页面上的按钮操作。');
    ctx.assert(/^[0-9a-f]{32}$/.test(f('token')), 400, '页面已过期，请刷新后重试。');
    const plans = await activePlans(store);
    const state = (await deps.plans()).find((s) => planId(s.plan) === f('plan'));
    const task = state?.tasks.find((t) => t.code === f('code'));
    if (!state || !task) return ctx.throw(404, '没有这项任务，可能已被方案删除。');
    const outcome = await decideReview({ store, clock, notifier: deps.notifier, render: renderChat }, {
      actor: ctx.state.viewer, plan: state.plan, task, label: codeLabel(state.plan, task, plans), department: f('department'),
      decision, reason: f('reason'), sourceKey: `web:${f('token')}`,
    });
    if (!outcome.ok) {
      await deskPage(ctx, { ok: false, text: outcome.text }, outcome.code === 'forbidden' ? 403 : outcome.code === 'not_pending' || outcome.code === 'already_closed' ? 409 : 422);
      return;
    }
    const text = outcome.again ? `这项审核已经提交过，没有重复操作。\n${outcome.text}` : outcome.text;
    await deskPage(ctx, { ok: true, text });
  });
}

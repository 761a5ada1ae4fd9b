// The /web pages: 总览, departments, tasks, 汇报记录, 周报, 操作记录 and the 督办台账 download.
// Every route below the login check knows its viewer and shows only what the viewer may see.
import Router, { type RouterContext } from '@koa/router';
import Koa, { type Context, type Next } from 'koa';
import { canAdministerPlans, canDecideExtension, canReadAudit, canReview, canSeeDepartment, canSeeDigests, canSeeScores, evidenceUnits, loadUser, roleLabel, visibleDepartments, type User } from '../access.ts';
import type { Clock } from '../clock.ts';
import { formatLocal, weekLabel } from '../domain/period.ts';
import { describeProgress } from '../domain/progress.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/database.ts';
import { getDigest, latestDigestOfWeek, listDigests } from '../store/digest-archive.ts';
import { auditEntries, historyNames, memberIdsNamed, memberNames } from '../store/audit.ts';
import { planReports, type LoggedReport } from '../store/report-log.ts';
import { allPlans } from '../store/plans.ts';
import { activeMembersOf } from '../store/members-repo.ts';
import { activePlans } from '../store/task-queries.ts';
import { asset, assetUrl } from './assets.ts';
import { CALLBACK_PATH, type WebAuth } from './auth.ts';
import { ACCEPTED_TYPES, evidenceByUnit, newUploadToken, receiveUpload, sendEvidence } from './evidence.ts';
import { readUpload } from './multipart.ts';
import { writeLedger } from '../ledger/ledger.ts';
import { historyLines, taskHistoryLines } from './history.ts';
import { addPlanAdminRoutes } from './plan-admin.ts';
import { addReviewDeskRoutes } from './review-desk.ts';
import { PlanStandings as PlanStates, stageText, type PlanStanding as PlanState } from '../standing/index.ts';
import { renderPage } from './render.ts';
import type { Notifier } from '../bot/types.ts';
import { BotError } from '../bot/errors.ts';
import { decideExtension, deadlineWords, extensionHistory, extensionLine } from '../extensions/extensions.ts';
import { pendingExtensions } from '../store/extensions.ts';
import { addScoreRoutes, scoresForLedger } from './scores.ts';
import type { ScoreRules } from '../domain/score-rules.ts';
import {
  departmentSummary, filterQuery, LIGHT_ORDER, LIGHT_TEXT, overviewSection, planId, planLabel, readTaskFilters,
  presentRows, TASK_STATUS_TEXT, taskCells, taskRows,
} from './view-models.ts';

export interface WebDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  auth: WebAuth;
  /** The 考核细则, checked at start: the 考核 page, the 通报 download and the 台账's 考核得分 sheet. */
  scoreRules: ScoreRules;
  /** For links in pages that leave the site (none yet) and for the chat's links: the trusted-domain address. */
  baseUrl(): string;
  /** Tells people of decisions made on the pages (延期); none in tests that do not look. */
  notifier?: Notifier;
}

const PAGE_SIZE = 50;
const LIST_LIMIT = 200;

type WebState = { viewer: User };
type WebContext = RouterContext<WebState>;

export function createWebRouter(deps: WebDeps): Router {
  const { store, clock, auth } = deps;
  const states = new PlanStates(store, clock);
  // No read of every report at start any more: the 台账 comes from the read model, and only 汇报记录 (the page, a
  // task's history, the 台账's optional sheet) reads them, on first use (see report-log.ts). On a county's data the
  // start-up read competed with the first pages and the first 台账 for the CPU, and held its memory from the start.
  const router = new Router<WebState>({ prefix: '/web' });

  const page = (ctx: Context, template: string, view: object, status = 200) => {
    const viewer = (ctx.state as WebState).viewer as User | undefined;
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderPage(template, {
      ...view,
      viewer: viewer ? {
        name: viewer.name, role: roleLabel(viewer), bound: viewer.bound,
        digests: canSeeDigests(viewer), scores: canSeeScores(viewer), audit: canReadAudit(viewer), plans: canAdministerPlans(viewer), review: canReview(viewer),
      } : null,
      path: ctx.path, assetUrl, asOf: formatLocal(clock.now(), 'YYYY年M月D日 HH:mm'),
    });
  };

  // Errors meant for the visitor (ctx.throw / ctx.assert below 500) become a page; anything else goes on to the
  // app's one error handler.
  router.use(async (ctx, next) => {
    securityHeaders(ctx);
    try {
      await next();
    } catch (err) {
      if (!(err instanceof Koa.HttpError) || !err.expose) throw err;
      deps.logger.warn({ path: ctx.path, status: err.status }, 'web request refused');
      page(ctx, 'error', { title: err.status === 403 ? '无权查看' : err.status === 404 ? '未找到' : err.status === 408 ? '上传超时' : '请求有误', message: err.message }, err.status);
    }
  });

  router.get('/assets/:name', (ctx) => {
    const a = asset(ctx.params.name!);
    if (!a) return ctx.throw(404, '没有这个文件。');
    ctx.type = a.type;
    ctx.set('Cache-Control', ctx.query.v === a.hash ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.set('ETag', `"${a.hash}"`);
    if (ctx.get('If-None-Match') === `"${a.hash}"`) {
      ctx.status = 304;
      return;
    }
    ctx.body = a.body;
  });

  router.get('/auth/callback', async (ctx: WebContext) => {
    const result = await auth.finishLogin(ctx);
    if (!result.ok) {
      page(ctx, 'error', { title: '登录未成功', message: result.reason, retry: true }, 403);
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(result.next);
  });

  const logout = async (ctx: Context) => {
    await auth.logout(ctx);
    page(ctx, 'error', { title: '已退出', message: '您已退出督办助手。', retry: true });
  };
  router.get('/logout', logout);
  router.post('/logout', logout);

  // Below here: a session, and a member the pages can place.
  router.use(async (ctx: WebContext, next: Next) => {
    if (ctx.path === CALLBACK_PATH || ctx.path.startsWith('/web/assets/')) return next();
    const userid = await auth.sessionUser(ctx);
    if (!userid) {
      ctx.assert(ctx.method === 'GET' || ctx.method === 'HEAD', 401, '请先登录。');
      auth.redirectToLogin(ctx, ctx.originalUrl);
      return;
    }
    const viewer = await loadUser(store, userid);
    ctx.state.viewer = viewer;
    if (!viewer.bound) {
      page(ctx, 'unbound', { userid }, 403);
      return;
    }
    return next();
  });

  const plansFor = async (): Promise<PlanState[]> => Promise.all((await activePlans(store)).map((p) => states.get(p)));
  /** A plan named by id, archived ones too: their task pages, 佐证 and 台账 stay readable after 归档. */
  const planById = async (id: string | undefined): Promise<PlanState | undefined> => {
    const plan = (await allPlans(store)).find((p) => planId(p) === id);
    return plan ? states.get(plan) : undefined;
  };

  router.get('/', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    const all = await plansFor();
    const f = readTaskFilters(ctx.query);
    const shown = f.plan ? all.filter((s) => planId(s.plan) === f.plan) : all;
    page(ctx, 'overview', {
      title: '总览', sections: shown.map((s) => overviewSection(s, viewer)),
      plans: all.map((s) => ({ id: planId(s.plan), label: planLabel(s.plan) })), planFilter: f.plan,
    });
  });

  router.get('/tasks', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    const all = await plansFor();
    const f = readTaskFilters(ctx.query);
    const rows = taskRows(all, viewer, f, clock.now());
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    const pageNo = Math.min(f.page, pages);
    const departments = (visibleDepartments(viewer) ?? all[0]?.departments ?? []).slice().sort((a, b) => a.localeCompare(b, 'zh-CN'));
    page(ctx, 'tasks', {
      title: '任务', rows: presentRows(rows.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE)), total: rows.length, pageNo, pages,
      f, plans: all.map((s) => ({ id: planId(s.plan), label: planLabel(s.plan) })), departments,
      lights: LIGHT_ORDER.map((l) => ({ value: l, text: LIGHT_TEXT[l] })),
      statuses: Object.entries(TASK_STATUS_TEXT).map(([value, text]) => ({ value, text })),
      query: (extra: Record<string, unknown>) => filterQuery(f, extra), ledgerQuery: filterQuery({ ...f, page: 1 }),
    });
  });

  /** The task a /tasks/:plan/:code URL names, with its cells, if this viewer may see it (same rule for its 佐证). */
  const visibleTask = async (ctx: Context, plan: string | undefined, code: string | undefined) => {
    const viewer = (ctx.state as WebState).viewer;
    const state = await planById(plan);
    const task = state?.tasks.find((t) => t.code === code);
    if (!state || !task) return ctx.throw(404, '没有这项任务，可能已被方案删除。');
    const cells = taskCells(state).get(String(task._id)) ?? [];
    ctx.assert(cells.some((c) => canSeeDepartment(viewer, c.department)), 403, '这项任务不属于您的部门。');
    return { state, task, cells };
  };

  router.get('/tasks/:plan/:code', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    const { state, task, cells } = await visibleTask(ctx, ctx.params.plan, ctx.params.code);
    const taskId = String(task._id);
    const reports = (await planReports(store, state.plan._id)).filter((r) => String(r.taskId) === taskId).reverse().slice(0, LIST_LIMIT);
    const names = await memberNames(store, reports.map((r) => r.userid));
    const history = await taskHistoryLines(store, task);
    const extensionNames = await memberNames(store, cells.flatMap((c) => (c.extension ? [c.extension.actor] : [])));
    const pending = (await pendingExtensions(store, state.plan._id)).filter((r) => String(r.taskId) === taskId);
    const requesters = await memberNames(store, pending.map((r) => r.userid));
    const units = cells.filter((c) => !task.collective || c.latest || c.extension || pending.some((r) => r.department === c.department)).map((c) => ({
      name: c.department, light: c.light, lead: task.lead.includes(c.department),
      state: stageText(c), stage: c.stage, reason: c.reason, chases: c.chases, lastChase: c.lastChase ? `${formatLocal(c.lastChase.at, 'M月D日')} ${c.lastChase.note || '催办'}` : null,
      lastAt: c.latest ? formatLocal(c.latest.at, 'M月D日 HH:mm') : null, note: c.latest?.note ?? '', owes: c.owes,
      link: canSeeDepartment(viewer, c.department), history: history.filter((h) => h.department === c.department),
      extension: c.extension ? extensionLine(task, c.extension, (id) => extensionNames.get(id)) : null,
    }));
    // 延期 requests waiting: everyone who may see the unit sees it; those who may decide get the form.
    const extensionRequests = pending.filter((r) => canSeeDepartment(viewer, r.department)).map((r) => ({
      department: r.department, from: deadlineWords(task, r.fromDeadline), to: r.deadline, reason: r.reason,
      who: requesters.get(r.userid) ?? r.userid, when: formatLocal(r.at, 'M月D日 HH:mm'), mayDecide: !archivedPlan(state.plan) && canDecideExtension(viewer, r.department),
    }));
    const departments = cells.map((c) => c.department);
    const evidence = await evidenceByUnit(store, task, departments, (ids) => memberNames(store, ids));
    const counts = new Map(evidence.map((e) => [e.department, e.count]));
    const archived = state.plan.status !== 'active';
    const mayUpload = archived ? [] : evidenceUnits(viewer, departments);
    page(ctx, 'task', {
      title: `任务 ${task.code}`, planLabel: `${planLabel(state.plan)}${archived ? '（已归档）' : ''}`, planId: planId(state.plan), task: {
        code: task.code, title: task.title, text: task.text, section: task.sectionTitle, chapter: task.chapterTitle,
        deadline: task.deadlineText ?? task.deadline, collective: task.collective, cadence: task.cadence === 'monthly' ? '每月' : '每周',
      },
      light: worst(cells.map((c) => c.light)),
      units: units.map((u) => ({ ...u, evidence: counts.get(u.name) ?? 0 })), silent: task.collective ? cells.length - units.length : 0,
      evidence, uploaded: ctx.query.uploaded === '1' ? 'stored' : ctx.query.uploaded === '2' ? 'again' : null,
      upload: mayUpload.length === 0 ? null : {
        action: `/web/tasks/${encodeURIComponent(planId(state.plan))}/${encodeURIComponent(task.code)}/evidence`,
        units: mayUpload, csrf: auth.formToken(ctx), token: newUploadToken(), accept: ACCEPTED_TYPES,
      },
      reports: reports.map((r) => ({
        when: formatLocal(r.at, 'YYYY-MM-DD HH:mm'), department: r.department, who: names.get(r.userid) ?? r.userid,
        progress: describeProgress(r), note: r.note,
      })),
      history,
      extensionRequests, extensions: (await extensionHistory(store, task._id)).filter((e) => canSeeDepartment(viewer, e.department)),
      extensionAction: `/web/tasks/${encodeURIComponent(planId(state.plan))}/${encodeURIComponent(task.code)}/extension`,
      csrf: auth.formToken(ctx), decided: decidedFlash(task.code, cells.map((c) => c.department), ctx.query.decided, ctx.query.unit),
    });
  });

  // 同意延期 / 不同意延期 from the task page: the same decision as in chat (src/extensions), with the form's CSRF token.
  router.post('/tasks/:plan/:code/extension', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    const { state, task } = await visibleTask(ctx, ctx.params.plan, ctx.params.code);
    ctx.assert(!archivedPlan(state.plan), 409, '这个方案已归档，不再审批延期。');
    const form = await readUpload(ctx, 0);
    ctx.assert(auth.checkFormToken(ctx, form.fields.csrf ?? ''), 403, '页面已过期，请刷新后重试。');
    const department = (form.fields.department ?? '').trim();
    const verdict = form.fields.verdict === 'approved' ? 'approved' : form.fields.verdict === 'refused' ? 'refused' : null;
    ctx.assert(department && verdict, 400, '请用页面上的按钮操作。');
    ctx.assert(canDecideExtension(viewer, department), 403, `只有管理员或分管${department}的领导可以审批${department}的延期申请。`);
    try {
      await decideExtension({ store, clock, notifier: deps.notifier }, {
        user: viewer, plan: state.plan, task, department, verdict, reason: (form.fields.reason ?? '').trim(),
      });
    } catch (err) {
      if (err instanceof BotError) return ctx.throw(422, err.message);
      throw err;
    }
    ctx.status = 303;
    // The page says what was done in its own words: no text is carried in the URL.
    ctx.redirect(`/web/tasks/${encodeURIComponent(planId(state.plan))}/${encodeURIComponent(task.code)}?decided=${verdict}&unit=${encodeURIComponent(department)}#extensions`);
  });

  // A 佐证 file from a member responsible for the task: refused cleanly (nothing stored) unless it is what it claims.
  router.post('/tasks/:plan/:code/evidence', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    const { state, task, cells } = await visibleTask(ctx, ctx.params.plan, ctx.params.code);
    ctx.assert(state.plan.status === 'active', 409, '这个方案已归档，不再收佐证材料。需要补充请联系管理员恢复方案。');
    const units = evidenceUnits(viewer, cells.map((c) => c.department));
    ctx.assert(units.length > 0, 403, '只有这项任务的责任单位和管理员可以上传佐证材料。');
    const outcome = await receiveUpload(ctx, deps, viewer, { planId: state.plan._id, task, units });
    ctx.status = 303;
    ctx.redirect(`/web/tasks/${encodeURIComponent(planId(state.plan))}/${encodeURIComponent(task.code)}?uploaded=${outcome === 'stored' ? 1 : 2}#evidence`);
  });

  router.get('/evidence/:id', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    await sendEvidence(ctx, store, ctx.params.id!, async (e) => {
      const state = await planById(String(e.planId));
      const cells = state ? taskCells(state).get(String(e.taskId)) ?? [] : [];
      if (cells.length === 0) return ctx.throw(404, '这份佐证材料的任务已不在方案中。');
      return cells.some((c) => canSeeDepartment(viewer, c.department));
    }, ctx.query.thumb === '1' ? { now: clock.now() } : undefined);
  });

  router.get('/departments/:name', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    const name = ctx.params.name!;
    const all = await plansFor();
    ctx.assert(all.some((s) => s.departments.includes(name) || s.records.some((c) => c.department === name)), 404, `没有“${name}”这个部门。`);
    ctx.assert(canSeeDepartment(viewer, name), 403, '您只能查看本部门。');
    const liaisons = await activeMembersOf(store, name);
    page(ctx, 'department', { title: name, ...departmentSummary(all, name), liaisons: liaisons.map((m) => m.name || m.userid) });
  });

  router.get('/reports', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    const text = (k: string) => (typeof ctx.query[k] === 'string' ? (ctx.query[k] as string).trim().slice(0, 100) : '');
    const f = { from: text('from'), to: text('to'), dept: text('dept'), user: text('user') };
    // 汇报人 takes what the page shows, a person's name (or their account).
    const users = f.user ? new Set([f.user, ...(await memberIdsNamed(store, f.user))]) : null;
    const from = /^\d{4}-\d{2}-\d{2}$/.test(f.from) ? new Date(`${f.from}T00:00:00+08:00`) : null;
    const to = /^\d{4}-\d{2}-\d{2}$/.test(f.to) ? new Date(new Date(`${f.to}T00:00:00+08:00`).getTime() + 24 * 3600 * 1000) : null;
    const visible = visibleDepartments(viewer);
    ctx.assert(!f.dept || canSeeDepartment(viewer, f.dept), 403, '您只能查看本部门的汇报。');
    const plans = await activePlans(store);
    const reports: LoggedReport[] = [];
    for (const p of plans) {
      for (const r of await planReports(store, p._id)) {
        if ((from && r.at < from) || (to && r.at >= to)) continue;
        if (f.dept ? r.department !== f.dept : visible && !visible.includes(r.department)) continue;
        if (users && !users.has(r.userid)) continue;
        reports.push(r);
      }
    }
    reports.sort((a, b) => b.at.getTime() - a.at.getTime());
    const names = await memberNames(store, reports.slice(0, LIST_LIMIT).map((r) => r.userid));
    const labels = new Map(plans.map((p) => [String(p._id), planLabel(p)]));
    const states = await plansFor();
    const titles = new Map(states.flatMap((st) => st.tasks.map((t) => [String(t._id), t.title] as const)));
    const departments = visible ?? states[0]?.departments ?? [];
    page(ctx, 'reports', {
      title: '汇报记录', f, departments, more: reports.length > LIST_LIMIT, limit: LIST_LIMIT, multiPlan: plans.length > 1,
      rows: reports.slice(0, LIST_LIMIT).map((r) => ({
        when: formatLocal(r.at, 'YYYY-MM-DD HH:mm'), plan: labels.get(String(r.planId)) ?? '', planId: String(r.planId), code: r.taskCode,
        title: titles.get(String(r.taskId)) ?? '', department: r.department, who: names.get(r.userid) ?? r.userid, userid: r.userid, progress: describeProgress(r), note: r.note,
      })),
    });
  });

  router.get('/digests', async (ctx: WebContext) => {
    ctx.assert(canSeeDigests(ctx.state.viewer), 403, '周报仅限领导和管理员查看。');
    const list = await listDigests(store);
    // A week's digest sent again (发送周报 after the Monday one) is marked, with which sending it was.
    const order = new Map<string, number>();
    for (const d of [...list].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime())) {
      const key = `${d.week}|${String(d.planId)}`;
      order.set(d._id, (order.get(key) ?? 0) + 1);
      order.set(key, (order.get(key) ?? 0) + 1);
    }
    page(ctx, 'digests', {
      title: '周报', rows: list.map((d) => ({
        id: d._id, week: weekLabel(d.week), weekKey: d.week, plan: d.planTitle, sentAt: formatLocal(d.sentAt, 'YYYY-MM-DD HH:mm'), rate: d.rate, expected: d.expected, reported: d.reported,
        resent: (order.get(d._id) ?? 1) > 1 ? order.get(d._id)! : 0,
      })),
    });
  });

  // The link in the weekly messages: the week is known before the digest is archived, its id is not.
  router.get('/digests/week/:week', async (ctx: WebContext) => {
    ctx.assert(canSeeDigests(ctx.state.viewer), 403, '周报仅限领导和管理员查看。');
    const d = await latestDigestOfWeek(store, ctx.params.week!);
    if (!d) return ctx.throw(404, '这一周的周报还没有发出。');
    page(ctx, 'digest', { title: `周报 ${d.week}`, d: { ...d, sentAt: formatLocal(d.sentAt, 'YYYY-MM-DD HH:mm') } });
  });

  router.get('/digests/:id', async (ctx: WebContext) => {
    ctx.assert(canSeeDigests(ctx.state.viewer), 403, '周报仅限领导和管理员查看。');
    const d = await getDigest(store, ctx.params.id!);
    if (!d) return ctx.throw(404, '没有这期周报。');
    page(ctx, 'digest', { title: `周报 ${weekLabel(d.week)}`, d: { ...d, weekText: weekLabel(d.week), sentAt: formatLocal(d.sentAt, 'YYYY-MM-DD HH:mm') } });
  });

  router.get('/audit', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    ctx.assert(canReadAudit(viewer), 403, '操作记录仅限管理员查看。');
    const text = (k: string) => (typeof ctx.query[k] === 'string' ? (ctx.query[k] as string).trim().slice(0, 100) : '');
    const f = { actor: text('actor'), target: text('target') };
    // Both filters take what the page shows: a person's name (or account), a task's code, a plan's or unit's name.
    const actors = f.actor ? [f.actor, ...(await memberIdsNamed(store, f.actor)), ...(f.actor === '命令行' ? ['cli'] : [])] : undefined;
    const about = f.target ? (await memberIdsNamed(store, f.target)).map((id) => `member:${id}`) : undefined;
    const rows = await auditEntries(store, { actors, targets: about, key: f.target || undefined }, LIST_LIMIT + 1);
    const shown = rows.slice(0, LIST_LIMIT);
    page(ctx, 'audit', {
      title: '操作记录', f, more: rows.length > LIST_LIMIT, limit: LIST_LIMIT,
      rows: historyLines(shown, await historyNames(store, shown, await allPlans(store))),
    });
  });

  // Pages computed per plan follow plan and task writes by themselves (the read cache's generation is in their key).
  addPlanAdminRoutes(router, { store, clock, auth, page });
  addScoreRoutes(router, { store, clock, rules: deps.scoreRules, page });
  addReviewDeskRoutes(router, { store, clock, auth, notifier: deps.notifier ?? { notifyUsers: async () => undefined }, plans: plansFor, page });

  router.get('/ledger.xlsx', async (ctx: WebContext) => {
    const viewer = ctx.state.viewer;
    const f = readTaskFilters(ctx.query);
    ctx.assert(!f.dept || canSeeDepartment(viewer, f.dept), 403, '您只能导出本部门的台账。');
    // Without ?plan= the running plans; a plan named by id may be archived (its 台账 stays exportable).
    const named = f.plan ? await planById(f.plan) : undefined;
    const chosen = f.plan ? (named ? [named] : []) : await plansFor();
    const name = `督办台账-${formatLocal(clock.now(), 'YYYYMMDD')}.xlsx`;
    ctx.set('Content-Disposition', `attachment; filename="ledger.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    // Leaders and admins get the 考核得分 sheet too: the running month, or the period a ?month= / ?quarter= / ?year= names.
    const scores = await scoresForLedger({ store, clock, rules: deps.scoreRules }, viewer, ctx.query);
    ctx.body = await writeLedger(store, { states: chosen, viewer, filters: f, now: clock.now(), scores, includeReports: ctx.query.reports === '1' });
  });

  // Anything else under /web: a Chinese page, not Koa's English "Not Found".
  router.all('/{*rest}', (ctx) => ctx.throw(404, '没有这个页面，可能地址有误或已被删除。'));

  return router;
}

/**
 * What a page may load and who may frame it: only this site's own scripts, styles and images (inline style=
 * attributes are used by the templates and echarts), no plugins, forms only to this site, and no framing at all:
 * WeCom's in-app browser opens the pages top-level, so a frame can only be someone else's clickjacking.
 * Routes that send files (佐证) set their own stricter policy afterwards.
 */
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

function securityHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'same-origin');
}

/** After a decision on the page: "已同意延期：15.1 司法所。", only for a unit of the task and a known verdict. */
function decidedFlash(code: string, units: string[], verdict: unknown, unit: unknown): string | null {
  if (typeof unit !== 'string' || !units.includes(unit)) return null;
  if (verdict === 'approved') return `已同意延期：${code} ${unit}。`;
  if (verdict === 'refused') return `已不同意延期：${code} ${unit}，已通知该部门。`;
  return null;
}

function archivedPlan(plan: { status: string }): boolean {
  return plan.status !== 'active';
}

function worst(lights: string[]): string {
  for (const l of LIGHT_ORDER) if (lights.includes(l)) return l;
  return 'green';
}

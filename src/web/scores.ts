// The 考核 page and the 督查通报 download, for leaders and admins: a period's ranking and every department's
// explained score (the same review the 通报 and the 台账's 考核得分 sheet format).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { canSeeScores, type User } from '../access.ts';
import type { Clock } from '../clock.ts';
import { bulletinDocx, bulletinFileName, extendedText, formatScore, itemText, RANKING_HEADER, rankingRows } from '../bulletin/docx.ts';
import { buildPeriodReview, type PeriodReview } from '../bulletin/review.ts';
import { parsePeriod, periodContaining, previousPeriod, type PeriodKind, type ReviewPeriod } from '../domain/review-period.ts';
import type { ScoreRules } from '../domain/score-rules.ts';
import type { Store } from '../store/database.ts';
import { activePlans } from '../store/plans.ts';

export interface ScoreRouteDeps {
  store: Store;
  clock: Clock;
  rules: ScoreRules;
  page(ctx: Context, template: string, view: object, status?: number): void;
}

/** ?month=2026-11, ?quarter=2026Q4 or ?year=2026; the running month when none is given. */
export function periodFromQuery(query: Record<string, unknown>, now: Date): ReviewPeriod | null {
  for (const kind of ['month', 'quarter', 'year'] as PeriodKind[]) {
    const v = query[kind];
    if (typeof v === 'string' && v.trim()) return parsePeriod(kind, v.slice(0, 20));
  }
  return periodContaining('month', now);
}

/** The review the 台账's 考核得分 sheet shows for this viewer, or undefined when the viewer may not see scores. */
export async function scoresForLedger(deps: Pick<ScoreRouteDeps, 'store' | 'clock' | 'rules'>, viewer: User, query: Record<string, unknown>): Promise<PeriodReview | undefined> {
  if (!canSeeScores(viewer)) return undefined;
  const now = deps.clock.now();
  const period = periodFromQuery(query, now) ?? periodContaining('month', now);
  const plans = await activePlans(deps.store);
  return plans.length ? buildPeriodReview(deps.store, plans, deps.rules, period, now) : undefined;
}

function queryOf(p: ReviewPeriod): string {
  return `${p.kind}=${encodeURIComponent(p.key)}`;
}

export function addScoreRoutes(router: Router<{ viewer: User }>, deps: ScoreRouteDeps): void {
  const { store, clock, rules } = deps;
  const review = async (ctx: Context): Promise<PeriodReview> => {
    const viewer = (ctx.state as { viewer: User }).viewer;
    ctx.assert(canSeeScores(viewer), 403, '考核得分和督查通报仅限领导和管理员查看。');
    const period = periodFromQuery(ctx.query, clock.now());
    ctx.assert(period, 400, '时间写法不对：月份如 month=2026-11，季度如 quarter=2026Q4，年份如 year=2026。');
    const plans = await activePlans(store);
    ctx.assert(plans.length > 0, 404, '还没有导入工作方案。');
    return buildPeriodReview(store, plans, rules, period, clock.now());
  };

  router.get('/scores', async (ctx) => {
    const r = await review(ctx);
    const now = clock.now();
    const thisMonth = periodContaining('month', now);
    const choices = [thisMonth, previousPeriod(thisMonth), periodContaining('quarter', now), previousPeriod(periodContaining('quarter', now)), periodContaining('year', now)];
    deps.page(ctx, 'scores', {
      title: '考核', label: r.period.label, periodQuery: queryOf(r.period), rulesSource: rules.source,
      choices: choices.map((p) => ({ label: p.label, query: queryOf(p), on: p.key === r.period.key })),
      header: RANKING_HEADER, rows: rankingRows(r), figures: r.figures,
      departments: r.scores.map((d) => ({
        name: d.department, score: formatScore(d.score),
        lines: d.lines.map((l) => ({ item: l.item, text: l.text, points: `${l.points >= 0 ? '+' : ''}${formatScore(l.points)}` })),
      })),
      wellDone: r.wellDone.map((it, i) => itemText(i, it)), attention: r.attention.map((it, i) => itemText(i, it)),
      extended: r.extended.map((e, i) => extendedText(i, e)),
    });
  });

  router.get('/bulletin.docx', async (ctx) => {
    const r = await review(ctx);
    const bytes = await bulletinDocx(r, { date: clock.now() });
    ctx.set('Content-Disposition', `attachment; filename="bulletin.docx"; filename*=UTF-8''${encodeURIComponent(bulletinFileName(r))}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    ctx.body = bytes;
  });
}

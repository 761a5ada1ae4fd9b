// `bulletin --month 2026-11 --out 通报.docx` (or --quarter 2026Q4, --year 2026): the 督查通报 of a period, as the
// pages' download and the monthly job make it; `scores --month 2026-11` prints each department's explained score.
import { writeFileSync } from 'node:fs';
import { bulletinDocx, formatScore } from '../bulletin/docx.ts';
import { buildPeriodReview } from '../bulletin/review.ts';
import { loadScoreRules } from '../bulletin/rules-file.ts';
import { parsePeriod, type PeriodKind, type ReviewPeriod } from '../domain/review-period.ts';
import { activePlans } from '../store/plans.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';

export const BULLETIN_USAGE = 'bulletin (--month 2026-11 | --quarter 2026Q4 | --year 2026) --out FILE.docx';
export const SCORES_USAGE = 'scores (--month 2026-11 | --quarter 2026Q4 | --year 2026)';

/** The one period the flags name. */
export function periodFromFlags(flags: Record<string, string | true>, usage: string): ReviewPeriod {
  const given = (['month', 'quarter', 'year'] as PeriodKind[]).filter((k) => flags[k] !== undefined);
  if (given.length !== 1) throw new CliUsageError(usage);
  const kind = given[0]!;
  const value = flags[kind];
  const period = typeof value === 'string' ? parsePeriod(kind, value) : null;
  if (!period) throw new CliUsageError(`${usage}\n“${String(value)}”不是${kind === 'month' ? '月份（如 2026-11）' : kind === 'quarter' ? '季度（如 2026Q4）' : '年份（如 2026）'}`);
  return period;
}

async function reviewOf(argv: string[], ctx: CliContext, usage: string) {
  const { flags } = parseArgs(argv);
  const period = periodFromFlags(flags, usage);
  const rules = loadScoreRules(ctx.config.scoreRulesFile);
  const store = await ctx.store();
  const plans = await activePlans(store);
  if (plans.length === 0) throw new Error('还没有导入工作方案');
  return { flags, review: await buildPeriodReview(store, plans, rules, period, ctx.clock.now()) };
}

export async function runBulletinCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { flags } = parseArgs(argv);
  if (typeof flags.out !== 'string' || !flags.out.endsWith('.docx')) throw new CliUsageError(BULLETIN_USAGE);
  const { review } = await reviewOf(argv, ctx, BULLETIN_USAGE);
  writeFileSync(flags.out, await bulletinDocx(review, { date: ctx.clock.now() }));
  ctx.out(`已生成${review.period.label}督查通报：${flags.out}（${review.scores.length} 个单位排名，需要关注 ${review.attention.length} 项）`);
  return 0;
}

export async function runScoresCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { review } = await reviewOf(argv, ctx, SCORES_USAGE);
  ctx.out(`${review.period.label}考核得分（${ctx.config.scoreRulesFile}）`);
  review.scores.forEach((d, i) => {
    ctx.out(`${i + 1}. ${d.department} ${formatScore(d.score)} 分`);
    for (const l of d.lines) ctx.out(`   ${l.points >= 0 ? '+' : ''}${formatScore(l.points)}  ${l.item}：${l.text}`);
  });
  return 0;
}

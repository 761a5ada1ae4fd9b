// `ledger export --out FILE.xlsx [--plan NAME]`: the 督办台账 of the active plans (or one), as the pages export it.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { activePlans } from '../store/task-queries.ts';
import { ledgerStream } from '../ledger/ledger.ts';
import { computePlanStanding as computePlanState } from '../standing/index.ts';
import { planLabel, readTaskFilters } from '../ledger/rows.ts';
import { CLI_USER } from '../access.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';
import { buildPeriodReview } from '../bulletin/review.ts';
import { loadScoreRules } from '../bulletin/rules-file.ts';
import { periodFromFlags } from './bulletin.ts';

export const LEDGER_USAGE = 'ledger export --out FILE.xlsx [--plan NAME] [--reports] [--month 2026-11 | --quarter 2026Q4 | --year 2026]';

export async function runLedgerCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['reports']);
  if (positional[0] !== 'export' || typeof flags.out !== 'string' || !flags.out.endsWith('.xlsx')) throw new CliUsageError(LEDGER_USAGE);
  const store = await ctx.store();
  let plans = await activePlans(store);
  if (typeof flags.plan === 'string') {
    const wanted = flags.plan.trim();
    plans = plans.filter((p) => [planLabel(p), p.title, p.key, String(p._id)].includes(wanted));
    if (plans.length === 0) {
      const known = (await activePlans(store)).map(planLabel).join('、') || '（无）';
      throw new CliUsageError(`没有名为“${wanted}”的进行中方案。可选：${known}`);
    }
  }
  if (plans.length === 0) throw new Error('还没有导入工作方案');
  const now = ctx.clock.now();
  const states = await Promise.all(plans.map((p) => computePlanState(store, p, now)));
  // A period named: the 考核得分 sheet of that period too (scores over every active plan, as the 通报 has them).
  const named = ['month', 'quarter', 'year'].some((k) => flags[k] !== undefined);
  const scores = named
    ? await buildPeriodReview(store, await activePlans(store), loadScoreRules(ctx.config.scoreRulesFile), periodFromFlags(flags, LEDGER_USAGE), now)
    : undefined;
  // The command line sees everything, as an admin does.
  await pipeline(ledgerStream(store, { states, viewer: CLI_USER, filters: readTaskFilters({}), now, scores, includeReports: flags.reports === true }), createWriteStream(flags.out));
  ctx.out(`已导出督办台账：${flags.out}（${plans.map(planLabel).join('、')}）`);
  return 0;
}

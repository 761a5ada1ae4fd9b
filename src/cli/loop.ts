// `loop --preview`: what the 督办 loop's jobs would send now (到期提醒, the 待审核 notice, the weekly escalation),
// without sending or recording anything. The jobs themselves run on the scheduler.
import { previousWeekKey, weekStart } from '../domain/period.ts';
import { buildDeadlineWarnings } from '../jobs/deadline-warnings.ts';
import { buildEscalation } from '../jobs/escalation.ts';
import { buildReviewNotice } from '../jobs/review-notice.ts';
import { activePlans } from '../store/plans.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';

export const LOOP_USAGE = 'loop --preview [--week 2021-W30] [--json]';

export async function runLoopCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { flags } = parseArgs(argv, ['preview', 'json']);
  if (!flags.preview) throw new CliUsageError(LOOP_USAGE);
  const week = typeof flags.week === 'string' ? flags.week : previousWeekKey(ctx.clock.now());
  if (!weekStart(week)) throw new CliUsageError(`--week 要写成 2021-W30 的形式（${LOOP_USAGE}）`);
  const store = await ctx.store();
  const plans = await activePlans(store);
  if (plans.length === 0) throw new Error('没有进行中的工作方案（plan list 查看，plan import 导入）');
  const now = ctx.clock.now();
  const sections = {
    deadlineWarnings: await buildDeadlineWarnings(store, plans, now),
    reviewNotice: await buildReviewNotice(store, plans, null, now),
    escalation: (await buildEscalation(store, plans, week, now, ctx.clock, { preview: true })).messages,
  };
  if (flags.json) {
    ctx.out(JSON.stringify(Object.fromEntries(Object.entries(sections).map(([k, ms]) => [k, ms.map((m) => m.userid)]))));
    return 0;
  }
  const titles: Record<keyof typeof sections, string> = { deadlineWarnings: '到期提醒（今天）', reviewNotice: '待审核通知（全部待审核）', escalation: `催办与分管领导清单（${week}）` };
  for (const [k, ms] of Object.entries(sections) as Array<[keyof typeof sections, typeof sections.escalation]>) {
    ctx.out(`== ${titles[k]}：${ms.length} 条`);
    for (const m of ms) ctx.out(`── ${m.userid}\n${m.text}\n`);
  }
  return 0;
}

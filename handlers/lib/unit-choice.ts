// 审核通过 / 退回 / 重新打开 / 催办 without a 部门: the one unit of the task that fits (the read model says which
// stage each is in) is acted on; several are listed with the exact command for each; none is said plainly.
import type { CommandContext } from '../../src/bot/command-spec.ts';
import { BotError } from '../../src/bot/errors.ts';
import type { PlanDoc, TaskDoc } from '../../src/store/models.ts';
import { standingsOfTask, type Standing } from '../../src/standing/index.ts';

export async function onlyFittingUnit(
  ctx: CommandContext,
  plan: PlanDoc,
  task: TaskDoc,
  opts: { fits: (s: Standing) => boolean; command: (department: string) => string; what: string; none: string },
): Promise<string> {
  const fitting = (await standingsOfTask(ctx.store, plan, task, ctx.clock.now())).filter(opts.fits).map((s) => s.department);
  if (fitting.length === 1) return fitting[0]!;
  if (fitting.length === 0) throw new BotError('no_fitting_unit', opts.none);
  throw new BotError('ambiguous_department', [`${opts.what}有 ${fitting.length} 个部门，未做修改。请指明部门，发送其中一条：`, ...fitting.map(opts.command)].join('\n'));
}

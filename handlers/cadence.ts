import type { CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import type { Cadence } from '../src/domain/vocabulary.ts';
import { record, taskAuditTarget } from '../src/store/audit.ts';
import { setTaskCadence } from '../src/store/task-queries.ts';
import { requireTask } from './lib/tasks.ts';

const WORDS: Record<string, Cadence> = { 每周: 'weekly', 周: 'weekly', weekly: 'weekly', 每月: 'monthly', 月: 'monthly', monthly: 'monthly' };
const LABEL: Record<Cadence, string> = { weekly: '每周', monthly: '每月' };

export const cadence: CommandSpec = {
  name: '汇报频次',
  aliases: ['频次'],
  summary: '设置任务每周还是每月汇报',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '每周|每月', kind: 'word' }],
  example: '汇报频次 7.20 每月',
  access: 'admin',
  async run(ctx, args) {
    const { task } = await requireTask(ctx, args, { retry: (code) => `汇报频次 ${code} ${String(args['每周|每月'])}` });
    const value = WORDS[String(args['每周|每月']).toLowerCase()];
    if (!value) throw new BotError('bad_cadence', `请写 每周 或 每月，例如：汇报频次 ${task.code} 每月`);
    if (task.cadence === value) return `任务 ${task.code} 已经是${LABEL[value]}汇报，未做修改。`;
    await setTaskCadence(ctx.store, task._id, value);
    await record(ctx.store, {
      at: ctx.clock.now(), actor: ctx.sender.userid, action: 'task.cadence', ...taskAuditTarget(task), before: task.cadence, after: value,
    });
    return `任务 ${task.code} 改为${LABEL[value]}汇报（${LABEL[task.cadence]} → ${LABEL[value]}），已记录留痕。`;
  },
};

import type { CommandSpec } from '../src/bot/command-spec.ts';
import { describeProgress } from '../src/domain/progress.ts';
import { formatLocal } from '../src/domain/period.ts';
import { LIGHT_ICON, statusLight } from '../src/domain/status-light.ts';
import { progressId, progressOf } from '../src/store/progress-cache.ts';
import { concreteDepartments } from '../src/store/snapshot-queries.ts';
import { activePlans } from '../src/store/plans.ts';
import { taskAuditFilter } from '../src/store/audit.ts';
import { evidenceCounts } from '../src/store/evidence.ts';
import { codeLabel, requireTask } from './lib/tasks.ts';
import { taskPageUrl } from '../src/web/links.ts';
import { taskLoop } from './lib/task-loop.ts';

export const taskDetail: CommandSpec = {
  name: '任务',
  aliases: ['查看', '详情', 'task'],
  summary: '任务全文、各责任部门的最新状态、最近汇报和改派记录',
  args: [{ name: '编号', kind: 'taskCode' }],
  example: '任务 7.5',
  access: 'member',
  async run(ctx, args) {
    const { plan, task } = await requireTask(ctx, args, { retry: (code) => `任务 ${code}` });
    const plans = await activePlans(ctx.store);
    const now = ctx.clock.now();
    // A collective task (镇直各部门) is every department's: reports are filed under each reporter's own department.
    const responsible = task.collective ? await concreteDepartments(ctx.store) : task.departments;
    const progress = await progressOf(ctx.store, responsible.map((d) => ({ taskId: task._id, department: d })));
    const shown = task.collective ? responsible.filter((d) => progress.has(progressId(task._id, d))) : responsible;
    const loop = await taskLoop(ctx.store, plan, task, now);
    const evidence = await evidenceCounts(ctx.store, task._id);
    const departments = shown.map((d) => {
      const r = progress.get(progressId(task._id, d))?.[0] ?? null;
      const light = statusLight({ now, since: task.createdAt ?? now, latest: r, deadline: task.deadline, planStart: plan.date });
      const more = loop.department(d, r);
      const plain = r ? `${describeProgress(r)}（${formatLocal(r.at, 'M月D日')}）` : '尚未汇报';
      return { name: d, icon: more.icon ?? LIGHT_ICON[light], state: (more.state ?? plain) + more.suffix, lead: task.lead.includes(d), evidence: evidence.get(d) ?? 0 };
    });
    // Recent reports: the last of each recent week per department, newest first (from the cache, no report scan).
    const recent = [...progress.entries()].flatMap(([id, entries]) => entries.map((e) => ({ ...e, department: id.slice(id.indexOf('|') + 1) })));
    const reports = recent.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, 5).map((r) => ({
      when: formatLocal(r.at, 'M月D日 HH:mm'), department: r.department, progress: describeProgress(r), note: r.note,
    }));
    // 审核 decisions are listed apart (审核记录); the change history keeps to responsibility and cadence.
    const history = (await ctx.store.models.Audit.find({ ...taskAuditFilter(task), action: { $nin: ['task.review.approve', 'task.review.return'] } }).sort({ at: -1 }).limit(5).lean()).map((a) => ({
      when: formatLocal(a.at, 'M月D日'),
      actor: a.actor,
      before: Array.isArray(a.before) ? a.before.join('、') : String(a.before ?? ''),
      after: Array.isArray(a.after) ? a.after.join('、') : String(a.after ?? ''),
    }));
    const text = task.text; // long texts are split into numbered messages
    const mine = ctx.sender.departments.find((d) => responsible.includes(d)) ?? null;
    return {
      template: 'task-detail',
      view: {
        code: codeLabel(plan, task, plans), plan: plan.status === 'active' ? null : `${plan.title}，已归档`,
        section: task.sectionTitle, text, deadline: task.deadlineText ?? task.deadline, collective: task.collective,
        departments, silent: responsible.length - shown.length, reports, history, mine,
        link: ctx.webBaseUrl ? taskPageUrl(ctx.webBaseUrl, plan, task.code) : null,
        overdue: loop.overdue, reviews: loop.reviews, chases: loop.chases, chaseCount: loop.chaseCount,
      },
    };
  },
};

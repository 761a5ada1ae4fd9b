import type { CommandSpec } from '../src/bot/command-spec.ts';
import { describeProgress } from '../src/domain/progress.ts';
import { formatLocal } from '../src/domain/period.ts';
import { activePlans } from '../src/store/plans.ts';
import { historyNames, memberNames, taskHistory } from '../src/store/audit.ts';
import { actorName, auditSentence } from '../src/domain/audit-sentence.ts';
import { decisionsOfTask } from '../src/store/reviews.ts';
import { chasesOfTask } from '../src/store/chases.ts';
import { reportsOfCells } from '../src/store/progress-cache.ts';
import { standingsOfTask, stageIcon, stageText } from '../src/standing/index.ts';
import { codeLabel, requireTask } from './lib/tasks.ts';
import { taskPageUrl } from '../src/web/links.ts';
import { extensionHistory, extensionLine } from '../src/extensions/extensions.ts';

const RECENT = 5;
/** 审核, 催办 and 延期 have their own lists in the reply; the change history keeps to the rest. */
const LISTED_APART = ['task.review.approve', 'task.review.return', 'task.reopen', 'task.chase', 'task.extension.request', 'task.extension.approve', 'task.extension.refuse'];

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
    const records = await standingsOfTask(ctx.store, plan, task, now);
    // A collective task (镇直各部门) is every unit's: list those that have done something, count the others.
    const shown = task.collective ? records.filter((r) => r.latest || r.stage !== 'not_started' || r.chases > 0) : records;
    const extensionNames = await memberNames(ctx.store, shown.flatMap((r) => (r.extension ? [r.extension.actor] : [])));
    const departments = shown.map((r) => ({
      name: r.department, icon: stageIcon(r), state: stageText(r), lead: task.lead.includes(r.department), evidence: r.evidence,
      extension: r.extension ? extensionLine(task, r.extension, (id) => extensionNames.get(id)) : null,
    }));
    // Recent reports: the last of each recent week per unit, newest first (from the cache, no report scan).
    const recent = await reportsOfCells(ctx.store, shown.map((r) => ({ taskId: task._id, department: r.department })));
    const reports = recent.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, RECENT).map((r) => ({
      when: formatLocal(r.at, 'M月D日 HH:mm'), department: r.department, progress: describeProgress(r), note: r.note,
    }));
    const [decisions, chases] = await Promise.all([decisionsOfTask(ctx.store, task._id), chasesOfTask(ctx.store, task._id)]);
    // 审核 decisions and 催办 are listed apart (审核记录, 催办记录); the change history keeps to the rest, as sentences.
    const audit = (await taskHistory(ctx.store, task, 50)).filter((a) => !LISTED_APART.includes(a.action)).slice(0, RECENT);
    const extensions = (await extensionHistory(ctx.store, task._id)).slice(-RECENT);
    const names = await historyNames(ctx.store, [...decisions, ...chases, ...audit].map((e) => ({ actor: e.actor, action: '', target: '' })).concat(audit));
    const history = audit.map((a) => ({ when: formatLocal(a.at, 'M月D日'), text: auditSentence(a, names) }));
    const late = Math.max(0, ...records.map((r) => r.overdueDays));
    const responsible = records.map((r) => r.department);
    const mine = ctx.sender.departments.find((d) => responsible.includes(d)) ?? null;
    return {
      template: 'task-detail',
      view: {
        code: codeLabel(plan, task, plans), plan: plan.status === 'active' ? null : `${plan.title}，已归档`,
        section: task.sectionTitle, text: task.text, deadline: task.deadlineText ?? task.deadline, collective: task.collective,
        departments, silent: records.length - shown.length, reports, history, mine,
        link: ctx.webBaseUrl ? taskPageUrl(ctx.webBaseUrl, plan, task.code) : null,
        overdue: late > 0 ? `已超期 ${late} 天` : null,
        reviews: decisions.slice(0, RECENT).map((d) => ({
          when: formatLocal(d.at, 'M月D日'), department: d.department, actor: actorName(d.actor, names),
          what: d.decision === 'approved' ? '审核通过，已销号' : d.decision === 'returned' ? `退回：${d.reason}` : `重新打开：${d.reason}`,
        })),
        chases: chases.slice(0, RECENT).map((c) => ({
          when: formatLocal(c.at, 'M月D日 HH:mm'), department: c.department, actor: c.kind === 'auto' ? '系统（连续两周红灯）' : actorName(c.actor, names), note: c.note,
        })),
        chaseCount: chases.length,
        extensions,
      },
    };
  },
};

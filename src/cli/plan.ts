import { parsePlan } from '../domain/plan/parse-plan.ts';
import { readPlanFile } from '../domain/plan/read-plan-file.ts';
import { importPlanFile } from '../plan-source.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';

export const PLAN_USAGE = 'plan parse FILE [--json] | plan import FILE';

export async function runPlanCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['json']);
  const [sub, file] = positional;
  if (!file || (sub !== 'parse' && sub !== 'import')) throw new CliUsageError(PLAN_USAGE);

  if (sub === 'parse') {
    // Parsing never touches a database: scripts use it to check a document before importing.
    const parsed = parsePlan(await readPlanFile(file));
    if (flags.json) {
      ctx.out(JSON.stringify({
        plan: parsed.plan,
        tasks: parsed.tasks.map((t) => ({
          code: t.code, title: t.title, text: t.text, departments: t.departments, lead: t.lead,
          deadline: t.deadline, collective: t.collective, chapter: t.chapter, section: t.section,
        })),
      }));
    } else {
      ctx.out(`${parsed.plan.docNumber ?? ''} ${parsed.plan.title}`.trim());
      ctx.out(`${parsed.sections.length} 个小节，${parsed.tasks.length} 项任务`);
      for (const t of parsed.tasks) ctx.out(`${t.code.padEnd(5)} ${t.title}（${t.departments.join('、')}）`);
    }
    return 0;
  }

  const store = await ctx.store();
  const r = await importPlanFile(store, file, ctx.clock, 'cli');
  const total = await store.models.Task.countDocuments({ planId: r.planId, retired: false });
  ctx.out(`导入 ${r.planKey}：新增 ${r.created.length}，更新 ${r.updated.length}，未变 ${r.unchanged.length}，停用 ${r.retired.length}；现有任务 ${total} 项。`);
  if (r.updated.length) ctx.out(`更新：${r.updated.join(' ')}`);
  if (r.retired.length) ctx.out(`停用：${r.retired.join(' ')}`);
  if (r.departmentsAdded.length) ctx.out(`新部门：${r.departmentsAdded.join('、')}`);
  return 0;
}

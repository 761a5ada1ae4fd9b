// `plan …`: parse a document, preview and import it, list plans, archive or activate one, export one as a 任务分解表.
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { PlanReadError, type ColumnRole, type ParsedPlan } from '../domain/plan/index.ts';
import { ColumnSpecError, describeColumnsSeen, formatColumnSpec, parseColumnSpec, specOfReport } from '../domain/plan/column-mapping.ts';
import { rememberColumnMapping, rememberedMapping } from '../store/column-mappings.ts';
import { readPlanSource } from '../plan-source.ts';
import { writePlanWorkbook } from '../plans/export-plan.ts';
import { applyImport, previewImport } from '../store/import-plan.ts';
import { describePreview } from '../plans/describe-preview.ts';
import { describeColumns } from '../plans/describe-columns.ts';
import type { PlanDoc } from '../store/models.ts';
import { allPlans, matchPlans, setPlanStatus } from '../store/plans.ts';
import { departmentNames } from '../store/departments-repo.ts';
import { activeTasks, countActiveTasks } from '../store/task-queries.ts';
import type { Store } from '../store/database.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';

export const PLAN_USAGE = [
  'plan parse FILE [--json] [--columns 任务=B,牵头单位=C,配合单位=D,完成时限=E]',
  'plan import FILE [--name 简称] [--columns …] [--yes]',
  'plan list [--json]',
  'plan archive NAME | plan activate NAME',
  'plan export NAME --out FILE.xlsx',
].join(' | ');

/** The exit status of a refused import: nothing was changed, and scripts must be able to tell. */
const REFUSED = 2;

export async function runPlanCommand(argv: string[], ctx: CliContext): Promise<number> {
  try {
    return await runPlanSubcommand(argv, ctx);
  } catch (err) {
    // A file that is not what it claims, too large, or empty: say so plainly; nothing was read into the database.
    if (!(err instanceof PlanReadError)) throw err;
    ctx.out(`${err.message}没有导入，现有方案未改动。`);
    return REFUSED;
  }
}

async function runPlanSubcommand(argv: string[], ctx: CliContext): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['json', 'yes']);
  const [sub, arg] = positional;
  const columns = columnsFlag(flags.columns);
  switch (sub) {
    case 'parse':
      return parseCommand(ctx, requireArg(arg), flags.json === true, columns);
    case 'import':
      return importCommand(ctx, requireArg(arg), typeof flags.name === 'string' ? flags.name : undefined, flags.yes === true, columns);
    case 'list':
      return listCommand(ctx, flags.json === true);
    case 'archive':
    case 'activate':
      return statusCommand(ctx, requireArg(arg), sub === 'archive' ? 'archived' : 'active');
    case 'export':
      if (typeof flags.out !== 'string') throw new CliUsageError(PLAN_USAGE);
      return exportCommand(ctx, requireArg(arg), flags.out);
    default:
      throw new CliUsageError(PLAN_USAGE);
  }
}

/** `--columns 任务=B,牵头单位=C`: the roles of the task table's columns, said by the person importing it. */
function columnsFlag(value: string | true | undefined): (ColumnRole | null)[] | null {
  if (value === undefined) return null;
  if (value === true) throw new CliUsageError('--columns 后面写各列的内容，如 --columns 任务=B,牵头单位=C,配合单位=D,完成时限=E');
  try {
    return parseColumnSpec(value);
  } catch (err) {
    if (err instanceof ColumnSpecError) throw new CliUsageError(err.message);
    throw err;
  }
}

/** A document without a task is refused, naming the columns it showed and how to map them. */
function noTaskMessage(parsed: ParsedPlan): string {
  const seen = describeColumnsSeen(parsed.tables);
  if (seen === '') return '文件中没有识别出任务（没有“一、（一）1.”式编号的条目，也没有任务分解表）。';
  const example = parsed.tables.map(specOfReport).find((s) => s.includes('任务')) || '任务=B,牵头单位=C,配合单位=D,完成时限=E';
  return `表格中没有识别出任务。看到的列：${seen}。\n请指明各列的内容（列字母按表格计），例如：--columns ${example}`;
}

function requireArg(arg: string | undefined): string {
  if (!arg) throw new CliUsageError(PLAN_USAGE);
  return arg;
}

/** Parsing never touches a database: scripts use it to check a document before importing. */
async function parseCommand(ctx: CliContext, file: string, json: boolean, columns: (ColumnRole | null)[] | null): Promise<number> {
  const { parsed } = await readPlanSource(file, { columns });
  const warnings = parsed.warnings.map((w) => w.message);
  const refusal = parsed.tasks.length === 0 ? noTaskMessage(parsed) : null;
  if (json) {
    ctx.out(JSON.stringify({
      plan: parsed.plan,
      // Per table: the role given to each column, how sure the parse was, and the header it saw.
      tables: parsed.tables,
      tasks: parsed.tasks.map((t) => ({
        code: t.code, title: t.title, text: t.text, departments: t.departments, lead: t.lead, leaders: t.leaders,
        deadline: t.deadline, deadlineText: t.deadlineText, collective: t.collective, chapter: t.chapter, section: t.section,
      })),
      warnings,
      refusal,
    }));
  } else if (refusal !== null) {
    ctx.out(refusal);
  } else {
    ctx.out(`${parsed.plan.docNumber ?? ''} ${parsed.plan.title}`.trim());
    ctx.out(`${parsed.sections.length} 个小节，${parsed.tasks.length} 项任务`);
    for (const line of describeColumns({ columns: parsed.tables })) ctx.out(line);
    for (const t of parsed.tasks) ctx.out(`${t.code.padEnd(5)} ${t.title}（${t.departments.join('、')}）`);
    if (warnings.length) ctx.out(`提示（${warnings.length}）：\n${warnings.map((w) => `- ${w}`).join('\n')}`);
  }
  return refusal === null ? 0 : REFUSED;
}

async function importCommand(ctx: CliContext, file: string, name: string | undefined, yes: boolean, columns: (ColumnRole | null)[] | null): Promise<number> {
  const store = await ctx.store();
  const knownUnits = await departmentNames(store);
  let { parsed, sourceHash } = await readPlanSource(file, { knownUnits, columns });
  // A header seen before is read with the mapping given for it then, unless a new one is given now.
  const remembered = columns === null ? await rememberedMapping(store, parsed.tables) : null;
  if (remembered !== null) {
    ({ parsed, sourceHash } = await readPlanSource(file, { knownUnits, columns: remembered }));
    ctx.out('表头与以前导入的文件相同，按当时指定的列对应读取。');
  }
  const preview = await previewImport(store, parsed, { name });
  for (const line of describePreview(preview)) ctx.out(line);
  if (preview.refusal) {
    ctx.out(preview.refusal);
    return REFUSED;
  }
  if (!yes && !(await confirmOnTerminal('确认导入？(y/N) '))) {
    ctx.out(`未导入，没有任何改动。确认无误后加 --yes 再运行：\nnpm run -s cli -- plan import ${quoteArg(file)}${name ? ` --name ${name}` : ''}${columns ? ` --columns ${formatColumnSpec(columns)}` : ''} --yes`);
    return 0;
  }
  const result = await applyImport(store, parsed, preview, { sourceHash, clock: ctx.clock, actor: 'cli' });
  if (columns !== null) {
    for (const t of parsed.tables.filter((t) => t.by === 'mapping')) await rememberColumnMapping(store, t.headerKey, columns, 'cli', ctx.clock.now());
  }
  const total = await countActiveTasks(store, result.planId);
  ctx.out(`已导入《${result.title}》（简称 ${result.name}）：新增 ${result.created.length}，更新 ${result.updated.length}，未变 ${result.unchanged.length}，停用 ${result.retired.length}；现有任务 ${total} 项。`);
  return 0;
}

async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes|是|确认)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function quoteArg(s: string): string {
  return /^[\w./\-\u4e00-\u9fff]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

async function listCommand(ctx: CliContext, json: boolean): Promise<number> {
  const store = await ctx.store();
  const plans = await allPlans(store);
  const counts = await Promise.all(plans.map((p) => countActiveTasks(store, p._id)));
  const rows = plans.map((p, i) => ({ key: p.key, name: p.name, title: p.title, docNumber: p.docNumber, status: p.status, tasks: counts[i]! }));
  if (json) {
    ctx.out(JSON.stringify(rows));
    return 0;
  }
  if (rows.length === 0) ctx.out('还没有导入任何方案。导入：npm run -s cli -- plan import 文件');
  for (const r of rows) ctx.out(`${r.name}\t${r.status === 'active' ? '进行中' : '已归档'}\t${r.tasks} 项\t${r.title}${r.docNumber ? `（${r.docNumber}）` : ''}`);
  return 0;
}

/** One plan by short name or a unique prefix of it; an error that lists the plans otherwise. */
async function requirePlanNamed(store: Store, typed: string): Promise<PlanDoc> {
  const found = await matchPlans(store, typed);
  if (found.length === 1) return found[0]!;
  const names = (await allPlans(store)).map((p) => p.name).join('、') || '（无）';
  throw new CliUsageError(found.length === 0 ? `没有简称为“${typed}”的方案。现有方案：${names}` : `“${typed}”可指 ${found.map((p) => p.name).join('、')}，请写完整的简称。`);
}

async function statusCommand(ctx: CliContext, typed: string, status: 'active' | 'archived'): Promise<number> {
  const store = await ctx.store();
  const plan = await requirePlanNamed(store, typed);
  const changed = await setPlanStatus(store, ctx.clock, 'cli', plan, status);
  const label = status === 'active' ? '进行中' : '已归档';
  ctx.out(changed ? `《${plan.title}》（${plan.name}）改为${label}。${status === 'archived' ? '不再提醒，不再列入我的任务和周报；带简称的编号仍可查询。' : ''}` : `《${plan.title}》（${plan.name}）已经是${label}，未做修改。`);
  return 0;
}

async function exportCommand(ctx: CliContext, typed: string, out: string): Promise<number> {
  const store = await ctx.store();
  const plan = await requirePlanNamed(store, typed);
  const tasks = await activeTasks(store, plan._id);
  await writeFile(out, await writePlanWorkbook(plan, tasks));
  ctx.out(`已导出《${plan.title}》任务分解表：${out}（${tasks.length} 项）。修改后可再导入：npm run -s cli -- plan import ${quoteArg(out)}`);
  return 0;
}

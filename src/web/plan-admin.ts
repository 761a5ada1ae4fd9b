// The 方案 page, for admins: upload a plan file (.docx/.xlsx/.doc/.txt), see the same preview and checks as
// `plan import`, confirm or cancel; archive or activate plans; download one as a 任务分解表. Admins cannot send files
// to the bot in chat (the app callback never delivers files), so this is how the 党政办 brings a plan in.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { canAdministerPlans } from '../access.ts';
import type { Clock } from '../clock.ts';
import { PlanReadError, type ColumnRole, type ParsedPlan } from '../domain/plan/index.ts';
import { formatColumnSpec, parseColumnSpec } from '../domain/plan/column-mapping.ts';
import { ROLE_NAMES } from '../domain/plan/column-words.ts';
import { rememberColumnMapping, rememberedMapping } from '../store/column-mappings.ts';
import { formatLocal } from '../domain/period.ts';
import { planSourceOf } from '../plan-source.ts';
import { describePreview } from '../plans/describe-preview.ts';
import { writePlanWorkbook } from '../plans/export-plan.ts';
import type { Store } from '../store/database.ts';
import { applyImport, previewImport } from '../store/import-plan.ts';
import { dropPlanUpload, findPlanUpload, keepPlanUpload, PLAN_UPLOAD_MAX_BYTES } from '../store/plan-uploads.ts';
import { planUnits } from '../store/plan-units.ts';
import { allPlans, setPlanStatus } from '../store/plans.ts';
import { activeTasks, countActiveTasks } from '../store/task-queries.ts';
import { departmentNames } from '../store/departments-repo.ts';
import { mergeUnit, removeUnit, UnitChangeRefused } from '../store/unit-changes.ts';
import type { WebAuth } from './auth.ts';
import { readUpload } from './multipart.ts';

const PLAN_EXTENSIONS = /\.(docx|xlsx|doc|txt)$/i;

export interface PlanAdminDeps {
  store: Store;
  clock: Clock;
  auth: WebAuth;
  page(ctx: Context, template: string, view: object, status?: number): void;
}

export function addPlanAdminRoutes(router: Router, deps: PlanAdminDeps): void {
  const { store, clock, auth } = deps;

  const requireAdmin = (ctx: Context) => {
    ctx.assert(canAdministerPlans(ctx.state.viewer), 403, '方案管理仅限管理员。');
  };
  const formOf = async (ctx: Context, maxFileBytes: number) => {
    const form = await readUpload(ctx, maxFileBytes);
    ctx.assert(auth.checkFormToken(ctx, form.fields.csrf ?? ''), 403, '页面已过期，请刷新后重试。');
    return form;
  };
  const listPage = async (ctx: Context, notice: string | null = null, status = 200) => {
    const plans = await allPlans(store);
    const counts = await Promise.all(plans.map((p) => countActiveTasks(store, p._id)));
    const units = await Promise.all(plans.map((p) => planUnits(store, p._id)));
    deps.page(ctx, 'plans', {
      title: '方案', notice, csrf: auth.formToken(ctx),
      plans: plans.map((p, i) => ({
        id: String(p._id), name: p.name, title: p.title, docNumber: p.docNumber, active: p.status === 'active', tasks: counts[i],
        importedAt: formatLocal(p.importedAt, 'YYYY-MM-DD HH:mm'), units: units[i],
      })),
    }, status);
  };

  router.get('/plans', async (ctx: Context) => {
    requireAdmin(ctx);
    await listPage(ctx);
  });

  // Upload → preview. Nothing is imported here; the bytes wait for 确认导入 (or for a choice of columns).
  router.post('/plans/preview', async (ctx: Context) => {
    requireAdmin(ctx);
    const form = await formOf(ctx, PLAN_UPLOAD_MAX_BYTES);
    const file = form.file;
    if (!file || file.bytes.length === 0) return ctx.throw(400, '请选择一个方案文件（.docx、.xlsx、.doc 或 .txt）。');
    ctx.assert(PLAN_EXTENSIONS.test(file.filename), 400, '只接收 .docx、.xlsx、.doc 或 .txt 格式的方案文件。');
    const name = (form.fields.name ?? '').trim() || undefined;
    await previewPage(ctx, file.bytes, file.filename, name, null);
  });

  // The admin chose what each column holds: preview the same upload again with those roles.
  router.post('/plans/remap', async (ctx: Context) => {
    requireAdmin(ctx);
    const form = await formOf(ctx, 0);
    const upload = await findPlanUpload(store, form.fields.upload ?? '', ctx.state.viewer.userid, clock.now());
    if (!upload) return ctx.throw(410, '这份上传已过期或已导入，请重新上传。');
    const roles: (ColumnRole | null)[] = [];
    for (const [key, value] of Object.entries(form.fields)) {
      const m = /^col_(\d{1,2})$/.exec(key);
      if (m) roles[Number(m[1])] = ROLE_NAMES[value ?? ''] ?? null;
    }
    const columns = Array.from({ length: roles.length }, (_, i) => roles[i] ?? null);
    ctx.assert(columns.some((r) => r === 'topic' || r === 'text'), 400, '请至少把一列选为“任务”或“任务内容”。');
    await dropPlanUpload(store, form.fields.upload!);
    await previewPage(ctx, upload.bytes, upload.filename, (form.fields.name ?? '').trim() || undefined, columns);
  });

  async function previewPage(ctx: Context, bytes: Buffer, filename: string, name: string | undefined, given: (ColumnRole | null)[] | null) {
    const { preview, parsed } = await previewOf(bytes, filename, name, given);
    // A readable document keeps its bytes even when refused for want of tasks: the admin may say what its columns hold.
    const mappable = parsed !== null && parsed.tables.some((t) => t.columns.length > 0);
    const upload = !preview.refusal || mappable ? await keepPlanUpload(store, { userid: ctx.state.viewer.userid, filename, bytes, at: clock.now() }) : null;
    const table = parsed?.tables.find((t) => t.by !== null) ?? parsed?.tables.find((t) => t.columns.length > 0) ?? null;
    deps.page(ctx, 'plan-preview', {
      title: '导入预览', filename, lines: describePreview(preview), refusal: preview.refusal, upload, name: name ?? '', csrf: auth.formToken(ctx),
      columns: given ? formatColumnSpec(given) : '',
      mapping: table && upload ? table.columns.map((c, i) => ({ index: i, letter: c.letter, header: c.header, role: c.role })) : [],
      roles: ['不用', ...Object.keys(ROLE_NAMES)],
      // The tasks as parsed, so the admin checks them before 确认导入: 编号, 任务, 牵头, 配合, 时限.
      tasks: (parsed?.tasks ?? []).map((t) => {
        const lead = t.lead.length ? t.lead : t.collective || t.departments.length !== 1 ? [] : t.departments;
        return {
          code: t.code, title: t.title, lead: lead.join('、'), assist: t.departments.filter((d) => !lead.includes(d)).join('、'),
          deadline: t.deadlineText ?? t.deadline ?? '', collective: t.collective,
        };
      }),
    }, preview.refusal ? 422 : 200);
  }

  router.post('/plans/import', async (ctx: Context) => {
    requireAdmin(ctx);
    const form = await formOf(ctx, 0);
    const upload = await findPlanUpload(store, form.fields.upload ?? '', ctx.state.viewer.userid, clock.now());
    if (!upload) return ctx.throw(410, '这份上传已过期或已导入，请重新上传。');
    if (form.fields.action === 'cancel') {
      await dropPlanUpload(store, form.fields.upload!);
      await listPage(ctx, '已取消，没有导入任何内容。');
      return;
    }
    const name = (form.fields.name ?? '').trim() || undefined;
    const given = form.fields.columns ? parseColumnSpec(form.fields.columns) : null;
    const columns = given ?? (await rememberedMapping(store, (await planSourceOf(upload.bytes, upload.filename, { knownUnits: await knownUnits() })).parsed.tables));
    const { parsed, sourceHash } = await planSourceOf(upload.bytes, upload.filename, { knownUnits: await knownUnits(), columns });
    const preview = await previewImport(store, parsed, { name });
    ctx.assert(!preview.refusal, 422, preview.refusal ?? ''); // the database changed since the preview
    const result = await applyImport(store, parsed, preview, { sourceHash, clock, actor: ctx.state.viewer.userid });
    if (given) {
      for (const t of parsed.tables.filter((t) => t.by === 'mapping')) await rememberColumnMapping(store, t.headerKey, given, ctx.state.viewer.userid, clock.now());
    }
    await dropPlanUpload(store, form.fields.upload!);
    await listPage(ctx, `已导入《${result.title}》（简称 ${result.name}）：新增 ${result.created.length}，更新 ${result.updated.length}，未变 ${result.unchanged.length}，停用 ${result.retired.length}。`);
  });

  router.post('/plans/:id/status', async (ctx: Context) => {
    requireAdmin(ctx);
    const form = await formOf(ctx, 0);
    const plan = (await allPlans(store)).find((p) => String(p._id) === ctx.params.id);
    if (!plan) return ctx.throw(404, '没有这个方案。');
    const status = form.fields.status === 'archived' ? 'archived' : form.fields.status === 'active' ? 'active' : null;
    if (!status) return ctx.throw(400, '请用页面上的按钮操作。');
    const changed = await setPlanStatus(store, clock, ctx.state.viewer.userid, plan, status);
    const label = status === 'active' ? '进行中' : '已归档';
    await listPage(ctx, changed ? `《${plan.title}》已改为${label}。` : `《${plan.title}》已经是${label}，未做修改。`);
  });

  // 合并单位 / 删除单位, as in chat: a misspelled unit merged into the right one, or a unit added by mistake removed.
  router.post('/plans/:id/units', async (ctx: Context) => {
    requireAdmin(ctx);
    const form = await formOf(ctx, 0);
    const unit = (form.fields.unit ?? '').trim();
    const reason = (form.fields.reason ?? '').trim();
    const actor = ctx.state.viewer.userid;
    ctx.assert(unit, 400, '请选择单位。');
    try {
      if (form.fields.action === 'merge') {
        const into = (form.fields.into ?? '').trim();
        ctx.assert(into, 400, '请填写正确的单位名称。');
        const r = await mergeUnit(store, clock, actor, unit, into, reason);
        await listPage(ctx, `已把“${r.from}”合并到“${r.into}”：任务 ${r.tasks.length} 项、成员 ${r.members.length} 人转过去，原有 ${r.reports} 条汇报计入${r.into}。`);
      } else if (form.fields.action === 'remove') {
        ctx.assert(reason, 400, '请写明删除原因。');
        const r = await removeUnit(store, clock, actor, unit, reason);
        await listPage(ctx, `已删除单位“${r.unit}”${r.tasks.length ? `，已从 ${r.tasks.length} 项任务中去掉` : ''}。`);
      } else {
        ctx.throw(400, '请用页面上的按钮操作。');
      }
    } catch (err) {
      if (!(err instanceof UnitChangeRefused)) throw err;
      await listPage(ctx, err.message, 422);
    }
  });

  router.get('/plans/:id/export.xlsx', async (ctx: Context) => {
    requireAdmin(ctx);
    const plan = (await allPlans(store)).find((p) => String(p._id) === ctx.params.id);
    if (!plan) return ctx.throw(404, '没有这个方案。');
    const tasks = await activeTasks(store, plan._id);
    ctx.set('Content-Disposition', `attachment; filename="plan.xlsx"; filename*=UTF-8''${encodeURIComponent(`${plan.name}-任务分解表.xlsx`)}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.body = await writePlanWorkbook(plan, tasks);
  });

  async function knownUnits(): Promise<string[]> {
    return departmentNames(store);
  }

  /** The preview, or a refusal made of a file that is not what it claims (nothing is kept then). */
  async function previewOf(bytes: Buffer, filename: string, name: string | undefined, given: (ColumnRole | null)[] | null) {
    try {
      const units = await knownUnits();
      let { parsed } = await planSourceOf(bytes, filename, { knownUnits: units, columns: given });
      // A header seen before is read with the mapping given for it then.
      const remembered = given === null ? await rememberedMapping(store, parsed.tables) : null;
      if (remembered !== null) ({ parsed } = await planSourceOf(bytes, filename, { knownUnits: units, columns: remembered }));
      return { preview: await previewImport(store, parsed, { name }), parsed: parsed as ParsedPlan | null };
    } catch (err) {
      if (!(err instanceof PlanReadError)) throw err;
      return {
        parsed: null,
        preview: {
          planKey: '', name: name ?? '', title: filename, docNumber: null, existingStatus: null, tasks: 0, created: [], updated: [], unchanged: [],
          retired: [], responsibility: [], departmentsAdded: [], newUnits: [], units: { collectiveLabel: '', collectiveTasks: 0, after: [], joining: [] }, columns: [], rows: [], warnings: [], refusal: `${err.message}没有导入，现有方案未改动。`,
        },
      };
    }
  }
}

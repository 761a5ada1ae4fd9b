// Several plans at once, through the real encrypted callback and the real CLI on the embedded database: imports
// that preview before they write and refuse what is not a plan, codes qualified by a plan's short name,
// ambiguity that writes nothing, digests and reminders over the active plans only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/cli/plan.ts';
import type { CliContext } from '../../src/cli/runtime.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { buildDigest } from '../../src/jobs/digest.ts';
import { buildReminders } from '../../src/jobs/reminder.ts';
import { createLogger } from '../../src/logger.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { activePlans } from '../../src/store/plans.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/plans/multi');
const SAFETY = join(FIXTURES, 'anquan-2021.txt');

let store: Store;
let h: Harness;
let ctx: CliContext;
let lines: string[] = [];

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  lines = [];
  const code = await runPlanCommand(argv, ctx);
  return { code, out: lines.join('\n') };
}

async function say(userid: string, text: string): Promise<string> {
  const reply = await h.say(userid, text);
  if (reply === null) throw new Error(`no reply to ${text}`);
  return reply;
}

beforeAll(async () => {
  store = await openTestStore('plans');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'yjb', name: '应急办联络员', departments: ['应急办'], roles: ['member'] },
    { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
  ]);
  h = await startHarness(store, { passiveBudgetMs: 20_000 });
  ctx = {
    config: loadConfig({}, { dotenvPath: null }),
    logger: createLogger('silent'),
    clock: h.clock,
    out: (line) => lines.push(line),
    store: async () => store,
    close: async () => undefined,
  };
});
afterAll(async () => {
  await h?.close();
  await store?.close();
});

describe('imports that cannot hurt', () => {
  it('refuses a meeting notice with no tasks, with a non-zero exit, and the liaison’s tasks stay as they were', async () => {
    const before = await say('jmb', '我的任务');
    const r = await cli('import', join(FIXTURES, 'meeting-notice.txt'), '--yes');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('没有识别出任务');
    expect(r.out).toContain('现有方案未改动');
    expect(await store.models.Plan.countDocuments({})).toBe(1);
    expect(await store.models.Task.countDocuments({ retired: false })).toBe(65);
    expect(await say('jmb', '我的任务')).toBe(before);
  });

  it('only previews without --yes: counts, units, the command to confirm, and nothing written', async () => {
    const r = await cli('import', SAFETY);
    expect(r.code).toBe(0);
    expect(r.out).toContain('新方案');
    expect(r.out).toContain('简称：安全生产');
    expect(r.out).toContain('识别任务 5 项：新增 5');
    expect(r.out).toContain('--yes');
    expect(await store.models.Plan.countDocuments({})).toBe(1);
    expect(await store.models.Task.countDocuments({})).toBe(65);
  });

  it('imports a second plan whose codes collide with the first beside it, leaving the first untouched', async () => {
    const r = await cli('import', SAFETY, '--yes');
    expect(r.code).toBe(0);
    expect(r.out).toContain('已导入');
    const list = await cli('list', '--json');
    const plans = JSON.parse(list.out) as Array<{ key: string; name: string; title: string; docNumber: string; status: string; tasks: number }>;
    expect(plans.map((p) => [p.name, p.status, p.tasks])).toEqual([['政务公开', 'active', 65], ['安全生产', 'active', 5]]);
    expect(plans[1]).toMatchObject({ key: '旺政发〔2021〕52号', docNumber: '旺政发〔2021〕52号', title: '2021年安全生产专项整治工作实施方案' });
  });

  it('refuses a plan whose short name another plan already has, and accepts it under --name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    const { writeFileSync, readFileSync } = await import('node:fs');
    const other = join(dir, 'other.txt');
    writeFileSync(other, readFileSync(SAFETY, 'utf8').replace('旺政发〔2021〕52号', '旺政发〔2021〕60号'));
    const refused = await cli('import', other, '--yes');
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain('简称“安全生产”已被');
    expect(await store.models.Plan.countDocuments({})).toBe(2);
    const named = await cli('import', other, '--name', '安全生产二', '--yes');
    expect(named.code).toBe(0);
    expect(await cli('archive', '安全生产二')).toMatchObject({ code: 0 });
  });
});

describe('codes in chat across plans', () => {
  it('writes nothing for an ambiguous code, names both plans and gives the exact commands', async () => {
    const reports = await store.models.Report.countDocuments({});
    const reply = await say('jmb', '汇报 1.2 60% 已排查三家企业');
    expect(reply).toContain('未做任何记录');
    expect(reply).toContain('政务公开');
    expect(reply).toContain('安全生产');
    expect(reply).toContain('汇报 政务公开1.2 60% 已排查三家企业');
    expect(reply).toContain('汇报 安全生产1.2 60% 已排查三家企业');
    expect(await store.models.Report.countDocuments({})).toBe(reports);
  });

  it('records the qualified report in the named plan, glued or spaced, by full name or a prefix', async () => {
    const safety = (await activePlans(store)).find((p) => p.name === '安全生产')!;
    expect(await say('jmb', '汇报 安全生产1.2 60% 已排查三家企业')).toContain('已记录');
    expect(await say('jmb', '汇报 政务公开 1.2 50%')).toContain('已记录');
    const safetyReports = await store.models.Report.find({ planId: safety._id }).lean();
    expect(safetyReports.map((r) => [r.taskCode, r.department, r.percent])).toEqual([['1.2', '经贸办', 60]]);
    const detail = await say('jmb', '任务 安全 1.2');
    expect(detail).toContain('开展重点企业安全生产大检查');
    expect(detail).toContain('已排查三家企业');
  });

  it('takes an unqualified code that only one plan has, as before', async () => {
    expect(await say('jmb', '任务 7.5')).toMatch(/任务 政务公开7\.5｜[\s\S]*经贸办/);
    expect(await say('yjb', '汇报 1.3 30% 网格员已配齐')).toContain('已记录');
  });

  it('answers an unknown short name with the plans there are', async () => {
    const reply = await say('jmb', '任务 乡村振兴1.2');
    expect(reply).toContain('没有简称为“乡村振兴”的方案');
    expect(reply).toContain('政务公开');
  });

  it('groups 我的任务 and 待汇报 by plan', async () => {
    const mine = await say('jmb', '我的任务');
    expect(mine).toContain('【政务公开】');
    expect(mine).toContain('【安全生产】');
    expect(mine.indexOf('【政务公开】')).toBeLessThan(mine.indexOf('【安全生产】'));
    expect(mine).toContain('安全生产1.1');
    expect(await say('yjb', '待汇报')).toContain('【安全生产】');
  });

  it('searches every active plan', async () => {
    const reply = await say('jmb', '搜索 隐患');
    expect(reply).toContain('安全生产1.1');
  });

  it('lists the plans with short names, status and reporting rate for admins', async () => {
    const reply = await say('admin', '方案');
    expect(reply).toMatch(/政务公开｜进行中｜65 项｜本周汇报率 \d+%/);
    expect(reply).toMatch(/安全生产｜进行中｜5 项/);
    expect(reply).toContain('安全生产二｜已归档');
    expect(await say('jmb', '方案')).not.toContain('政务公开｜');
  });
});

describe('the weekly cycle across plans', () => {
  it('covers both plans in the digest, a section each', async () => {
    const built = await buildDigest(store, await activePlans(store), '2021-W30', h.clock.now(), { mentions: false });
    const text = built.detailParts.join('\n');
    expect(built.groupParts.join('\n')).toContain('（2 个方案）');
    expect(text).toContain('【政务公开】2021年政务公开工作实施方案');
    expect(text).toContain('【安全生产】2021年安全生产专项整治工作实施方案');
    expect(built.plans.map((p) => p.plan.name)).toEqual(['政务公开', '安全生产']);
    expect(built.digest.taskCount).toBe(65 + 5);
    // The group's chart draws the town's figures over both plans, and names them.
    expect(built.chartView).toMatchObject({ plan: '2 个方案：政务公开、安全生产', rate: built.digest.rate, lights: built.digest.lights });
    expect(built.chartView.departments).toEqual(built.digest.departments);
  });

  it('still sends one reminder per member, and none for an archived plan', async () => {
    const before = await buildReminders(store, await activePlans(store), h.clock.now());
    const yjb = before.filter((r) => r.userid === 'yjb');
    expect(yjb).toHaveLength(1);
    expect(yjb[0]!.tasks.some((t) => t.startsWith('安全生产'))).toBe(true);

    expect((await cli('archive', '安全')).out).toContain('改为已归档');
    const after = await buildReminders(store, await activePlans(store), h.clock.now());
    expect(after.flatMap((r) => r.tasks).some((t) => t.startsWith('安全生产'))).toBe(false);
    expect(await say('jmb', '我的任务')).not.toContain('安全生产');
    // Archived plans stay reachable by a qualified code; the bare code now means the only active plan's.
    expect(await say('jmb', '任务 安全生产1.2')).toContain('已归档');
    expect(await say('jmb', '任务 1.2')).not.toContain('安全生产');

    expect((await cli('activate', '安全生产')).out).toContain('改为进行中');
    expect((await activePlans(store)).map((p) => p.name)).toEqual(['政务公开', '安全生产']);
  });

  it('re-importing one plan never touches the other', async () => {
    const safety = (await activePlans(store)).find((p) => p.name === '安全生产')!;
    const before = await store.models.Task.find({ planId: safety._id }).lean();
    expect((await cli('import', BUNDLED_PLAN, '--yes')).code).toBe(0);
    expect(await store.models.Task.find({ planId: safety._id }).lean()).toEqual(before);
  });
});

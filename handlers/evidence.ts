// 佐证: photos as evidence. A photo right after a report (within 30 minutes) proves that report's task and unit;
// otherwise the bot asks, and `佐证 <编号>` within 30 minutes gives the waiting photos their task. The photo itself is
// downloaded by a queue (src/evidence/media-downloads.ts), outside WeCom's callback window.
import type { ArgValues, CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { assignPhotos, enqueueMediaDownload, unassignedPhotos } from '../src/evidence/media-downloads.ts';
import type { EvidenceTarget } from '../src/store/evidence-models.ts';
import type { ReportDoc } from '../src/store/models.ts';
import { latestReportBy } from '../src/store/report-log.ts';
import { activePlans, allPlans } from '../src/store/plans.ts';
import { chooseDepartment, codeLabel, requireTask } from './lib/tasks.ts';

/** How long a report takes the photos that follow it, and how long a photo waits for `佐证 <编号>`. */
export const EVIDENCE_WINDOW_MS = 30 * 60_000;

export const evidence: CommandSpec = {
  name: '佐证',
  aliases: ['佐证材料', '附照片'],
  summary: '把刚发的照片作为任务的佐证材料（先发照片，再回复 佐证 编号）',
  args: [{ name: '编号', kind: 'taskCode', optional: true }, { name: '部门', kind: 'department', optional: true }],
  example: '佐证 7.5',
  access: 'member',
  forUnits: true,
  acceptsImage: true,
  run: (ctx, args) => (ctx.inbound.image ? receivePhoto(ctx, ctx.inbound.image.mediaId) : assignWaitingPhotos(ctx, args)),
};

async function receivePhoto(ctx: CommandContext, mediaId: string): Promise<string> {
  const { store, inbound } = ctx;
  const msgId = inbound.msgId ?? `${inbound.userid}:${inbound.at.getTime()}`;
  const latest = await latestReport(ctx, new Date(inbound.at.getTime() - EVIDENCE_WINDOW_MS));
  const target: EvidenceTarget | null = latest
    ? { planId: latest.planId, taskId: latest.taskId, taskCode: latest.taskCode, department: latest.department }
    : null;
  await enqueueMediaDownload(store, { msgId, mediaId, userid: inbound.userid, at: inbound.at, target });
  ctx.media?.kick();
  if (target) {
    const label = await labelOf(ctx, target);
    return `已收到照片，作为 ${label}（${target.department}）的佐证保存。\n查看：任务 ${label}`;
  }
  return '收到照片。这是哪项任务的佐证？请在 30 分钟内回复，例如：\n佐证 7.5';
}

async function assignWaitingPhotos(ctx: CommandContext, args: ArgValues): Promise<string> {
  const since = new Date(ctx.inbound.at.getTime() - EVIDENCE_WINDOW_MS);
  const photos = await unassignedPhotos(ctx.store, ctx.inbound.userid, since);
  if (!args['编号']) {
    return photos.length
      ? `有 ${photos.length} 张照片在等您指明任务。请回复：佐证 编号（例如：佐证 7.5）`
      : '佐证照片的发法：先在这里直接发送照片，再回复：佐证 编号（例如：佐证 7.5）。汇报后 30 分钟内发的照片会自动归到那次汇报。';
  }
  if (photos.length === 0) {
    throw new BotError('no_waiting_photo', '30 分钟内没有等待指明任务的照片，未做记录。请先发送照片，再回复：佐证 编号');
  }
  const named = (args['部门'] as string | undefined) ?? null;
  const { plan, task } = await requireTask(ctx, args, { retry: (code) => `佐证 ${code}${named ? ` ${named}` : ''}` });
  const label = codeLabel(plan, task, await activePlans(ctx.store));
  const department = chooseDepartment(ctx, task, named, (d) => `佐证 ${label} ${d}`);
  const n = await assignPhotos(ctx.store, photos, { planId: plan._id, taskId: task._id, taskCode: task.code, department });
  ctx.media?.kick();
  return `已把 ${n} 张照片作为 ${label}（${department}）的佐证。\n查看：任务 ${label}`;
}

/** This member's latest report since `since`: the one a photo sent now belongs to. */
async function latestReport(ctx: CommandContext, since: Date): Promise<ReportDoc | null> {
  return latestReportBy(ctx.store, ctx.inbound.userid, since, ctx.inbound.at);
}

async function labelOf(ctx: CommandContext, target: EvidenceTarget): Promise<string> {
  const plan = (await allPlans(ctx.store)).find((p) => String(p._id) === String(target.planId));
  return plan ? codeLabel(plan, { code: target.taskCode }, await activePlans(ctx.store)) : target.taskCode;
}

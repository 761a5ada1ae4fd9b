// How a record reads, in one place for chat and the pages: the stage in words, with its reason, its date and 超期.
// Formatting only: the stage itself comes from the lifecycle.
import { formatLocal } from '../domain/period.ts';
import { describeProgress } from '../domain/progress.ts';
import { STAGE_LABEL } from '../domain/lifecycle.ts';
import type { Standing } from '../domain/standing.ts';
import { LIGHT_ICON } from '../domain/status-light.ts';

type Words = Pick<Standing, 'stage' | 'reason' | 'since' | 'latest' | 'overdueDays'>;

/** "推进中 60%（12月1日）", "已完成，待审核（12月1日）", "退回：缺少佐证材料（12月2日）", "尚未汇报，⏰超期 3 天". */
export function stageText(s: Words): string {
  return stageOnly(s) + overdueText(s);
}

/** The stage and its reason and date, without 超期. */
export function stageOnly(s: Words): string {
  const when = s.since ? `（${formatLocal(s.since, 'M月D日')}）` : '';
  switch (s.stage) {
    case 'pending_review': return `已完成，待审核${when}`;
    case 'closed': return `已销号${when}`;
    case 'returned': return `退回：${s.reason ?? ''}${when}`;
    case 'blocked': return `${STAGE_LABEL.blocked}${s.reason ? `：${s.reason}` : ''}${when}`;
    case 'in_progress':
    case 'not_started':
      return s.latest ? `${describeProgress(s.latest)}${when}` : '尚未汇报';
  }
}

/** "，⏰超期 3 天" for an unfinished part past its deadline, else "". */
export function overdueText(s: Pick<Standing, 'overdueDays'>): string {
  return s.overdueDays > 0 ? `，⏰超期 ${s.overdueDays} 天` : '';
}

/** The record's icon: its light (✅ only when finished; a 退回 is no longer ✅). */
export function stageIcon(s: Pick<Standing, 'light'>): string {
  return LIGHT_ICON[s.light];
}

/** The short label of a stage for lists and filters: 未启动 / 推进中 / 受阻 / 待审核 / 已销号 / 退回. */
export function stageLabel(s: Pick<Standing, 'stage' | 'latest'>): string {
  return s.stage === 'not_started' && !s.latest ? '未汇报' : STAGE_LABEL[s.stage];
}

/**
 * A unit's deadline for lists and the 台账: the task's wording, or after an approved 延期 its date with the original
 * kept in sight: "2026-12-31（已延期，原时限 2021年年底前）".
 */
export function unitDeadlineText(task: { deadline: string | null; deadlineText?: string | null }, s: Pick<Standing, 'deadline' | 'extension'>): string {
  const original = task.deadlineText ?? task.deadline ?? '';
  return s.extension ? `${s.deadline}（已延期，原时限 ${original || '未规定'}）` : original;
}

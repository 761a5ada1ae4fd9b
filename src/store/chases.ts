// 催办 records (who, when, note; by a person or by the weekly escalation) and the per-day notice claims that
// keep any member from getting more than one message of a kind a day.
import { Types } from 'mongoose';
import { TIME_ZONE } from '../config.ts';
import { dayjs, shanghaiDate } from '../domain/period.ts';
import { isWorkingDay } from '../domain/workdays.ts';
import type { Store } from './database.ts';
import { noteStandingChange } from './progress-cache.ts';
import { isDuplicateKeyError, type TaskDoc } from './models.ts';
import { loopModels, type ChaseDoc } from './loop-models.ts';

export interface NewChase {
  task: Pick<TaskDoc, '_id' | 'code' | 'planId'>;
  department: string;
  kind: ChaseDoc['kind'];
  actor: string;
  note: string;
  at: Date;
  /** Makes the record idempotent: the source message for a manual 催办, `auto:<week>` for the escalation. */
  idempotencyKey: string | null;
}

export async function recordChase(store: Store, c: NewChase): Promise<{ chase: ChaseDoc; created: boolean }> {
  const { Chase } = await loopModels(store);
  const key = c.idempotencyKey ? `${c.idempotencyKey}|${String(c.task._id)}|${c.department}` : `local:${new Types.ObjectId().toHexString()}`;
  const doc: ChaseDoc = {
    _id: key, key, planId: c.task.planId, taskId: c.task._id, taskCode: c.task.code, department: c.department,
    kind: c.kind, actor: c.actor, note: c.note, at: c.at,
  };
  try {
    await Chase.collection.insertOne(doc as never);
    noteStandingChange(store);
    return { chase: doc, created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await Chase.findOne({ _id: key }).lean<ChaseDoc>();
    if (!existing) throw err;
    return { chase: existing, created: false };
  }
}

/** A task's 催办 records, newest first. */
export async function chasesOfTask(store: Store, taskId: Types.ObjectId): Promise<ChaseDoc[]> {
  const { Chase } = await loopModels(store);
  return (await Chase.find({ taskId }).lean<ChaseDoc[]>()).sort((a, b) => b.at.getTime() - a.at.getTime());
}

/**
 * Claims "KIND to USERID on DAY". True the first time only: the caller sends then, and never again that day.
 * A claim whose message was never enqueued (a crash in between) is lost; the record itself is kept.
 */
export async function claimDailyNotice(store: Store, kind: string, day: string, userid: string, at: Date): Promise<boolean> {
  const { NoticeClaim } = await loopModels(store);
  try {
    await NoticeClaim.collection.insertOne({ _id: `${kind}:${day}:${userid}`, at } as never);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** When a held-back notice goes out: 09:15 (Shanghai) of its day, off the :00/:30 marks WeCom asks us to avoid. */
const HELD_NOTICE_TIME = '09:15';

/**
 * The moment a notice of KIND to USERID may go: now, if nothing of that kind went to them today; else 09:15 on
 * the next working day still free. Nothing is dropped, and nobody gets two of a kind on one day.
 */
export async function claimNoticeSlot(store: Store, kind: string, userid: string, now: Date): Promise<{ at: Date; today: boolean }> {
  const today = shanghaiDate(now);
  if (await claimDailyNotice(store, kind, today, userid, now)) return { at: now, today: true };
  let day = dayjs(today);
  for (let i = 0; i < 60; i++) {
    day = day.add(1, 'day');
    const s = day.format('YYYY-MM-DD');
    if (!isWorkingDay(s)) continue;
    if (await claimDailyNotice(store, kind, s, userid, now)) return { at: dayjs.tz(`${s} ${HELD_NOTICE_TIME}`, TIME_ZONE).toDate(), today: false };
  }
  return { at: now, today: true }; // sixty full days: never in practice; sending beats losing it
}

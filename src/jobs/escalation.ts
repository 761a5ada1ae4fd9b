// The weekly escalation, run with the digest about week W: a (task, department) red at the end of W and of the
// week before (受阻, 超期, or no report for two weeks) gets an automatic 催办 — recorded, and its liaisons get one
// message listing all of theirs — and each leader gets one list of the red items in the departments in their
// charge (分管). Keys carry the week, so a rerun records and sends nothing twice.
import { Types } from 'mongoose';
import type { Clock } from '../clock.ts';
import { render } from '../bot/render.ts';
import { weekStart } from '../domain/period.ts';
import { describeProgress } from '../domain/progress.ts';
import type { Standing } from '../domain/standing.ts';
import { compareCodes } from '../domain/digest.ts';
import type { Store } from '../store/database.ts';
import type { MemberDoc, PlanDoc } from '../store/models.ts';
import { claimNoticeSlot, recordChase } from '../store/chases.ts';
import { allCharges } from '../store/leader-charges.ts';
import { loadStandings } from '../standing/index.ts';
import { liaisonsByDepartment } from './loop-recipients.ts';
import type { LoopMessage } from './loop-run.ts';

const WEEK = 7 * 24 * 3600 * 1000;

export const ESCALATION_ACTOR = 'system:escalation';

interface RedItem {
  code: string;
  title: string;
  department: string;
  reason: string;
  /** Red two weeks running: chased automatically this week. */
  escalated: boolean;
}

function reasonOf(c: Standing): string {
  if (c.stage === 'blocked') return `受阻${c.reason ? `：${c.reason}` : ''}`;
  if (c.overdue) return `超期（时限 ${c.deadline}）`;
  return c.latest ? `两周以上未汇报（上次：${describeProgress(c.latest)}）` : '两周以上未汇报';
}

/** `preview` writes nothing: no 催办 recorded, no daily claim taken (the CLI's look before a run). */
export async function buildEscalation(store: Store, plans: PlanDoc[], week: string, now: Date, clock: Clock, opts: { preview?: boolean } = {}): Promise<{ messages: LoopMessage[]; chased: number }> {
  const start = weekStart(week);
  if (!start) throw new Error(`not a week: ${week}`);
  const end = new Date(start.getTime() + WEEK);
  const prevStart = new Date(start.getTime() - WEEK);
  const asOf = now < end ? now : new Date(end.getTime() - 1);
  const several = plans.length > 1;
  const red: RedItem[] = [];
  let chased = 0;
  for (const plan of plans) {
    const current = await loadStandings(store, plan, { start, end }, asOf);
    const before = await loadStandings(store, plan, { start: prevStart, end: start }, new Date(start.getTime() - 1));
    const redBefore = new Set(before.filter((c) => c.light === 'red').map((c) => `${c.task.id}|${c.department}`));
    for (const c of current.filter((x) => x.light === 'red')) {
      const escalated = redBefore.has(`${c.task.id}|${c.department}`);
      const item = { code: several ? `${plan.name}${c.task.code}` : c.task.code, title: c.task.title, department: c.department, reason: reasonOf(c), escalated };
      red.push(item);
      if (!escalated || opts.preview) continue;
      const { created } = await recordChase(store, {
        task: { _id: new Types.ObjectId(c.task.id), code: c.task.code, planId: plan._id }, department: c.department,
        kind: 'auto', actor: ESCALATION_ACTOR, note: `连续两周红灯：${item.reason}`, at: clock.now(), idempotencyKey: `auto:${week}`,
      });
      if (created) chased++;
    }
  }
  red.sort((a, b) => compareCodes(a.code.replace(/^\D+/, ''), b.code.replace(/^\D+/, '')) || a.department.localeCompare(b.department, 'zh-CN'));
  const messages: LoopMessage[] = [];

  const escalated = red.filter((r) => r.escalated);
  const liaisons = await liaisonsByDepartment(store);
  for (const m of liaisons.members) {
    const mine = escalated.filter((r) => m.departments.includes(r.department));
    if (mine.length === 0) continue;
    // The automatic 催办 and a person's 催办 are one kind: one a day per member, a second waits for the next working day.
    const slot = opts.preview ? { today: true, at: now } : await claimNoticeSlot(store, 'chase', m.userid, clock.now());
    messages.push({
      userid: m.userid, notBefore: slot.today ? undefined : slot.at,
      text: render('escalation-notice', { week, items: mine, showDepartment: m.departments.length > 1, example: mine[0]!.code }),
    });
  }

  const leaders = new Map((await store.models.Member.find({ active: true, roles: 'leader' }).lean<MemberDoc[]>()).map((m) => [m.userid, m]));
  for (const charge of await allCharges(store)) {
    if (!leaders.has(charge._id)) continue; // no longer a leader, or inactive: the charge stays, the list pauses
    const mine = red.filter((r) => charge.departments.includes(r.department));
    if (mine.length === 0) continue;
    messages.push({
      userid: charge._id,
      text: render('leader-red-list', { week, departments: charge.departments.join('、'), items: mine, escalated: mine.filter((r) => r.escalated).length, example: mine[0]! }),
    });
  }
  return { messages, chased };
}

// The weekly digest for a week that has ended, over every active plan (a section each): markdown for the
// 党政办 group robot, text for leaders.
import { render } from '../bot/render.ts';
import { computeDigest, type Digest } from '../domain/digest.ts';
import { formatLocal, weekStart } from '../domain/period.ts';
import type { Cell } from '../domain/snapshot.ts';
import { splitNumbered } from '../domain/text.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { loadSnapshot } from '../store/snapshot-queries.ts';
import { liaisonsOf } from '../store/task-assignments.ts';
import { APP_TEXT_MAX_BYTES, WEBHOOK_MARKDOWN_MAX_BYTES } from '../wecom/api-client.ts';

/** Long lists are cut: a county-sized plan must still give a digest people read. */
const LIST_LIMIT = { attention: 25, completed: 20, blocked: 15 };

export interface BuiltDigest {
  /** Every active plan together: the town's figures. */
  digest: Digest;
  /** One per active plan, in the order the digest lists them. */
  plans: Array<{ plan: PlanDoc; digest: Digest }>;
  groupParts: string[];
  leaderParts: string[];
}

async function weekCells(store: Store, plan: PlanDoc, week: string, now: Date): Promise<Cell[]> {
  const start = weekStart(week);
  if (!start) throw new Error(`not a week: ${week}`);
  const end = new Date(start.getTime() + 7 * 24 * 3600 * 1000);
  const asOf = now < end ? now : new Date(end.getTime() - 1);
  return loadSnapshot(store, plan, { start, end }, asOf);
}

export async function computeWeekDigest(store: Store, plan: PlanDoc, week: string, now: Date): Promise<Digest> {
  return computeDigest(week, await weekCells(store, plan, week, now));
}

export async function buildDigest(store: Store, plans: PlanDoc[], week: string, now: Date, opts: { mentions: boolean }): Promise<BuiltDigest> {
  const perPlan: BuiltDigest['plans'] = [];
  const allCells: Cell[] = [];
  for (const plan of plans) {
    const cells = await weekCells(store, plan, week, now);
    allCells.push(...cells);
    perPlan.push({ plan, digest: computeDigest(week, cells) });
  }
  const digest = computeDigest(week, allCells);
  const start = weekStart(week)!;
  const range = `${formatLocal(start, 'M月D日')}—${formatLocal(new Date(start.getTime() + 6 * 24 * 3600 * 1000), 'M月D日')}`;
  const mentions = opts.mentions ? await liaisonsOf(store, digest.silentDepartments) : [];
  // Several plans share the lists' room: each gets its share, so one long plan cannot crowd out the others.
  const share = (n: number) => Math.max(5, Math.ceil(n / Math.max(1, perPlan.length)));
  const sections = perPlan.map(({ plan, digest: d }) => ({
    title: perPlan.length > 1 ? `【${plan.name}】${plan.title}` : plan.title,
    prefix: perPlan.length > 1 ? plan.name : '',
    d,
    attention: d.attention.slice(0, share(LIST_LIMIT.attention)), moreAttention: Math.max(0, d.attention.length - share(LIST_LIMIT.attention)),
    completed: d.newlyCompleted.slice(0, share(LIST_LIMIT.completed)), moreCompleted: Math.max(0, d.newlyCompleted.length - share(LIST_LIMIT.completed)),
    blocked: d.blocked.slice(0, share(LIST_LIMIT.blocked)), moreBlocked: Math.max(0, d.blocked.length - share(LIST_LIMIT.blocked)),
  }));
  const view = (markdown: boolean) => ({ markdown, range, week, all: digest, several: perPlan.length > 1, mentions, sections });
  return {
    digest,
    plans: perPlan,
    groupParts: splitNumbered(render('digest', view(true)), WEBHOOK_MARKDOWN_MAX_BYTES),
    leaderParts: splitNumbered(render('digest', view(false)), APP_TEXT_MAX_BYTES),
  };
}

// The weekly digest for a week that has ended, over every active plan (a section each): markdown and a chart
// for the 党政办 group robot, text for leaders.
import { createHash } from 'node:crypto';
import { render } from '../bot/render.ts';
import type { ChartImage, DigestChartView } from '../charts/digest-chart.ts';
import { computeDigest, type Digest } from '../domain/digest.ts';
import { formatLocal, weekStart } from '../domain/period.ts';
import { markdownText } from '../domain/markdown-text.ts';
import type { Standing } from '../domain/standing.ts';
import { splitNumbered } from '../domain/text.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { loadStandings } from '../standing/index.ts';
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
  /** What the group's chart draws: the same figures as the text. */
  chartView: DigestChartView;
}

export interface DigestOptions {
  mentions: boolean;
  /** WEB_BASE_URL: the group digest links to the web 总览 when set. */
  webBaseUrl?: string;
  /** Sent late, after downtime: the digest's first line says so. */
  catchUp?: boolean;
}

async function weekCells(store: Store, plan: PlanDoc, week: string, now: Date): Promise<Standing[]> {
  const start = weekStart(week);
  if (!start) throw new Error(`not a week: ${week}`);
  const end = new Date(start.getTime() + 7 * 24 * 3600 * 1000);
  const asOf = now < end ? now : new Date(end.getTime() - 1);
  return loadStandings(store, plan, { start, end }, asOf);
}

export async function computeWeekDigest(store: Store, plan: PlanDoc, week: string, now: Date): Promise<Digest> {
  return computeDigest(week, await weekCells(store, plan, week, now));
}

export async function buildDigest(store: Store, plans: PlanDoc[], week: string, now: Date, opts: DigestOptions): Promise<BuiltDigest> {
  const perPlan: BuiltDigest['plans'] = [];
  const allCells: Standing[] = [];
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
  const overviewUrl = opts.webBaseUrl ? `${opts.webBaseUrl.replace(/\/+$/, '')}/web/` : undefined;
  const view = (markdown: boolean) => ({
    markdown, catchUp: opts.catchUp ?? false, range, week, all: digest, several: perPlan.length > 1, mentions, sections, overviewUrl: markdown ? overviewUrl : undefined,
    // What people typed stays text in the group's markdown: no links, no @-mentions, no headings.
    text: markdown ? markdownText : (s: string) => s,
  });
  return {
    digest,
    plans: perPlan,
    groupParts: splitNumbered(render('digest', view(true)), WEBHOOK_MARKDOWN_MAX_BYTES),
    leaderParts: splitNumbered(render('digest', view(false)), APP_TEXT_MAX_BYTES),
    // Over all active plans, as the text's headline figures are.
    chartView: {
      plan: perPlan.length === 1 ? perPlan[0]!.plan.title : `${perPlan.length} 个方案：${perPlan.map((p) => p.plan.name).join('、')}`, week, range, rate: digest.rate, reported: digest.reported, expected: digest.expected,
      departments: digest.departments, lights: digest.lights,
    },
  };
}

/**
 * The group's chart as a PNG. The renderer (ECharts, resvg, the font) is loaded on the first chart, not when
 * the service starts: it takes a few hundred milliseconds and most processes never draw one.
 */
export async function renderDigestChart(view: DigestChartView): Promise<ChartImage> {
  const charts = await import('../charts/digest-chart.ts');
  return charts.renderDigestChart(view);
}

/** The group robot's image message (doc 99110): base64 of the PNG and the md5 of its raw bytes. */
export function robotImageMessage(png: Buffer): { msgtype: 'image'; image: { base64: string; md5: string } } {
  return { msgtype: 'image', image: { base64: png.toString('base64'), md5: createHash('md5').update(png).digest('hex') } };
}

// The weekly digest for a week that has ended, over every active plan. What is sent is short enough for a phone
// (domain/digest-brief.ts): the group gets it as markdown and then the chart, leaders as text; the full text, a
// section per plan, is archived for the web 周报 page the messages link to. groupMessages() is what the job sends
// and what `digest --preview --group --json` prints: one code path, so a preview cannot drift from the sending.
import { createHash } from 'node:crypto';
import { render } from '../bot/render.ts';
import type { ChartImage, DigestChartView } from '../charts/digest-chart.ts';
import { computeDigest, type Digest } from '../domain/digest.ts';
import { briefView, digestBrief, type DigestBrief } from '../domain/digest-brief.ts';
import { formatLocal, previousWeekKey, weekStart } from '../domain/period.ts';
import type { Logger } from '../logger.ts';
import { markdownText } from '../domain/markdown-text.ts';
import type { Standing } from '../domain/standing.ts';
import { splitNumbered } from '../domain/text.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { loadStandings, loadStandingsOfPeriods } from '../standing/index.ts';
import { digestPageUrl } from '../web/links.ts';
import { liaisonsOf } from '../store/task-assignments.ts';
import { APP_TEXT_MAX_BYTES, WEBHOOK_MARKDOWN_MAX_BYTES } from '../wecom/api-client.ts';

/** Long lists are cut: a county-sized plan must still give a digest people read. */
const LIST_LIMIT = { attention: 25, completed: 20, blocked: 15 };

export interface BuiltDigest {
  /** Every active plan together: the town's figures. */
  digest: Digest;
  /** One per active plan, in the order the digest lists them. */
  plans: Array<{ plan: PlanDoc; digest: Digest }>;
  /** The town's figures of the week before, for the change in the rate (null: no week before the plan). */
  previous: Digest | null;
  /** The short form every message takes. */
  brief: DigestBrief;
  /** The group robot's markdown: one message, one phone screen. */
  groupParts: string[];
  /** The leaders' text: the same shape. */
  leaderParts: string[];
  /** Everything, a section per plan, as text: the web 周报 page shows it. */
  detailParts: string[];
  /** What the group's chart draws: the same figures as the text. */
  chartView: DigestChartView;
  /** The week gives nothing to draw (no reports, or nothing expected): a short notice and no chart. */
  empty: boolean;
}

export interface DigestOptions {
  mentions: boolean;
  /** WEB_BASE_URL: the group digest links to the web 总览 when set. */
  webBaseUrl?: string;
  /** Sent late, after downtime: the digest's first line says so. */
  catchUp?: boolean;
}

function weekPeriod(week: string, now: Date) {
  const start = weekStart(week);
  if (!start) throw new Error(`not a week: ${week}`);
  const end = new Date(start.getTime() + 7 * 24 * 3600 * 1000);
  return { period: { start, end }, asOf: now < end ? now : new Date(end.getTime() - 1) };
}

async function weekCells(store: Store, plan: PlanDoc, week: string, now: Date): Promise<Standing[]> {
  const { period, asOf } = weekPeriod(week, now);
  return loadStandings(store, plan, period, asOf);
}

export async function computeWeekDigest(store: Store, plan: PlanDoc, week: string, now: Date): Promise<Digest> {
  return computeDigest(week, await weekCells(store, plan, week, now));
}

export async function buildDigest(store: Store, plans: PlanDoc[], week: string, now: Date, opts: DigestOptions): Promise<BuiltDigest> {
  const perPlan: BuiltDigest['plans'] = [];
  const allCells: Standing[] = [];
  const beforeCells: Standing[] = [];
  const current = weekPeriod(week, now);
  const before = weekPeriod(previousWeekKey(current.period.start), now);
  for (const plan of plans) {
    // One read for both weeks: the week before gives the change in the rate.
    const [cells, cellsBefore] = await loadStandingsOfPeriods(store, plan, [current, before]);
    allCells.push(...cells!);
    // A plan imported after the week before has nothing to compare with (its 0 % there would be no news).
    if (!plan.date || before.period.end.getTime() > Date.parse(`${plan.date}T00:00:00+08:00`)) beforeCells.push(...cellsBefore!);
    perPlan.push({ plan, digest: computeDigest(week, cells!) });
  }
  const digest = computeDigest(week, allCells);
  const previous = beforeCells.length ? computeDigest(previousWeekKey(current.period.start), beforeCells) : null;
  const start = current.period.start;
  const range = `${formatLocal(start, 'M月D日')}—${formatLocal(new Date(start.getTime() + 6 * 24 * 3600 * 1000), 'M月D日')}`;
  const several = perPlan.length > 1;
  const brief = digestBrief(digest, previous, perPlan.map(({ plan, digest: d }) => ({ prefix: several ? plan.name : '', digest: d })));
  // Only the departments the message names at 0 %: their liaisons are the ones to nudge.
  const mentions = opts.mentions && brief.zero ? await liaisonsOf(store, digest.silentDepartments) : [];
  // The full text's lists are cut too: a county-sized plan must still give a page people read.
  const share = (n: number) => Math.max(5, Math.ceil(n / Math.max(1, perPlan.length)));
  const sections = perPlan.map(({ plan, digest: d }) => ({
    title: several ? `【${plan.name}】${plan.title}` : plan.title,
    prefix: several ? plan.name : '',
    d,
    attention: d.attention.slice(0, share(LIST_LIMIT.attention)), moreAttention: Math.max(0, d.attention.length - share(LIST_LIMIT.attention)),
    completed: d.newlyCompleted.slice(0, share(LIST_LIMIT.completed)), moreCompleted: Math.max(0, d.newlyCompleted.length - share(LIST_LIMIT.completed)),
    blocked: d.blocked.slice(0, share(LIST_LIMIT.blocked)), moreBlocked: Math.max(0, d.blocked.length - share(LIST_LIMIT.blocked)),
  }));
  const base = opts.webBaseUrl?.replace(/\/+$/, '');
  const pageUrl = base ? digestPageUrl(base, week) : undefined;
  const heading = `督办周报｜${range}${several ? `（${perPlan.length} 个方案）` : ''}`;
  const message = (markdown: boolean) => render('digest-brief', briefView(brief, {
    markdown, heading, catchUp: opts.catchUp, mentions, url: pageUrl, linkText: '各部门、各任务的全部情况',
    hint: pageUrl ? undefined : '全部情况：在应用里发送“总览”或“任务 编号”',
  }));
  const detail = render('digest', {
    markdown: false, catchUp: opts.catchUp ?? false, range, week, all: digest, several, mentions: [], sections, overviewUrl: undefined, text: (x: string) => x,
  });
  return {
    digest,
    plans: perPlan,
    previous,
    brief,
    groupParts: splitNumbered(message(true), WEBHOOK_MARKDOWN_MAX_BYTES),
    leaderParts: splitNumbered(message(false), APP_TEXT_MAX_BYTES),
    detailParts: [detail],
    // Over all active plans, as the text's headline figures are.
    chartView: {
      plan: perPlan.length === 1 ? perPlan[0]!.plan.title : `${perPlan.length} 个方案：${perPlan.map((p) => p.plan.name).join('、')}`, week, range, rate: digest.rate, reported: digest.reported, expected: digest.expected,
      departments: digest.departments, lights: digest.lights,
    },
    empty: brief.empty !== null,
  };
}

/** A webhook body the group robot receives (doc 99110). */
export type GroupMessage = { msgtype: 'markdown'; markdown: { content: string } } | ReturnType<typeof robotImageMessage>;

/**
 * What the group receives, in order: the markdown, then the chart (none for an empty week, or when it cannot be
 * drawn). The digest job sends exactly these, and the preview prints them.
 */
export async function groupMessages(built: BuiltDigest, logger: Logger): Promise<GroupMessage[]> {
  const out: GroupMessage[] = built.groupParts.map((content) => ({ msgtype: 'markdown' as const, markdown: { content } }));
  if (!built.empty) {
    const chart = await drawGroupChart(logger, built.chartView);
    if (chart) out.push(robotImageMessage(chart));
  }
  return out;
}

/** A group message as `digest --preview --group --json` prints it: the text, or the picture's size and md5. */
export function previewOf(m: GroupMessage): { msgtype: string; content: string | { bytes: number; md5: string } } {
  if (m.msgtype === 'markdown') return { msgtype: m.msgtype, content: m.markdown.content };
  return { msgtype: m.msgtype, content: { bytes: Buffer.from(m.image.base64, 'base64').length, md5: m.image.md5 } };
}

/**
 * The chart is an addition to the text, which carries the figures: if drawing fails the text still goes out, and
 * the failure is logged as an error for someone to look at.
 */
async function drawGroupChart(logger: Logger, view: DigestChartView): Promise<Buffer | null> {
  try {
    const chart = await renderDigestChart(view);
    if (chart.missingGlyphs.length) {
      logger.warn({ week: view.week, missingGlyphs: chart.missingGlyphs.join('') }, 'digest chart: the chart font lacks these characters; they show as empty boxes');
    }
    return chart.png;
  } catch (err) {
    logger.error({ err, period: view.week }, 'digest chart could not be drawn: the group gets the text digest without it');
    return null;
  }
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

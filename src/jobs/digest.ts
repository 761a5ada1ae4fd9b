// The weekly digest for a week that has ended: markdown and a chart for the 党政办 group robot, text for leaders.
import { createHash } from 'node:crypto';
import { render } from '../bot/render.ts';
import type { ChartImage, DigestChartView } from '../charts/digest-chart.ts';
import { computeDigest, type Digest } from '../domain/digest.ts';
import { formatLocal, weekStart } from '../domain/period.ts';
import { splitNumbered } from '../domain/text.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { loadSnapshot } from '../store/snapshot-queries.ts';
import { liaisonsOf } from '../store/task-assignments.ts';
import { APP_TEXT_MAX_BYTES, WEBHOOK_MARKDOWN_MAX_BYTES } from '../wecom/api-client.ts';


/** Long lists are cut: a county-sized plan must still give a digest people read. */
const LIST_LIMIT = { attention: 25, completed: 20, blocked: 15 };

export interface BuiltDigest {
  digest: Digest;
  groupParts: string[];
  leaderParts: string[];
  /** What the group's chart draws: the same figures as the text. */
  chartView: DigestChartView;
}

export interface DigestOptions {
  mentions: boolean;
  /** WEB_BASE_URL: the group digest links to the web 总览 when set. */
  webBaseUrl?: string;
}

export async function computeWeekDigest(store: Store, plan: PlanDoc, week: string, now: Date): Promise<Digest> {
  const start = weekStart(week);
  if (!start) throw new Error(`not a week: ${week}`);
  const end = new Date(start.getTime() + 7 * 24 * 3600 * 1000);
  const asOf = now < end ? now : new Date(end.getTime() - 1);
  return computeDigest(week, await loadSnapshot(store, plan, { start, end }, asOf));
}

export async function buildDigest(store: Store, plan: PlanDoc, week: string, now: Date, opts: DigestOptions): Promise<BuiltDigest> {
  const digest = await computeWeekDigest(store, plan, week, now);
  const start = weekStart(week)!;
  const range = `${formatLocal(start, 'M月D日')}—${formatLocal(new Date(start.getTime() + 6 * 24 * 3600 * 1000), 'M月D日')}`;
  const mentions = opts.mentions ? await liaisonsOf(store, digest.silentDepartments) : [];
  const view = (markdown: boolean) => ({
    markdown, plan: plan.title, range, d: digest, mentions,
    overviewUrl: markdown && opts.webBaseUrl ? `${opts.webBaseUrl.replace(/\/+$/, '')}/web/` : undefined,
    attention: digest.attention.slice(0, LIST_LIMIT.attention), moreAttention: Math.max(0, digest.attention.length - LIST_LIMIT.attention),
    completed: digest.newlyCompleted.slice(0, LIST_LIMIT.completed), moreCompleted: Math.max(0, digest.newlyCompleted.length - LIST_LIMIT.completed),
    blocked: digest.blocked.slice(0, LIST_LIMIT.blocked), moreBlocked: Math.max(0, digest.blocked.length - LIST_LIMIT.blocked),
  });
  return {
    digest,
    groupParts: splitNumbered(render('digest', view(true)), WEBHOOK_MARKDOWN_MAX_BYTES),
    leaderParts: splitNumbered(render('digest', view(false)), APP_TEXT_MAX_BYTES),
    chartView: {
      plan: plan.title, week, range, rate: digest.rate, reported: digest.reported, expected: digest.expected,
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

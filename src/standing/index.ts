// The one read model: where every (task, unit) stands, built by the 督办 lifecycle, read by every view.
export { lifecycleStateOf, loadStandings, loadStandingsOfPeriods, standingOf, standingsOfTask, unitsOfPlan, type Period } from './load.ts';
export { computePlanStanding, PlanStandings, TREND_WEEKS, type PlanStanding, type TrendPoint } from './plan-standing.ts';
export { pendingReviews, type PendingItem } from './pending.ts';
export { overdueText, stageIcon, stageLabel, stageOnly, stageText, unitDeadlineText } from './words.ts';
export type { Standing } from '../domain/standing.ts';
export { ownItems, type OwnItem } from './own.ts';

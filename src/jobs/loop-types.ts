import type { CardPlan } from '../cards/build.ts';

// Types the jobs share. Kept apart from the runners so that the builders (deadline-warnings, escalation,
// review-notice) and the scheduler's settings need not import the modules that import them.

/** One app message of the 督办 loop to one member. */
export interface LoopMessage {
  userid: string;
  text: string;
  /** Held until then: the member already had a message of this kind today (see claimNoticeSlot). */
  notBefore?: Date;
  /** The same as cards (WECOM_CARDS): one per item, or with a choice of items; `text` stays the fallback. */
  cards?: CardPlan;
}

/** When the weekly jobs run (config: REMINDER_CRON, DIGEST_CRON, WORKDAY_ADJUST). */
export interface ScheduleSettings {
  reminderCron: string;
  digestCron: string;
  workdayAdjust: boolean;
}

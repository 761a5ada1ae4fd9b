// The words the whole product shares: roles, report statuses, cadences, plan statuses. They live in the domain so
// that the domain, the handlers and the pages can use them without reaching into the store's schemas; the store
// validates against the same lists.

export const ROLES = ['member', 'leader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a unit says about its part of a task: its own word, before any review. */
export const REPORT_STATUSES = ['not_started', 'in_progress', 'blocked', 'done'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const CADENCES = ['weekly', 'monthly'] as const;
export type Cadence = (typeof CADENCES)[number];

export const PLAN_STATUSES = ['active', 'archived'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

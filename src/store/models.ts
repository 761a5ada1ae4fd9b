// Mongoose schemas. Only what MongoDB and FerretDB 1.x both support: plain and unique indexes,
// no TTL/partial/text indexes, no transactions. See docs/ARCHITECTURE.md.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { createEvidenceModels } from './evidence-models.ts';
import { createLoopModels } from './loop-models.ts';
import { createExtensionModels } from './extension-models.ts';
import { createUnitModels } from './unit-models.ts';
import { createCardModels } from './card-models.ts';

import { CADENCES, PLAN_STATUSES, REPORT_STATUSES, ROLES, type Cadence, type PlanStatus, type ReportStatus, type Role } from '../domain/vocabulary.ts';

const planSchema = new Schema(
  {
    key: { type: String, required: true, unique: true }, // 文号, or the title when there is none
    /** 简称 (政务公开, 安全生产 …): qualifies a code that several plans share, and names the plan in replies. */
    name: { type: String, required: true, unique: true },
    status: { type: String, enum: PLAN_STATUSES, default: 'active' },
    docNumber: { type: String, default: null },
    title: { type: String, required: true },
    issuer: { type: String, default: null },
    date: { type: String, default: null },
    sourceHash: { type: String, required: true },
    importedAt: { type: Date, required: true }, // the latest import (an amended plan is imported again)
    /** The first import: the scheduled jobs send nothing about a time before it. Absent on plans imported before it existed. */
    firstImportedAt: { type: Date, default: undefined },
  },
  { collection: 'plans', versionKey: false },
);

const departmentSchema = new Schema(
  {
    name: { type: String, required: true, unique: true },
    aliases: { type: [String], default: [] },
    wecomDeptId: { type: Number, default: null },
    collective: { type: Boolean, default: false },
  },
  { collection: 'departments', versionKey: false },
);

const memberSchema = new Schema(
  {
    userid: { type: String, required: true, unique: true },
    name: { type: String, default: '' },
    departments: { type: [String], default: [] },
    roles: { type: [String], enum: ROLES, default: ['member'] },
    active: { type: Boolean, default: true },
    demo: { type: Boolean, default: false },
    source: { type: String, default: 'manual' }, // manual | sync | import | demo | config
  },
  { collection: 'members', versionKey: false, timestamps: true },
);
memberSchema.index({ departments: 1 });

const taskSchema = new Schema(
  {
    planId: { type: Schema.Types.ObjectId, required: true },
    code: { type: String, required: true },
    chapter: { type: Number, required: true },
    section: { type: Number, required: true },
    item: { type: Number, default: null },
    chapterTitle: { type: String, default: '' },
    sectionTitle: { type: String, default: '' },
    title: { type: String, required: true },
    text: { type: String, required: true },
    /** Current responsible departments: the plan's, until an admin reassigns. */
    departments: { type: [String], default: [] },
    /** As the plan document states them; lets a re-import tell a plan change from an admin's reassignment. */
    plannedDepartments: { type: [String], default: [] },
    lead: { type: [String], default: [] },
    leaders: { type: [String], default: [] }, // 责任领导 / 分管领导, as the document names them
    collective: { type: Boolean, default: false },
    deadline: { type: String, default: null },
    deadlineText: { type: String, default: null },
    cadence: { type: String, enum: CADENCES, default: 'weekly' },
    retired: { type: Boolean, default: false }, // dropped from an amended plan; history kept
    order: { type: Number, required: true },
  },
  { collection: 'tasks', versionKey: false, timestamps: true },
);
taskSchema.index({ planId: 1, code: 1 }, { unique: true });
taskSchema.index({ departments: 1 });

const reportSchema = new Schema(
  {
    /** = key. A string _id is the one filter FerretDB 1.x looks up by index; anything else is a full scan. */
    _id: { type: String, required: true },
    /** Unique: the source message and the target, so a redelivered message never reports twice. */
    key: { type: String, required: true, unique: true },
    planId: { type: Schema.Types.ObjectId, required: true }, // lets a plan's reports be read by one equality
    taskId: { type: Schema.Types.ObjectId, required: true },
    taskCode: { type: String, required: true },
    department: { type: String, required: true },
    userid: { type: String, required: true },
    at: { type: Date, required: true },
    period: { type: String, required: true }, // ISO week in Asia/Shanghai, e.g. 2021-W30
    status: { type: String, enum: REPORT_STATUSES, required: true },
    percent: { type: Number, default: null },
    note: { type: String, default: '' },
    sourceMsgId: { type: String, default: null },
    // Order of receipt (domain/receipt-sequence.ts): of two reports in one second, the later received wins.
    seq: { type: Number, default: null },
  },
  { collection: 'reports', versionKey: false },
);
reportSchema.index({ taskId: 1, department: 1, at: -1 });
reportSchema.index({ planId: 1, at: 1 });
reportSchema.index({ period: 1 });
reportSchema.index({ at: 1 });

/**
 * A cache of where each (task, department) stands, derived from `reports` (the truth, append-only): the last
 * report of each of its most recent report weeks. Digests and lists read these few thousand documents instead
 * of scanning every report, which FerretDB 1.x can only do in full. `rebuildProgress` recomputes it.
 */
const progressSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${taskId}|${department}`
    planId: { type: Schema.Types.ObjectId, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    department: { type: String, required: true },
    // Newest first, [{period, at, status, percent, note, userid}], kept as one JSON string: FerretDB 1.x turns
    // every nested value into BSON on each read, and one string per document reads several times faster.
    entries: { type: String, default: '[]' },
    truncated: { type: Boolean, default: false }, // older weeks were dropped from `entries`
    rev: { type: Number, default: 0 },
  },
  { collection: 'progress', versionKey: false },
);

/**
 * Reports recorded in the progress cache's memory but not yet in its cells (embedded database only: see
 * src/store/progress-cache.ts). One small document per report, inserted before the report is acknowledged and
 * deleted once its cell is written; at start the ones a crash left are merged into their cells.
 */
const progressPendingSchema = new Schema(
  {
    _id: { type: String, required: true }, // the report's _id
    cell: { type: String, required: true }, // the progress cell's _id
    planId: { type: Schema.Types.ObjectId, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    department: { type: String, required: true },
    entry: { type: String, required: true }, // JSON of one ProgressEntry
  },
  { collection: 'progress_pending', versionKey: false },
);

const auditSchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true }, // userid, or "system:import" / "cli"
    action: { type: String, required: true },
    target: { type: String, required: true }, // "task:7.3", "member:zhangsan"
    planId: { type: Schema.Types.ObjectId, default: null }, // for task targets: codes are unique only within a plan
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    note: { type: String, default: '' },
  },
  { collection: 'audit', versionKey: false },
);
auditSchema.index({ target: 1, at: -1 });

const inboundSchema = new Schema(
  {
    _id: { type: String, required: true }, // = key, so a duplicate's lookup is an index hit on FerretDB too
    key: { type: String, required: true, unique: true },
    at: { type: Date, required: true },
    channel: { type: String, required: true },
    // The journal: the decrypted message as the bot received it (JournalledMessage), null for events it ignores.
    // Written before any HTTP 200, so a message acknowledged to WeCom can always be finished (inbound-ledger.ts).
    message: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'inbound', versionKey: false },
);
inboundSchema.index({ at: 1 });

/**
 * A message done: the command ran and its reply left (passively, or into the outbox). Inserted, never updated:
 * FerretDB 1.x finds a document to update by scanning, and inbound grows with every message. `reply` is the
 * passive reply, so a WeCom retry of an answer it never received gets the same answer.
 */
const inboundDoneSchema = new Schema(
  {
    _id: { type: String, required: true }, // = the inbound key
    at: { type: Date, required: true },
    reply: { type: String, default: null },
  },
  { collection: 'inbound_done', versionKey: false },
);
inboundDoneSchema.index({ at: 1 });

const jobRunSchema = new Schema(
  {
    key: { type: String, required: true, unique: true }, // job:period[:force-n]
    job: { type: String, required: true },
    period: { type: String, required: true },
    claimedAt: { type: Date, required: true },
    claimedBy: { type: String, required: true },
    finishedAt: { type: Date, default: null },
    summary: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'jobruns', versionKey: false },
);

const outboxSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    channel: { type: String, required: true }, // app | webhook
    payload: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    state: { type: String, required: true, default: 'pending' }, // pending | sent | dead
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, default: null },
    sentAt: { type: Date, default: null },
  },
  { collection: 'outbox', versionKey: false },
);
outboxSchema.index({ state: 1, nextAttemptAt: 1 });

/** Delivery claims and attempt records: inserted, never updated, so two workers cannot both win. */
const outboxClaimSchema = new Schema(
  {
    key: { type: String, required: true, unique: true }, // outboxId:attempt
    outboxId: { type: Schema.Types.ObjectId, required: true },
    attempt: { type: Number, required: true },
    worker: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'outbox_claims', versionKey: false },
);

const tokenSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    value: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    fetchedAt: { type: Date, required: true },
  },
  { collection: 'tokens', versionKey: false },
);

// Explicit document shapes (what .lean() returns), rather than inferred ones, so defaults read as present.

export interface PlanDoc {
  _id: Types.ObjectId;
  key: string;
  name: string;
  status: PlanStatus;
  docNumber: string | null;
  title: string;
  issuer: string | null;
  date: string | null;
  sourceHash: string;
  importedAt: Date;
  firstImportedAt?: Date;
}
export interface DepartmentDoc {
  _id: Types.ObjectId;
  name: string;
  aliases: string[];
  wecomDeptId: number | null;
  collective: boolean;
}
export interface MemberDoc {
  _id: Types.ObjectId;
  userid: string;
  name: string;
  departments: string[];
  roles: Role[];
  active: boolean;
  demo: boolean;
  source: string;
  createdAt?: Date;
  updatedAt?: Date;
}
export interface TaskDoc {
  _id: Types.ObjectId;
  planId: Types.ObjectId;
  code: string;
  chapter: number;
  section: number;
  item: number | null;
  chapterTitle: string;
  sectionTitle: string;
  title: string;
  text: string;
  departments: string[];
  plannedDepartments: string[];
  lead: string[];
  leaders: string[];
  collective: boolean;
  deadline: string | null;
  deadlineText: string | null;
  cadence: Cadence;
  retired: boolean;
  order: number;
  createdAt?: Date;
  updatedAt?: Date;
}
export interface ReportDoc {
  _id: string;
  key: string;
  planId: Types.ObjectId;
  taskId: Types.ObjectId;
  taskCode: string;
  department: string;
  userid: string;
  at: Date;
  period: string;
  status: ReportStatus;
  percent: number | null;
  note: string;
  sourceMsgId: string | null;
  seq?: number | null;
}
export interface ProgressEntry {
  period: string;
  at: Date;
  seq?: number | null;
  status: ReportStatus;
  percent: number | null;
  note: string;
  userid: string;
}
export interface ProgressDoc {
  _id: string;
  planId: Types.ObjectId;
  taskId: Types.ObjectId;
  department: string;
  entries: string; // JSON of ProgressEntry[]: see decodeEntries
  truncated: boolean;
  rev: number;
}
export interface ProgressPendingDoc {
  _id: string;
  cell: string;
  planId: Types.ObjectId;
  taskId: Types.ObjectId;
  department: string;
  entry: string;
}
export interface AuditDoc {
  _id: Types.ObjectId;
  at: Date;
  actor: string;
  action: string;
  target: string;
  planId?: Types.ObjectId | null;
  before: unknown;
  after: unknown;
  note: string;
}
export interface OutboxDoc {
  _id: Types.ObjectId;
  key: string;
  channel: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  state: 'pending' | 'sent' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
}

/** Called after any write to plans, tasks or members on a connection: the store clears its read cache. */
export const onCachedCollectionWrite = new WeakMap<Connection, () => void>();

// Every way mongoose writes, as document, query or model middleware; `this` leads to the connection.
const WRITE_HOOKS = ['save', 'updateOne', 'updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete', 'bulkWrite', 'insertMany'] as const;
function clearReadCache(this: { db?: Connection; model?: { db?: Connection }; constructor?: { db?: Connection } }) {
  const conn = this.db ?? this.model?.db ?? this.constructor?.db;
  if (conn) onCachedCollectionWrite.get(conn)?.();
}
for (const schema of [planSchema, taskSchema, memberSchema]) {
  for (const hook of WRITE_HOOKS) (schema as Schema).post(hook as 'save', clearReadCache as () => void);
}

/**
 * The one model registry: every collection of the store, created with its indexes when the store opens
 * (database.ts), so no caller registers a model or waits for an index on first use.
 */
export function createModels(conn: Connection) {
  return {
    Plan: conn.model<PlanDoc>('Plan', planSchema),
    Department: conn.model<DepartmentDoc>('Department', departmentSchema),
    Member: conn.model<MemberDoc>('Member', memberSchema),
    Task: conn.model<TaskDoc>('Task', taskSchema),
    Report: conn.model<ReportDoc>('Report', reportSchema),
    Audit: conn.model<AuditDoc>('Audit', auditSchema),
    Progress: conn.model<ProgressDoc>('Progress', progressSchema),
    ProgressPending: conn.model<ProgressPendingDoc>('ProgressPending', progressPendingSchema),
    Inbound: conn.model('Inbound', inboundSchema),
    InboundDone: conn.model('InboundDone', inboundDoneSchema),
    JobRun: conn.model('JobRun', jobRunSchema),
    Outbox: conn.model('Outbox', outboxSchema),
    OutboxClaim: conn.model('OutboxClaim', outboxClaimSchema),
    Token: conn.model('Token', tokenSchema),
    ...createEvidenceModels(conn),
    ...createLoopModels(conn),
    ...createUnitModels(conn),
    ...createCardModels(conn),
    ...createExtensionModels(conn),
  };
}

export type Models = ReturnType<typeof createModels>;
export type AnyModel = Model<any>;

/** MongoDB's duplicate-key error: how an insert into a unique index says "already done". */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

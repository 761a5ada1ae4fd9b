// The 督办台账 as .xlsx (exceljs, streamed, so a county's 100,000 reports fit in modest memory):
//   台账        one row per task × responsible department (a collective task gives every department a row, as its
//               obligations do), from the same snapshot the pages and the digest use, with its 佐证 count;
//   汇报记录    every report of the chosen plans the viewer may see;
//   部门汇报率  each department's reporting rate, week by week.
// Only standard OOXML parts and styles, so Excel and WPS open it without a repair prompt.
import ExcelJS from 'exceljs';
import { PassThrough, type Readable } from 'node:stream';
import { weekBounds, weekKey } from '../domain/period.ts';
import { STATUS_LABEL } from '../domain/progress.ts';
import { stageLabel, unitDeadlineText } from '../standing/words.ts';
import type { Light } from '../domain/status-light.ts';
import { weeklyDepartmentRates, type RateWeek } from '../domain/weekly-rates.ts';
import type { Store } from '../store/database.ts';
import type { TaskDoc } from '../store/models.ts';
import { planReports, type LoggedReport } from '../store/report-log.ts';
import { allMemberNames } from '../store/members-repo.ts';
import { toSnapshotTask } from '../store/snapshot-queries.ts';
import type { PlanStanding as PlanState } from '../standing/index.ts';
import { LIGHT_TEXT, percentOf, planId, planLabel, taskCells, taskRows, type TaskFilters } from './rows.ts';
import { canSeeDepartment, visibleDepartments, type User } from '../access.ts';
import type { PeriodReview } from '../bulletin/review.ts';
import { writeScoreSheet } from './score-sheet.ts';

export interface LedgerOptions {
  states: PlanState[];
  viewer: User;
  filters: TaskFilters;
  now: Date;
  /** A period's 考核 scores, for viewers who may see them: the 考核得分 sheet (see score-sheet.ts). */
  scores?: PeriodReview;
}

const HEADER_FILL = 'FF1F4E79';
const LIGHT_FILL: Record<Light, string> = { red: 'FFF4C7C3', yellow: 'FFFCE8B2', green: 'FFD9EAD3', done: 'FFDDE3EA' };
const LIGHT_FONT: Record<Light, string> = { red: 'FF9C1C1C', yellow: 'FF7A5B00', green: 'FF2E6B2E', done: 'FF44546A' };
/** Excel has no time zones: times are written as Shanghai wall-clock time. */
const SHANGHAI_MS = 8 * 3600 * 1000;
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** Printed on A4 landscape, as wide as the page: the 党政办 prints the 台账 for meetings. */
const PRINT = { paperSize: 9, orientation: 'landscape' as const, fitToPage: true, fitToWidth: 1, fitToHeight: 0, margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 } };

const thin = { style: 'thin' as const, color: { argb: 'FFBFC7D1' } };
const border = { top: thin, left: thin, bottom: thin, right: thin };

/** The workbook as a stream; a failure half way ends the stream with an error (the download then fails visibly). */
export function ledgerStream(store: Store, opts: LedgerOptions): Readable {
  const out = new PassThrough();
  writeLedgerTo(store, opts, out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

export const writeLedger = async (store: Store, opts: LedgerOptions): Promise<Readable> => ledgerStream(store, opts);

function lockedHeader(ws: ExcelJS.Worksheet, columns: Array<{ header: string; key: string; width: number }>) {
  ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  const header = ws.getRow(1);
  header.height = 22;
  header.eachCell((cell) => {
    cell.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.border = border;
  });
}

function styleRow(row: ExcelJS.Row, wrap: number[]) {
  row.eachCell({ includeEmpty: true }, (cell, col) => {
    cell.alignment = { vertical: 'top', wrapText: wrap.includes(col) };
    cell.border = border;
  });
}

/**
 * Wrapped rows get an explicit height: LibreOffice and WPS keep a row one line high unless told, so long task
 * texts would be cut. A CJK character takes about two of a column's width units.
 */
function fitHeight(row: ExcelJS.Row, texts: Array<[string, number]>): void {
  let lines = 1;
  for (const [text, width] of texts) {
    let units = 0;
    for (const ch of text) units += ch.charCodeAt(0) > 0x2e80 ? 2 : 1;
    lines = Math.max(lines, Math.ceil(units / Math.max(1, width - 1)));
  }
  row.height = Math.min(409, 15 * lines + 3);
}

/** "2021-07-27 15:00" in Shanghai time, without dayjs's time-zone formatting (100,000 rows). */
function shanghaiMinute(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_MS).toISOString().slice(0, 16).replace('T', ' ');
}

function local(at: Date): Date {
  return new Date(at.getTime() + SHANGHAI_MS);
}

function roleOf(task: TaskDoc, department: string): string {
  if (task.lead.length) return task.lead.includes(department) ? '牵头' : '配合';
  if (!task.collective && task.departments.length === 1) return '牵头';
  return '共同负责'; // the plan names no lead: not guessed from the order of the names
}

async function writeLedgerTo(store: Store, opts: LedgerOptions, out: PassThrough): Promise<void> {
  const { states, viewer, filters, now } = opts;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false }) // inline strings: a county's report sheet writes 40% faster;
  wb.creator = '督办助手';
  wb.created = now;

  // ---- 台账 ----
  const ledgerCols = [
    { header: '方案', key: 'plan', width: 16 }, { header: '编号', key: 'code', width: 8 }, { header: '任务', key: 'task', width: 56 },
    { header: '责任单位', key: 'unit', width: 14 }, { header: '牵头/配合', key: 'role', width: 10 }, { header: '完成时限', key: 'deadline', width: 14 },
    { header: '当前状态', key: 'status', width: 10 }, { header: '退回/受阻原因', key: 'reason', width: 24 }, { header: '进度 (%)', key: 'percent', width: 9 },
    { header: '最近汇报时间', key: 'at', width: 17 }, { header: '最近汇报说明', key: 'note', width: 40 }, { header: '状态灯', key: 'light', width: 9 },
    { header: '超期 (天)', key: 'overdue', width: 9 }, { header: '催办 (次)', key: 'chases', width: 9 }, { header: '佐证 (份)', key: 'evidence', width: 9 },
  ];
  const ws = wb.addWorksheet('台账', { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }], pageSetup: PRINT });
  lockedHeader(ws, ledgerCols);
  ws.getRow(1).commit();
  const chosen = new Set(taskRows(states, viewer, { ...filters, page: 1 }, now).map((r) => `${r.planId}|${r.code}`));
  let rowsWritten = 0;
  for (const state of states) {
    const byTask = taskCells(state);
    for (const task of state.tasks) {
      if (!chosen.has(`${planId(state.plan)}|${task.code}`)) continue;
      for (const c of byTask.get(String(task._id)) ?? []) {
        if (!canSeeDepartment(viewer, c.department) || (filters.dept && c.department !== filters.dept)) continue;
        const row = ws.addRow({
          plan: planLabel(state.plan), code: task.code, task: task.text, unit: c.department, role: roleOf(task, c.department),
          deadline: unitDeadlineText(task, c), status: stageLabel(c), reason: c.stage === 'returned' || c.stage === 'blocked' ? c.reason ?? '' : '',
          percent: percentOf(c) ?? '', at: c.latest ? local(c.latest.at) : '', note: c.latest?.note ?? '', light: LIGHT_TEXT[c.light],
          overdue: c.overdueDays || '', chases: c.chases, evidence: c.evidence,
        });
        styleRow(row, [1, 3, 8, 11]);
        fitHeight(row, [[planLabel(state.plan), 16], [task.text, 56], [c.latest?.note ?? '', 40]]);
        row.getCell('at').numFmt = 'yyyy-mm-dd hh:mm';
        const light = row.getCell('light');
        light.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: LIGHT_FILL[c.light] } };
        light.font = { bold: true, color: { argb: LIGHT_FONT[c.light] } };
        light.alignment = { vertical: 'top', horizontal: 'center' };
        row.commit();
        rowsWritten++;
      }
    }
  }
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, rowsWritten + 1), column: ledgerCols.length } };
  ws.commit();

  // ---- 汇报记录 (read once; the same reports give the weekly rates below) ----
  const rs = wb.addWorksheet('汇报记录', { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }], pageSetup: PRINT });
  const reportCols = [
    { header: '汇报时间', key: 'at', width: 17 }, { header: '方案', key: 'plan', width: 16 }, { header: '编号', key: 'code', width: 8 },
    { header: '责任单位', key: 'unit', width: 14 }, { header: '汇报人', key: 'who', width: 14 }, { header: '状态', key: 'status', width: 10 },
    { header: '进度 (%)', key: 'percent', width: 9 }, { header: '说明', key: 'note', width: 50 },
  ];
  lockedHeader(rs, reportCols);
  rs.getRow(1).commit();
  const names = await allMemberNames(store);
  const visible = visibleDepartments(viewer);
  const onlyDepartments = filters.dept ? [filters.dept] : visible;
  const reportsByPlan = new Map<string, readonly LoggedReport[]>();
  let reportRows = 0;
  for (const state of states) {
    const all = await planReports(store, state.plan._id);
    const docs = onlyDepartments ? all.filter((r) => onlyDepartments.includes(r.department)) : all;
    const label = planLabel(state.plan);
    for (const r of docs) {
      // No per-cell styles on this sheet: exceljs serializes a style for every styled cell, and this sheet has
      // a county's 100,000 rows. The time is text in a sortable form instead of a formatted date.
      const row = rs.addRow([
        shanghaiMinute(r.at), label, r.taskCode, r.department, names.get(r.userid) ?? r.userid,
        STATUS_LABEL[r.status], r.status === 'done' ? 100 : (r.percent ?? ''), r.note ?? '',
      ]);
      row.commit();
      reportRows++;
    }
    reportsByPlan.set(planId(state.plan), docs); // oldest first, as the copy keeps them
  }
  rs.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, reportRows + 1), column: reportCols.length } };
  rs.commit();

  // ---- 部门汇报率: per department per week, from the plan's first report week to this one ----
  const rates = wb.addWorksheet('部门汇报率', { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }], pageSetup: PRINT });
  const weekly: Array<{ plan: string; department: string; byWeek: Map<string, number> }> = [];
  const weeks = new Set<string>();
  for (const state of states) {
    const reports = reportsByPlan.get(planId(state.plan)) ?? [];
    const current = weekBounds(now);
    const rateWeeks: RateWeek[] = [];
    for (let start = reports.length ? weekBounds(reports[0]!.at).start : current.start; start <= current.start; start = new Date(start.getTime() + WEEK_MS)) {
      const end = new Date(start.getTime() + WEEK_MS);
      rateWeeks.push({ week: weekKey(start), start, end, asOf: end > now ? now : new Date(end.getTime() - 1) });
      weeks.add(weekKey(start));
    }
    const tallies = weeklyDepartmentRates(state.tasks.map((t) => toSnapshotTask(t, now)), state.departments, reports, rateWeeks, state.decisions);
    for (const [department, perWeek] of [...tallies].sort((a, b) => a[0].localeCompare(b[0], 'zh-CN'))) {
      if (onlyDepartments && !onlyDepartments.includes(department)) continue;
      const byWeek = new Map([...perWeek].map(([w, t]) => [w, t.expected === 0 ? 100 : Math.round((t.reported / t.expected) * 100)]));
      weekly.push({ plan: planLabel(state.plan), department, byWeek });
    }
  }
  const weekList = [...weeks].sort();
  lockedHeader(rates, [
    { header: '方案', key: 'plan', width: 16 }, { header: '责任单位', key: 'unit', width: 14 },
    ...weekList.map((w) => ({ header: w, key: w, width: 10 })),
  ]);
  rates.getRow(1).commit();
  for (const w of weekly) {
    const row = rates.addRow({ plan: w.plan, unit: w.department, ...Object.fromEntries(weekList.map((k) => [k, w.byWeek.has(k) ? w.byWeek.get(k)! / 100 : ''])) });
    for (let i = 0; i < weekList.length; i++) row.getCell(i + 3).numFmt = '0%';
    row.commit();
  }
  rates.commit();
  if (opts.scores) writeScoreSheet(wb, opts.scores);
  await wb.commit();
}

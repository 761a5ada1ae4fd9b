// The 督办台账 as .xlsx (exceljs, streamed), a document the 党政办 hands to leaders:
//   台账        a title row (南旺镇2021年政务公开工作督办台账), 截至 and the office that keeps it, then one row per
//               task × responsible unit (a collective task gives every unit a row, as its obligations do): 序号, 方案,
//               责任领导 (分管), progress, 销号状态 with 审核意见, 超期 (days) apart from the state, 催办次数, 佐证;
//               printed A4 landscape with the header on every page and page numbers in the footer;
//   部门汇报率  each unit's reporting rate over the weeks the read model keeps (its trend);
//   汇报记录    only when asked (`includeReports`): every report of the chosen plans the viewer may see. It is a
//               log, not part of the 台账 handed over, and on the embedded database it waits for a read of every report.
// Every figure comes from the read model (src/standing): the records and their trend. Only standard OOXML parts and
// styles, so Excel, WPS and LibreOffice open it without a repair prompt.
import ExcelJS from 'exceljs';
import { PassThrough, type Readable } from 'node:stream';
import { formatLocal, weekLabel } from '../domain/period.ts';
import { STATUS_LABEL } from '../domain/progress.ts';
import { stageLabel, unitDeadlineText } from '../standing/words.ts';
import type { Light } from '../domain/status-light.ts';
import type { Store } from '../store/database.ts';
import type { TaskDoc } from '../store/models.ts';
import { planReports } from '../store/report-log.ts';
import { activeLeaderIds, activeMembersWithRole, allMemberNames } from '../store/members-repo.ts';
import { allCharges } from '../store/leader-charges.ts';
import { ledgerTitle, leadersByUnit, officeOf } from './heading.ts';
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
  /** Add the 汇报记录 sheet (every report). */
  includeReports?: boolean;
}

const HEADER_FILL = 'FF1F4E79';
const LIGHT_FILL: Record<Light, string> = { red: 'FFF4C7C3', yellow: 'FFFCE8B2', green: 'FFD9EAD3', done: 'FFDDE3EA' };
const LIGHT_FONT: Record<Light, string> = { red: 'FF9C1C1C', yellow: 'FF7A5B00', green: 'FF2E6B2E', done: 'FF44546A' };
/** Excel has no time zones: times are written as Shanghai wall-clock time. */
const SHANGHAI_MS = 8 * 3600 * 1000;

/** Printed on A4 landscape, as wide as the page: the 党政办 prints the 台账 for meetings. */
const PRINT = { paperSize: 9, orientation: 'landscape' as const, fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true, margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 } };
/** Page numbers in the footer of every printed page. */
const FOOTER = { oddFooter: '&C第 &P 页，共 &N 页' };
/** The 台账's title rows above its header: the header is row 3, repeated on every printed page. */
const TITLE_ROWS = 2;

const thin = { style: 'thin' as const, color: { argb: 'FFBFC7D1' } };
const border = { top: thin, left: thin, bottom: thin, right: thin };

/** The workbook as a stream; a failure half way ends the stream with an error (the download then fails visibly). */
export function ledgerStream(store: Store, opts: LedgerOptions): Readable {
  const out = new PassThrough();
  writeLedgerTo(store, opts, out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

export const writeLedger = async (store: Store, opts: LedgerOptions): Promise<Readable> => ledgerStream(store, opts);

function lockedHeader(ws: ExcelJS.Worksheet, columns: Array<{ header: string; key: string; width: number }>, at = 1) {
  ws.columns = columns.map((c) => ({ header: at === 1 ? c.header : undefined, key: c.key, width: c.width }));
  const header = ws.getRow(at);
  if (at !== 1) header.values = columns.map((c) => c.header);
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

/** 进展 in the 台账: where the unit's own work stands; the 销号 side has its own columns. */
function progressWord(c: { stage: string; latest: unknown } & Parameters<typeof stageLabel>[0]): string {
  if (c.stage === 'pending_review' || c.stage === 'closed') return '已完成';
  if (c.stage === 'returned') return '退回重办';
  return stageLabel(c);
}

const REVIEW_WORD: Partial<Record<string, string>> = { pending_review: '待审核', closed: '已销号', returned: '退回' };

async function writeLedgerTo(store: Store, opts: LedgerOptions, out: PassThrough): Promise<void> {
  const { states, viewer, filters, now } = opts;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false }); // inline strings: a county's sheets write 40% faster
  wb.creator = '督办助手';
  wb.created = now;
  const [names, admins, charges, leaderIds] = await Promise.all([
    allMemberNames(store), activeMembersWithRole(store, 'admin'), allCharges(store), activeLeaderIds(store),
  ]);
  const leaders = leadersByUnit(charges, new Set(leaderIds), names);

  // ---- 台账 ----
  const ledgerCols = [
    { header: '序号', key: 'n', width: 6 }, { header: '方案', key: 'plan', width: 10 }, { header: '编号', key: 'code', width: 7 },
    { header: '任务', key: 'task', width: 44 }, { header: '责任单位', key: 'unit', width: 12 }, { header: '牵头/配合', key: 'role', width: 8 },
    { header: '责任领导', key: 'leader', width: 12 }, { header: '完成时限', key: 'deadline', width: 12 },
    { header: '进展', key: 'status', width: 9 }, { header: '进度 (%)', key: 'percent', width: 7 },
    { header: '最近汇报时间', key: 'at', width: 15 }, { header: '最近汇报说明', key: 'note', width: 30 },
    { header: '销号状态', key: 'review', width: 8 }, { header: '审核意见', key: 'opinion', width: 22 },
    { header: '超期 (天)', key: 'overdue', width: 8 }, { header: '催办次数', key: 'chases', width: 8 }, { header: '佐证 (份)', key: 'evidence', width: 8 },
    { header: '状态灯', key: 'light', width: 7 },
  ];
  const headerRow = TITLE_ROWS + 1;
  const ws = wb.addWorksheet('台账', {
    views: [{ state: 'frozen', ySplit: headerRow, xSplit: 0 }],
    pageSetup: { ...PRINT, printTitlesRow: `${headerRow}:${headerRow}` }, headerFooter: FOOTER,
  });
  lockedHeader(ws, ledgerCols, headerRow);
  const plans = states.map((s) => s.plan);
  const last = ledgerCols.length;
  const title = ws.getRow(1);
  title.getCell(1).value = ledgerTitle(plans);
  title.getCell(1).font = { bold: true, size: 16 };
  title.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  title.height = 30;
  ws.mergeCells(1, 1, 1, last);
  const sub = ws.getRow(2);
  const office = officeOf(admins, plans);
  sub.getCell(1).value = office ? `编制：${office}` : '';
  sub.getCell(9).value = `截至 ${formatLocal(now, 'YYYY年M月D日 HH:mm')}`;
  sub.getCell(9).alignment = { horizontal: 'right' };
  sub.height = 20;
  ws.mergeCells(2, 1, 2, 8);
  ws.mergeCells(2, 9, 2, last);
  title.commit();
  sub.commit();
  ws.getRow(headerRow).commit();
  const chosen = new Set(taskRows(states, viewer, { ...filters, page: 1 }, now).map((r) => `${r.planId}|${r.code}`));
  let rowsWritten = 0;
  for (const state of states) {
    const byTask = taskCells(state);
    for (const task of state.tasks) {
      if (!chosen.has(`${planId(state.plan)}|${task.code}`)) continue;
      for (const c of byTask.get(String(task._id)) ?? []) {
        if (!canSeeDepartment(viewer, c.department) || (filters.dept && c.department !== filters.dept)) continue;
        const leader = (leaders.get(c.department) ?? (task.leaders?.length ? task.leaders : [])).join('、');
        const opinion = c.stage === 'returned'
          ? c.reason ?? ''
          : c.stage === 'closed' && c.since ? `${formatLocal(c.since, 'M月D日')} 审核通过${c.decidedBy ? `（${names.get(c.decidedBy) ?? c.decidedBy}）` : ''}` : '';
        const note = c.stage === 'blocked' && c.reason && c.reason !== c.latest?.note ? `受阻：${c.reason}` : c.latest?.note ?? '';
        const row = ws.addRow({
          n: rowsWritten + 1, plan: planLabel(state.plan), code: task.code, task: task.text, unit: c.department, role: roleOf(task, c.department),
          leader, deadline: unitDeadlineText(task, c), status: progressWord(c),
          percent: percentOf(c) ?? '', at: c.latest ? local(c.latest.at) : '', note,
          review: REVIEW_WORD[c.stage] ?? '', opinion,
          overdue: c.overdueDays || '', chases: c.chases || '', evidence: c.evidence || '', light: LIGHT_TEXT[c.light],
        });
        styleRow(row, [2, 4, 5, 7, 12, 14]);
        fitHeight(row, [[planLabel(state.plan), 10], [task.text, 44], [c.department, 12], [leader, 12], [note, 30], [opinion, 22]]);
        row.getCell('n').alignment = { vertical: 'top', horizontal: 'center' };
        row.getCell('at').numFmt = 'yyyy-mm-dd hh:mm';
        const review = row.getCell('review');
        if (c.stage === 'returned') review.font = { bold: true, color: { argb: LIGHT_FONT.red } };
        else if (c.stage === 'closed') review.font = { color: { argb: LIGHT_FONT.green } };
        if (c.overdueDays > 0) row.getCell('overdue').font = { bold: true, color: { argb: LIGHT_FONT.red } };
        const light = row.getCell('light');
        light.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: LIGHT_FILL[c.light] } };
        light.font = { bold: true, color: { argb: LIGHT_FONT[c.light] } };
        light.alignment = { vertical: 'top', horizontal: 'center' };
        row.commit();
        rowsWritten++;
      }
    }
  }
  ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow + Math.max(0, rowsWritten), column: last } };
  ws.commit();

  // ---- 部门汇报率: per unit per week, the weeks the read model keeps (its trend), this one last ----
  const visible = visibleDepartments(viewer);
  const onlyDepartments = filters.dept ? [filters.dept] : visible;
  const rates = wb.addWorksheet('部门汇报率', { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }], pageSetup: { ...PRINT, printTitlesRow: '1:1' }, headerFooter: FOOTER });
  const weekly: Array<{ plan: string; department: string; byWeek: Map<string, number> }> = [];
  const weeks = new Set<string>();
  for (const state of states) {
    const perUnit = new Map<string, Map<string, number>>();
    for (const point of state.trend) {
      weeks.add(point.week);
      for (const d of point.departments) {
        if (onlyDepartments && !onlyDepartments.includes(d.name)) continue;
        const m = perUnit.get(d.name) ?? new Map<string, number>();
        m.set(point.week, d.rate);
        perUnit.set(d.name, m);
      }
    }
    for (const [department, byWeek] of [...perUnit].sort((a, b) => a[0].localeCompare(b[0], 'zh-CN'))) weekly.push({ plan: planLabel(state.plan), department, byWeek });
  }
  const weekList = [...weeks].sort();
  lockedHeader(rates, [
    { header: '方案', key: 'plan', width: 12 }, { header: '责任单位', key: 'unit', width: 14 },
    ...weekList.map((w) => ({ header: weekLabel(w), key: w, width: 13 })),
  ]);
  rates.getRow(1).commit();
  for (const w of weekly) {
    const row = rates.addRow({ plan: w.plan, unit: w.department, ...Object.fromEntries(weekList.map((k) => [k, w.byWeek.has(k) ? w.byWeek.get(k)! / 100 : ''])) });
    for (let i = 0; i < weekList.length; i++) row.getCell(i + 3).numFmt = '0%';
    row.commit();
  }
  rates.commit();

  // ---- 汇报记录, when asked ----
  if (opts.includeReports) {
    const rs = wb.addWorksheet('汇报记录', { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }], pageSetup: { ...PRINT, printTitlesRow: '1:1' }, headerFooter: FOOTER });
    const reportCols = [
      { header: '汇报时间', key: 'at', width: 17 }, { header: '方案', key: 'plan', width: 12 }, { header: '编号', key: 'code', width: 8 },
      { header: '责任单位', key: 'unit', width: 14 }, { header: '汇报人', key: 'who', width: 14 }, { header: '状态', key: 'status', width: 10 },
      { header: '进度 (%)', key: 'percent', width: 9 }, { header: '说明', key: 'note', width: 50 },
    ];
    lockedHeader(rs, reportCols);
    rs.getRow(1).commit();
    let reportRows = 0;
    for (const state of states) {
      const all = await planReports(store, state.plan._id);
      const label = planLabel(state.plan);
      for (const r of all) {
        if (onlyDepartments && !onlyDepartments.includes(r.department)) continue;
        // No per-cell styles on this sheet: exceljs serializes a style for every styled cell, and this sheet has
        // a county's 100,000 rows. The time is text in a sortable form instead of a formatted date.
        rs.addRow([
          shanghaiMinute(r.at), label, r.taskCode, r.department, names.get(r.userid) ?? r.userid,
          STATUS_LABEL[r.status], r.status === 'done' ? 100 : (r.percent ?? ''), r.note ?? '',
        ]).commit();
        reportRows++;
      }
    }
    rs.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, reportRows + 1), column: reportCols.length } };
    rs.commit();
  }
  if (opts.scores) writeScoreSheet(wb, opts.scores);
  await wb.commit();
}

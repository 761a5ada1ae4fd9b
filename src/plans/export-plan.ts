// A plan written out as a 任务分解表 (.xlsx) that `plan import` reads back to the same tasks: the way an admin
// fixes a misread plan — export, correct it in Excel or WPS, import again.
import ExcelJS from 'exceljs';
import type { PlanDoc, TaskDoc } from '../store/models.ts';

export const EXPORT_COLUMNS = [
  { header: '章节', width: 18 },
  { header: '编号', width: 8 },
  { header: '重点任务', width: 24 },
  { header: '任务内容', width: 60 },
  { header: '牵头单位', width: 18 },
  { header: '配合单位', width: 22 },
  { header: '完成时限', width: 16 },
  { header: '责任领导', width: 12 },
] as const;

/** Rows above the header say which plan this is: its title exactly, then its 文号 (how a plan is identified). */
export async function writePlanWorkbook(plan: PlanDoc, tasks: TaskDoc[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '督办助手';
  const ws = wb.addWorksheet('任务分解表', { views: [{ state: 'frozen', ySplit: plan.docNumber ? 3 : 2 }] });
  ws.columns = EXPORT_COLUMNS.map((c) => ({ width: c.width }));
  const title = ws.addRow([plan.title]);
  title.font = { bold: true, size: 14 };
  ws.mergeCells(title.number, 1, title.number, EXPORT_COLUMNS.length);
  if (plan.docNumber) {
    const doc = ws.addRow([plan.docNumber]);
    ws.mergeCells(doc.number, 1, doc.number, EXPORT_COLUMNS.length);
  }
  const header = ws.addRow(EXPORT_COLUMNS.map((c) => c.header));
  header.font = { bold: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } };
    cell.alignment = { vertical: 'middle', horizontal: 'center' };
  });
  for (const t of tasks) {
    const assisting = t.departments.filter((d) => !t.lead.includes(d));
    // With no lead named, every unit is responsible alike: all go under 牵头单位 so none reads as assisting.
    const lead = t.lead.length > 0 ? t.lead : t.departments;
    const row = ws.addRow([
      t.chapterTitle, t.code, t.sectionTitle, t.text, lead.join('、'), t.lead.length > 0 ? assisting.join('、') : '',
      t.deadlineText ?? t.deadline ?? '', (t.leaders ?? []).join('、'),
    ]);
    row.alignment = { vertical: 'top', wrapText: true };
  }
  ws.autoFilter = { from: { row: header.number, column: 1 }, to: { row: header.number, column: EXPORT_COLUMNS.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

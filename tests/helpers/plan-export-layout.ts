// The 任务分解表 layout `plan export` writes and `plan import` reads back: a title row (the
// plan title exactly), a row with the 文号 when there is one, then the header row
//   章节 | 编号 | 重点任务 | 任务内容 | 牵头单位 | 配合单位 | 完成时限 | 责任领导
// and a row per task. The round-trip test writes it from a parsed plan with this helper;
// the export command must write the same cells.
import ExcelJS from 'exceljs';
import type { ParsedPlan } from '../../src/domain/plan/index.ts';

export const EXPORT_HEADER = ['章节', '编号', '重点任务', '任务内容', '牵头单位', '配合单位', '完成时限', '责任领导'] as const;

export async function writePlanXlsx(parsed: ParsedPlan): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('任务分解表');
  const width = EXPORT_HEADER.length;
  const titleRow = sheet.addRow([parsed.plan.title]);
  sheet.mergeCells(titleRow.number, 1, titleRow.number, width);
  if (parsed.plan.docNumber) {
    const docRow = sheet.addRow([parsed.plan.docNumber]);
    sheet.mergeCells(docRow.number, 1, docRow.number, width);
  }
  sheet.addRow([...EXPORT_HEADER]);
  for (const t of parsed.tasks) {
    const assisting = t.departments.filter((d) => !t.lead.includes(d));
    sheet.addRow([
      t.chapterTitle, t.code, t.sectionTitle, t.text, t.lead.join('、'), assisting.join('、'), t.deadlineText ?? '', t.leaders.join('、'),
    ]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

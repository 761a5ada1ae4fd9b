// The 台账's 考核得分 sheet: the ranking of the period's review (the same rows as the 通报's table and the 考核 page),
// then every department's explained lines, whose points add up to its score.
import type ExcelJS from 'exceljs';
import { formatScore, RANKING_HEADER, rankingRows } from '../bulletin/docx.ts';
import type { PeriodReview } from '../bulletin/review.ts';

/** The sheet's name: "考核得分" (Excel allows 31 characters and no brackets of some kinds; this has none). */
export const SCORE_SHEET = '考核得分';

/** Adds the sheet to a streaming workbook (committed row by row, as the 台账's other sheets are). */
export function writeScoreSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, review: PeriodReview): void {
  const ws = wb.addWorksheet(SCORE_SHEET, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  ws.columns = [{ width: 8 }, { width: 16 }, { width: 10 }, { width: 12 }, { width: 10 }, { width: 10 }, { width: 10 }];
  const header = ws.addRow(RANKING_HEADER);
  header.font = { bold: true };
  header.commit();
  for (const row of rankingRows(review)) ws.addRow(row).commit();
  ws.addRow([]).commit();
  const title = ws.addRow([`${review.period.label}考核得分明细（每个单位的得分等于其各行分值之和）`]);
  title.font = { bold: true };
  title.commit();
  const head = ws.addRow(['单位', '项目', '分值', '次数', '说明']);
  head.font = { bold: true };
  head.commit();
  for (const d of review.scores) {
    for (const l of d.lines) ws.addRow([d.department, l.item, l.points, l.count, l.text]).commit();
    const total = ws.addRow([d.department, '合计', d.score, '', `${review.period.label}考核得分 ${formatScore(d.score)} 分`]);
    total.font = { bold: true };
    total.commit();
  }
  ws.commit();
}

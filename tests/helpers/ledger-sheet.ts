// Reads the 督办台账's 台账 sheet back as the 党政办 sees it: the header row (the one that starts with 序号, under the
// title rows) and every row under it, keyed by column name.
import type ExcelJS from 'exceljs';

export interface LedgerSheet {
  headerRow: number;
  header: string[];
  rows: Array<Record<string, unknown>>;
  row(code: string, unit: string): Record<string, unknown> | undefined;
}

export function readLedgerSheet(ws: ExcelJS.Worksheet): LedgerSheet {
  let headerRow = 0;
  ws.eachRow((row, n) => {
    if (!headerRow && row.getCell(1).value === '序号') headerRow = n;
  });
  if (!headerRow) throw new Error('no header row (序号) in the 台账 sheet');
  const header = (ws.getRow(headerRow).values as unknown[]).slice(1).map(String);
  const rows: Array<Record<string, unknown>> = [];
  ws.eachRow((row, n) => {
    if (n <= headerRow) return;
    const v = (row.values as unknown[]).slice(1);
    rows.push(Object.fromEntries(header.map((h, i) => [h, v[i] ?? ''])));
  });
  return { headerRow, header, rows, row: (code, unit) => rows.find((r) => String(r['编号']) === code && r['责任单位'] === unit) };
}

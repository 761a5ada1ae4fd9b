// .xlsx → blocks: one table per worksheet, through exceljs. Merged ranges give the master
// cell's text to every cell they cover.
import ExcelJS from 'exceljs';
import { PlanReadError } from '../errors.ts';
import type { Block } from './blocks.ts';
import { readZipFiles } from './zip.ts';

const MAX_ROWS = 5000;
const MAX_COLUMNS = 60;

export async function readXlsxBlocks(bytes: Buffer): Promise<Block[]> {
  // Inflate every entry once within the limits before exceljs does: a directory that lies
  // about its sizes is caught here, not inside the library.
  const files = readZipFiles(bytes, () => true);
  if (!files.has('xl/workbook.xml')) {
    throw new PlanReadError('unsupported_format', '这个文件不是 Excel 表格（.xlsx），请确认文件类型后再导入。');
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new PlanReadError('corrupt', 'Excel 表格内容已损坏，无法读取。请用 Excel 打开后另存一份再导入。');
  }
  const blocks: Block[] = [];
  workbook.eachSheet((sheet) => {
    if (sheet.state !== 'visible' && sheet.state !== undefined) return;
    const rowCount = Math.min(sheet.rowCount, MAX_ROWS);
    const columnCount = Math.min(sheet.columnCount, MAX_COLUMNS);
    const rows: string[][] = [];
    for (let r = 1; r <= rowCount; r++) {
      const row = sheet.getRow(r);
      const cells: string[] = [];
      for (let c = 1; c <= columnCount; c++) cells.push(cellText(row.getCell(c)));
      rows.push(cells);
    }
    blocks.push({ kind: 'table', rows, name: sheet.name });
  });
  return blocks;
}

function cellText(cell: ExcelJS.Cell): string {
  const master = cell.isMerged ? cell.master : cell;
  const value = master.value;
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // A date typed into a 完成时限 cell: write it the way plans do.
    return `${value.getUTCFullYear()}年${value.getUTCMonth() + 1}月${value.getUTCDate()}日`;
  }
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((r) => r.text).join('');
  if (typeof value === 'object' && 'result' in value) return value.result === undefined ? '' : String(value.result);
  if (typeof value === 'object' && 'text' in value) return String(value.text);
  return String(value);
}

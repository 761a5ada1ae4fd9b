// The .docx reader: automatic numbering rendered back as text (headings and 序号 cells that
// Word draws from numbering.xml), merged table cells spread over what they cover.
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { parsePlanBuffer } from '../../../src/domain/plan/index.ts';
import { readDocxBlocks } from '../../../src/domain/plan/readers/docx.ts';

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const run = (text: string): string => `<w:r><w:t xml:space="preserve">${text}</w:t></w:r>`;
const numbered = (text: string, numId: number, ilvl: number): string =>
  `<w:p><w:pPr><w:numPr><w:ilvl w:val="${ilvl}"/><w:numId w:val="${numId}"/></w:numPr></w:pPr>${run(text)}</w:p>`;
const styled = (text: string, style: string): string => `<w:p><w:pPr><w:pStyle w:val="${style}"/></w:pPr>${run(text)}</w:p>`;
const plain = (text: string): string => `<w:p>${run(text)}</w:p>`;
const cell = (content: string, props = ''): string => `<w:tc><w:tcPr>${props}</w:tcPr>${content}</w:tc>`;

const NUMBERING = `<?xml version="1.0" encoding="UTF-8"?><w:numbering ${W}>
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>`;
const STYLES = `<?xml version="1.0" encoding="UTF-8"?><w:styles ${W}>
<w:style w:type="paragraph" w:styleId="PlanChapter"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="PlanChapterRed"><w:basedOn w:val="PlanChapter"/></w:style>
</w:styles>`;

async function docx(body: string): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>${body}</w:body></w:document>`);
  zip.file('word/numbering.xml', NUMBERING);
  zip.file('word/styles.xml', STYLES);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe('automatic numbering', () => {
  it('renders chapter, section and item labels from numbering.xml, through styles too, and restarts deeper levels', async () => {
    const bytes = await docx(
      [
        plain('2023年乡村振兴工作方案'),
        styled('产业振兴', 'PlanChapterRed'),
        numbered('发展特色种植', 1, 1),
        numbered('建设蔬菜大棚50个。（责任单位：农办）', 1, 2),
        numbered('推广稻虾共养。（责任单位：农技站）', 1, 2),
        numbered('壮大集体经济', 1, 1),
        numbered('盘活闲置资产。（责任单位：经管站）', 1, 2),
        styled('生态宜居', 'PlanChapter'),
        numbered('整治人居环境', 1, 1),
        numbered('清理垃圾。（责任单位：环卫所）', 1, 2),
      ].join(''),
    );
    const texts = readDocxBlocks(bytes).map((b) => (b.kind === 'paragraph' ? b.text : ''));
    expect(texts).toEqual([
      '2023年乡村振兴工作方案', '一、产业振兴', '（一）发展特色种植', '1.建设蔬菜大棚50个。（责任单位：农办）',
      '2.推广稻虾共养。（责任单位：农技站）', '（二）壮大集体经济', '1.盘活闲置资产。（责任单位：经管站）', '二、生态宜居',
      '（一）整治人居环境', '1.清理垃圾。（责任单位：环卫所）',
    ]);
    const plan = await parsePlanBuffer(bytes, '方案.docx');
    expect(plan.tasks.map((t) => [t.code, t.departments[0]])).toEqual([
      ['1.1.1', '农办'], ['1.1.2', '农技站'], ['1.2.1', '经管站'], ['2.1.1', '环卫所'],
    ]);
  });

  it('numbers 序号 cells that Word fills itself', async () => {
    const row = (seq: string, task: string, unit: string): string =>
      `<w:tr>${cell(seq)}${cell(plain(task))}${cell(plain(unit))}</w:tr>`;
    const autoSeq = `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr></w:p>`;
    const bytes = await docx(
      `${plain('任务清单')}<w:tbl><w:tr>${cell(plain('序号'))}${cell(plain('工作任务'))}${cell(plain('责任单位'))}</w:tr>${row(autoSeq, '开展排查。', '应急办')}${row(autoSeq, '组织演练。', '派出所')}</w:tbl>`,
    );
    const plan = await parsePlanBuffer(bytes, '清单.docx');
    expect(plan.tasks.map((t) => [t.code, t.text, t.departments])).toEqual([
      ['1', '开展排查。', ['应急办']],
      ['2', '组织演练。', ['派出所']],
    ]);
  });
});

describe('merged cells', () => {
  it('spreads w:gridSpan across columns and w:vMerge down rows', async () => {
    const bytes = await docx(
      `<w:tbl>
        <w:tr>${cell(plain('标题'), '<w:gridSpan w:val="3"/>')}</w:tr>
        <w:tr>${cell(plain('甲'), '<w:vMerge w:val="restart"/>')}${cell(plain('1'))}${cell(plain('x'))}</w:tr>
        <w:tr>${cell('<w:p/>', '<w:vMerge/>')}${cell(plain('2'))}${cell(plain('y'))}</w:tr>
      </w:tbl>`,
    );
    expect(readDocxBlocks(bytes)).toEqual([{ kind: 'table', rows: [['标题', '标题', '标题'], ['甲', '1', 'x'], ['甲', '2', 'y']] }]);
  });
});

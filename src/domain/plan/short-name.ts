// A plan's short name (简称) from its title: "2021年政务公开工作实施方案" → "政务公开". Short names qualify task
// codes in chat ("汇报 安全生产1.2 60%"), so they drop what every plan shares: the year, the issuer, the genre.
import { toAsciiDigits } from './chinese-numerals.ts';

const WRAPPER_RE = /^关于(?:印发|下发|转发)?[《〈]?(.+?)[》〉]?的?(?:通知|意见|决定)$/;
// Longest first, so "工作实施方案" goes before "实施方案" and "方案".
const GENRE_SUFFIXES = [
  '重点任务分解表', '任务分解表', '工作任务清单', '任务清单', '工作实施方案', '专项行动方案', '行动实施方案', '实施方案',
  '工作方案', '行动方案', '工作要点', '工作计划', '实施意见', '实施细则', '分解表', '方案', '计划', '要点', '清单',
];
// An issuing body before the subject: "南旺镇人民政府…", or a place name right before the year ("南旺镇2022年…").
const ISSUER_PREFIX_RE = /^.{1,12}?(?:人民政府办公室|人民政府|党委|委员会|办公室|办事处)(?=.{2,})/;
const PLACE_BEFORE_YEAR_RE = /^.{1,10}?(?:街道|镇|乡|县|区|市)(?=\d{4})/;
const MAX_LENGTH = 8;

export function deriveShortName(title: string): string {
  let name = title.replace(/\s+/g, '').replace(/[《》〈〉“”"]/g, '');
  const wrapped = WRAPPER_RE.exec(name);
  if (wrapped?.[1]) name = wrapped[1];
  name = toAsciiDigits(name).replace(ISSUER_PREFIX_RE, '').replace(PLACE_BEFORE_YEAR_RE, '');
  name = name.replace(/^\d{4}(?:[—\-–~至]\d{4})?年(?:度)?/, '').replace(/^(?:全镇|全乡|全县|全区|全市)/, '');
  for (const suffix of GENRE_SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length + 1) {
      name = name.slice(0, -suffix.length);
      break;
    }
  }
  name = name.replace(/(?:工作|专项|专项整治)$/, (m) => (name.length - m.length >= 2 ? '' : m)).replace(/^(?:开展|推进|深化|加强|做好)/, '');
  name = name.replace(/[^\p{Script=Han}A-Za-z]/gu, '');
  return (name.length > MAX_LENGTH ? name.slice(0, MAX_LENGTH) : name) || '方案';
}

/** A short name people can type before a code: letters or Chinese characters, no digits (they would read as the code). */
export function isValidShortName(name: string): boolean {
  return /^[A-Za-z\u4e00-\u9fff]{1,12}$/.test(name);
}

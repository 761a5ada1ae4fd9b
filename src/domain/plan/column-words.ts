// The words offices write over a task table's columns, and the role each suggests. A header word is
// evidence about a column, weighed with what its cells look like (column-evidence.ts).

export type ColumnRole = 'seq' | 'chapter' | 'category' | 'topic' | 'text' | 'lead' | 'units' | 'assist' | 'deadline' | 'leaders' | 'note';

// Tried in order; the first that matches a header cell gives its role.
const ROLE_PATTERNS: [ColumnRole, RegExp][] = [
  ['seq', /^(序号|编号|序|项目编号|任务编号|任务序号|No\.?|NO\.?|no\.?)$/],
  ['chapter', /^(章节|篇章|所属章节|板块)$/],
  ['category', /^(类别|分类|类型|工作类别|任务类别|项目类别|所属类别|领域|重点领域)$/],
  ['leaders', /(责任领导|分管领导|牵头领导|牵头负责领导|包保领导|联系领导|督办领导|责任人|包抓领导|县级领导|领导)$/],
  // "第二季度完成情况", "截至6月底进展情况": what happened, not what is to be done.
  ['note', /^(备注|说明|联系人|联系电话|佐证材料)$|(完成情况|进展情况|工作进展|进度情况|推进情况|落实情况|目前进展|当前进度|存在问题|执行情况|完成进度)$/],
  ['lead', /^(牵头单位|牵头部门|牵头科室|牵头股室|牵头责任单位|主抓单位|主抓部门|主责单位|主责部门|主办单位|牵头|主办|主抓)$/],
  ['assist', /(配合单位|配合部门|协办单位|协助单位|参与单位|参与部门|协同单位|协同部门|协同责任单位|配合科室|协办科室|^配合$|^协办$|^协同$)/],
  ['units', /(责任单位|责任部门|责任科室|责任主体|承办单位|落实单位|实施单位|责任股室|责任站所|承担单位|承担部门|^责任$)/],
  ['deadline', /(时限|时间节点|完成时间|完成期限|截止时间|时间要求|进度安排|完成节点|时间安排|计划完成|^节点$|^时间$)/],
  ['topic', /(重点任务|工作任务|任务内容|工作措施|具体措施|主要内容|工作内容|具体任务|任务名称|重点工作|工作事项|具体要求|工作要求|主要任务|任务事项|目标任务|主要措施|推进措施|工作举措|具体内容|主要工作|任务分解|具体事项|建设内容|项目名称|^任务$|^事项$|^内容$|^措施$|^项目$)/],
];

/** A header cell as compared: no spaces, no trailing gloss "（部门）". */
export const normalizeHeader = (cell: string): string => cell.replace(/[\s\u3000]+/g, '').replace(/[（(].*?[）)]$/, '');

/** The role a header word names, or null. */
export function roleOfHeader(cell: string): ColumnRole | null {
  const c = normalizeHeader(cell);
  if (c === '' || c.length > 12) return null;
  for (const [role, re] of ROLE_PATTERNS) if (re.test(c)) return role;
  return null;
}

/** The roles a person can give a column (plan parse/import --columns, the web preview), by their Chinese names. */
export const ROLE_NAMES: Record<string, ColumnRole> = {
  序号: 'seq',
  类别: 'category',
  任务: 'topic',
  任务内容: 'text',
  责任单位: 'units',
  牵头单位: 'lead',
  配合单位: 'assist',
  完成时限: 'deadline',
  责任领导: 'leaders',
};

/** The Chinese name of a role, for reports. */
export function roleName(role: ColumnRole | null): string {
  if (role === null) return '不用';
  if (role === 'chapter') return '章节';
  if (role === 'note') return '备注';
  return Object.entries(ROLE_NAMES).find(([, r]) => r === role)?.[0] ?? role;
}

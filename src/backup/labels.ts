// Chinese names of the collections, for the counts a backup, restore or copy prints.
const LABELS: Record<string, string> = {
  plans: '方案', departments: '部门', members: '人员', tasks: '任务', reports: '汇报', progress: '进度缓存', progress_pending: '待写入进度缓存的汇报',
  audit: '操作记录', inbound: '收到的消息', inbound_done: '已处理的消息', jobruns: '定时任务记录', outbox: '待发/已发消息',
  outbox_claims: '发送记录', tokens: '令牌', files: '佐证文件', file_chunks: '佐证文件分块', evidence: '佐证',
  media_jobs: '图片下载任务', media_claims: '图片下载记录', reviews: '审核决定', chases: '催办', leader_charges: '分管',
  notice_claims: '通知记录', digests: '周报', plan_uploads: '方案上传', migrations: '数据升级记录', webhook_slots: '群机器人发送记录',
  unit_changes: '单位变更', column_mappings: '表格列对应', revoked_sessions: '已退出的登录', thumbnails: '佐证缩略图',
  conversations: '进行中的对话',
  template_cards: '模板卡片', card_taps: '卡片点击记录',
  extension_requests: '延期申请', extension_decisions: '延期审批',
};

export function collectionLabel(name: string): string {
  const label = LABELS[name];
  return label ? `${label}（${name}）` : name;
}

/** "  汇报（reports）：1,234 条" lines, one per collection. */
export function countLines(counts: Array<{ name: string; count: number }>): string[] {
  return counts.map((c) => `  ${collectionLabel(c.name)}：${c.count.toLocaleString('en-US')} 条`);
}

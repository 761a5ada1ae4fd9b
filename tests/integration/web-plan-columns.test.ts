// The 方案 page's choice per column: a table the automatic pass cannot read is refused naming its columns,
// previewed again with the roles the admin chose, imported, and its mapping remembered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const clock = new ManualClock('2024-01-10T02:00:00Z');
let store: Store;
let service: Service;
let session = '';

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

async function post(path: string, fields: Record<string, string>, file?: { bytes: Buffer; name: string }) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (file) body.set('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const res = await fetch(`${service.url}${path}`, { method: 'POST', body, redirect: 'manual', headers: { cookie: `duban_session=${session}` } });
  return { status: res.status, html: await res.text() };
}

const csrf = async () => field(await (await fetch(`${service.url}/web/plans`, { headers: { cookie: `duban_session=${session}` } })).text(), 'csrf');

const TABLE = [
  '杨柳村2024年村务工作安排',
  ['编号', '事项', '谁办', '何时'].join('\t'),
  ['1', '把村口的路灯修好，保证晚上通行安全。', '老王', '2024年3月底前'].join('\t'),
  ['2', '组织村民清理河道垃圾，每月一次。', '小李', '2024年6月底前'].join('\t'),
].join('\n');

beforeAll(async () => {
  store = await openTestStore('webplancols');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  session = await loginAs(service.url, 'demo-admin');
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('the 方案 preview’s choice per column', () => {
  it('refuses naming the columns, previews again with the chosen roles, imports and remembers them', async () => {
    const token = await csrf();
    const refused = await post('/web/plans/preview', { csrf: token, name: '村务' }, { bytes: Buffer.from(TABLE), name: '村务.txt' });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('A 编号、B 事项、C 谁办、D 何时');
    expect(refused.html).toContain('name="col_2"');

    const remapped = await post('/web/plans/remap', {
      csrf: token, upload: field(refused.html, 'upload'), name: '村务', col_0: '序号', col_1: '任务', col_2: '责任单位', col_3: '完成时限',
    });
    expect(remapped.status).toBe(200);
    expect(remapped.html).toContain('按指定的列');
    expect(remapped.html).toContain('确认导入');

    const done = await post('/web/plans/import', {
      csrf: token, upload: field(remapped.html, 'upload'), name: '村务', columns: field(remapped.html, 'columns'), action: 'import',
    });
    expect(done.status).toBe(200);
    expect(done.html).toContain('新增 2');
    const plan = (await store.models.Plan.findOne({ name: '村务' }).lean())!;
    expect((await store.models.Task.find({ planId: plan._id }).lean()).map((t) => t.departments)).toEqual([['老王'], ['小李']]);

    // The same header next time: read with the remembered roles, no question asked.
    const next = await post('/web/plans/preview', { csrf: token, name: '村务新' }, { bytes: Buffer.from(TABLE.replace('2024年村务', '2025年村务')), name: 'b.txt' });
    expect(next.status).toBe(200);
    expect(next.html).toContain('按指定的列');
  });
});

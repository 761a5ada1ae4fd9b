// A small .docx that unpacks to tens of MB of XML (under the zip cap) is uploaded on the 方案 page while encrypted
// callbacks keep arriving at the same service: the parse runs off the event loop, so every callback is answered
// within WeCom's 5 s, and the upload gets a clear answer (a preview or the Chinese refusal).
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { sendReport, type Sent } from '../helpers/processes.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const clock = new ManualClock('2021-07-26T02:00:00Z');
let store: Store;
let service: Service;
let session: string;

/** A Word document of ~40 MB of plain paragraphs, compressed to a few hundred KB. */
async function swollenDocx(): Promise<Buffer> {
  const paragraph = '<w:p><w:r><w:t>本段为会议记录正文，内容重复，没有任务编号，也没有责任单位。</w:t></w:r></w:p>';
  const count = Math.ceil((40 * 1024 * 1024) / Buffer.byteLength(paragraph));
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraph.repeat(count)}</w:body></w:document>`;
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>');
  zip.file('word/document.xml', xml);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

beforeAll(async () => {
  store = await openTestStore('planisolation');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  session = await loginAs(service.url, 'demo-admin');
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('a plan upload that unpacks to tens of MB', () => {
  it('leaves the callbacks answered within 5 s and gets a clear answer', async () => {
    const bytes = await swollenDocx();
    expect(bytes.length).toBeLessThan(1024 * 1024);

    const page = await (await fetch(`${service.url}/web/plans`, { headers: { cookie: `duban_session=${session}` } })).text();
    const csrf = /name="csrf" value="([^"]*)"/.exec(page)![1]!;
    const body = new FormData();
    body.set('csrf', csrf);
    body.set('file', new Blob([new Uint8Array(bytes)]), '会议纪要.docx');

    let uploaded = false;
    const upload = fetch(`${service.url}/web/plans/preview`, { method: 'POST', body, headers: { cookie: `duban_session=${session}` } })
      .then(async (res) => ({ status: res.status, html: await res.text() }))
      .finally(() => (uploaded = true));

    // One callback after another, as a chat keeps going, until the upload is answered (at least a few).
    const sent: Sent[] = [];
    for (let i = 0; !uploaded || i < 3; i++) {
      sent.push(await sendReport(service.url, 'demo-liaison-01', '我的任务', `8800000${String(i).padStart(3, '0')}`, clock.now()));
      await new Promise((r) => setTimeout(r, 200));
    }
    const answer = await upload;

    expect(sent.filter((s) => s.status !== 200)).toEqual([]);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect([200, 422]).toContain(answer.status);
    expect(answer.html).toMatch(/方案文件太大或太复杂|识别任务|没有识别出任务/);
    expect(await store.models.Plan.countDocuments({})).toBe(1); // nothing imported
  }, 120_000);
});

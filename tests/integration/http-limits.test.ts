// HTTP limits on the bot's server: an oversized body gets 413 however it is sent; slow clients are cut off.
import { request } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/database.ts';
import { CLIENT_LIMITS, createSlowClientSafeServer } from '../../src/service.ts';
import { createCallbackRouter } from '../../src/wecom/callback-routes.ts';
import { createBot } from '../../src/bot/dispatch.ts';
import { ManualClock } from '../../src/clock.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { TEST_SETTINGS } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let url: string;
let port: number;
let close: () => Promise<void>;
const clock = new ManualClock('2021-07-26T02:00:00Z');
const query = `msg_signature=${'a'.repeat(40)}&timestamp=${Math.floor(clock.now().getTime() / 1000)}&nonce=n`;

beforeAll(async () => {
  store = await openTestStore('httplimits');
  const logger = createLogger('silent');
  const bot = createBot({ store, clock, logger, notifier: { async notifyUsers() {} } }, COMMANDS);
  const router = createCallbackRouter({ settings: TEST_SETTINGS, bot, store, clock, logger, replies: { async deliverLater() {} } });
  // The production limits, scaled down so that a stalled client is cut within a second or two.
  const server = createSlowClientSafeServer(createApp({ store, logger, routers: [router] }).callback(), {
    ...CLIENT_LIMITS, headersTimeout: 600, requestTimeout: 1200, connectionsCheckingInterval: 100,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  close = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
});
afterAll(async () => {
  await close();
  await store.close();
});

function post(headers: Record<string, string>, body: (write: (chunk: string) => boolean) => void): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/wecom/callback?${query}`, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
    });
    req.on('error', reject);
    body((chunk) => req.write(chunk));
    req.end();
  });
}

describe('HTTP limits', () => {
  it('answers 413 to a 10 MB chunked body, and closes the connection', async () => {
    const res = await new Promise<{ status: number; connection?: string }>((resolve, reject) => {
      const req = request(`${url}/wecom/callback?${query}`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (r) => {
        r.resume();
        resolve({ status: r.statusCode ?? 0, connection: r.headers.connection });
      });
      req.on('error', reject);
      let sent = 0;
      const more = () => {
        while (sent < 1280) {
          sent++;
          if (!req.write('x'.repeat(8192))) return void req.once('drain', more);
        }
        req.end();
      };
      more();
    });
    expect(res).toEqual({ status: 413, connection: 'close' });
  });

  it('answers 413 to a declared Content-Length over the limit without reading it', async () => {
    const res = await post({ 'content-length': String(10 * 1024 * 1024) }, () => undefined).catch(() => ({ status: -1 }));
    expect(res.status).toBe(413);
  });

  it('cuts off a client whose headers never finish', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.write('POST /wecom/callback HTTP/1.1\r\nHost: x\r\n');
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (c) => (got += c.toString()));
      socket.on('close', () => resolve(got));
    });
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('cuts off a client whose body stalls', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.write(`POST /wecom/callback?${query} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<xml>`);
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (c) => (got += c.toString()));
      socket.on('close', () => resolve(got));
    });
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('keeps the production limits: headers in 10 s, the whole request in 20 s', () => {
    expect(CLIENT_LIMITS).toMatchObject({ headersTimeout: 10_000, requestTimeout: 20_000 });
  });
});

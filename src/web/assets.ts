// Every asset the pages use is served by the app itself (government intranets have no CDN): the stylesheet,
// a small chart script, and ECharts from node_modules. Read once, served with a content hash for long caching.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

const FILES: Record<string, { path: () => string; type: string }> = {
  'app.css': { path: () => resolve(here, 'assets/app.css'), type: 'text/css; charset=utf-8' },
  'charts.js': { path: () => resolve(here, 'assets/charts.js'), type: 'text/javascript; charset=utf-8' },
  'echarts.min.js': { path: () => require.resolve('echarts/dist/echarts.min.js'), type: 'text/javascript; charset=utf-8' },
};

const loaded = new Map<string, Asset>();

export function asset(name: string): Asset | null {
  const spec = FILES[name];
  if (!spec) return null;
  let a = loaded.get(name);
  if (!a) {
    const body = readFileSync(spec.path());
    a = { body, type: spec.type, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) };
    loaded.set(name, a);
  }
  return a;
}

/** /web/assets/NAME?v=HASH: a new file gets a new address, so browsers may keep each one for a long time. */
export function assetUrl(name: string): string {
  return `/web/assets/${name}?v=${asset(name)!.hash}`;
}

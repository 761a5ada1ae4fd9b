// The task page's thumbnails: a 佐证 photo scaled to fit a small box and saved as JPEG, by jimp (pure JavaScript,
// no native binaries to download). Decoding a 12-megapixel photo in JavaScript takes seconds, so it runs in a worker
// thread with a memory cap and a time limit: callbacks stay answered meanwhile. Pictures whose header declares more
// pixels than a phone camera makes are not decoded at all.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The box a thumbnail fits in, in pixels: twice the page's 160 px, for sharp phone screens. */
export const THUMB_BOX = 320;
/** About 50 megapixels: beyond any phone photo, and a bounded amount of memory to decode. */
const MAX_PIXELS = 50_000_000;
/** A worker that has not answered by then is stopped; the page then shows the original. */
const WORKER_TIMEOUT_MS = 30_000;

/** jimp's CommonJS build, resolved here: the worker's code is plain JavaScript, needing no TypeScript loader. */
const JIMP_PATH = createRequire(import.meta.url).resolve('jimp');

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Jimp } = require(workerData.jimp);
(async () => {
  const image = await Jimp.read(Buffer.from(workerData.bytes));
  const box = workerData.box;
  if (image.width > box || image.height > box) image.scaleToFit({ w: box, h: box });
  // JPEG has no transparency: a transparent PNG is laid on white, as the page shows it.
  const canvas = new Jimp({ width: image.width, height: image.height, color: 0xffffffff });
  canvas.composite(image, 0, 0);
  parentPort.postMessage(await canvas.getBuffer('image/jpeg', { quality: 75 }));
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;

/** A JPEG thumbnail of a JPEG or PNG image, or null when the picture already fits or cannot (or should not) be decoded. */
export async function makeThumbnail(bytes: Buffer, box = THUMB_BOX): Promise<{ bytes: Buffer; mime: 'image/jpeg' } | null> {
  const size = imageSize(bytes);
  if (!size || size.width * size.height > MAX_PIXELS) return null;
  if (size.width <= box && size.height <= box) return null; // already small: the original is its own thumbnail
  const out = await new Promise<Uint8Array | null>((resolve) => {
    const worker = new Worker(WORKER_CODE, {
      eval: true, workerData: { jimp: JIMP_PATH, bytes, box },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    const timer = setTimeout(() => void worker.terminate(), WORKER_TIMEOUT_MS);
    const finish = (value: Uint8Array | null) => {
      clearTimeout(timer);
      resolve(value);
      void worker.terminate();
    };
    worker.once('message', (m: unknown) => finish(m instanceof Uint8Array ? m : null));
    worker.once('error', () => finish(null));
    worker.once('exit', () => finish(null));
  });
  return out && out.length > 0 ? { bytes: Buffer.from(out.buffer, out.byteOffset, out.byteLength), mime: 'image/jpeg' } : null;
}

/** Width and height from a PNG's IHDR or a JPEG's first frame header; null when neither is found. */
export function imageSize(b: Buffer): { width: number; height: number } | null {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry the frame's height then width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  return null;
}

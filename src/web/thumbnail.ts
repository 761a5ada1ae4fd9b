// The task page's thumbnails: a 佐证 photo scaled to fit a small box and saved as JPEG, by jimp (pure JavaScript,
// no native binaries to download). Pictures whose header declares more pixels than a phone camera makes are not
// decoded at all: a crafted PNG of 30 000 × 30 000 would otherwise take gigabytes.
import { Jimp } from 'jimp';

/** The box a thumbnail fits in, in pixels: twice the page's 160 px, for sharp phone screens. */
export const THUMB_BOX = 320;
/** About 50 megapixels: beyond any phone photo, and a bounded amount of memory to decode. */
const MAX_PIXELS = 50_000_000;

/** A JPEG thumbnail of a JPEG or PNG image, or null when the picture cannot (or should not) be decoded. */
export async function makeThumbnail(bytes: Buffer, box = THUMB_BOX): Promise<{ bytes: Buffer; mime: 'image/jpeg' } | null> {
  const size = imageSize(bytes);
  if (!size || size.width * size.height > MAX_PIXELS) return null;
  try {
    const image = await Jimp.read(bytes);
    if (image.width > box || image.height > box) image.scaleToFit({ w: box, h: box });
    // JPEG has no transparency: a transparent PNG is laid on white, as the page shows it.
    const canvas = new Jimp({ width: image.width, height: image.height, color: 0xffffffff });
    canvas.composite(image, 0, 0);
    return { bytes: await canvas.getBuffer('image/jpeg', { quality: 75 }), mime: 'image/jpeg' };
  } catch {
    return null;
  }
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

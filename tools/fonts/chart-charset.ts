// Prints the characters the chart font must cover, one string on stdout, for tools/fonts/make-chart-font.sh.
// GB2312 (its 6,763 hanzi and its symbol rows) covers the names a township's departments and plans use; the
// repository's own Chinese text (seed plan, fixtures, templates) is added so nothing it names can be missing.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const chars = new Set<string>();
for (let c = 0x20; c < 0x7f; c++) chars.add(String.fromCodePoint(c));

// Every two-byte GB2312 code: rows 0xA1–0xA9 (punctuation, full-width forms, symbols) and 0xB0–0xF7 (hanzi).
const gb = new TextDecoder('gb18030', { fatal: true });
for (let lead = 0xa1; lead <= 0xf7; lead++) {
  if (lead > 0xa9 && lead < 0xb0) continue;
  for (let trail = 0xa1; trail <= 0xfe; trail++) {
    try {
      const s = gb.decode(Uint8Array.of(lead, trail));
      if ([...s].length === 1 && !/\p{Co}/u.test(s)) chars.add(s); // skip the private-use codes GB18030 maps unused slots to
    } catch { /* an unassigned code */ }
  }
}

function addFile(path: string) {
  for (const ch of readFileSync(path, 'utf8')) {
    const cp = ch.codePointAt(0)!;
    // CJK ideographs, CJK punctuation and full-width forms: the scripts a department name is written in.
    if ((cp >= 0x3000 && cp <= 0x303f) || (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xff00 && cp <= 0xffef)) chars.add(ch);
  }
}
function walk(dir: string) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(txt|eta|csv|ts)$/.test(name)) addFile(p);
  }
}
for (const dir of process.argv.slice(2)) walk(dir);
// Signs the chart itself draws.
for (const ch of '%％·—–…（）：、，。■●○◆▲▼★☆') chars.add(ch);

process.stdout.write([...chars].sort().join(''));

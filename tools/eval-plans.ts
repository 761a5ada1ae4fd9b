// Scores the plan parser against the corpus (tests/fixtures/plans/corpus); the scoring is tools/plan-corpus.ts.
//   npm run -s eval:plans            one line per document, then the totals
//   npm run -s eval:plans -- --json  the totals as one JSON object
//   … -- --only w                     only the documents whose file names start so (w: the published plans)
import { basename } from 'node:path';
import { corpusFiles, scoreDocument, totalsOf } from './plan-corpus.ts';

const documents = [];
const lines: string[] = [];
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '') : '';
for (const name of corpusFiles().filter((f) => f.startsWith(only))) {
  const doc = await scoreDocument(name);
  documents.push(doc);
  const count = (k: 'found' | 'leadRight' | 'assistRight' | 'deadlineRight'): number => doc.items.filter((i) => i[k]).length;
  lines.push(`${basename(doc.file).padEnd(34)} ${doc.refused ? 'refused' : `${doc.tasks} tasks`}  found ${count('found')}/${doc.items.length}  lead ${count('leadRight')}  assist ${count('assistRight')}  deadline ${count('deadlineRight')}`);
  for (const item of doc.items) for (const m of item.miss) lines.push(`    ${m}`);
}
const totals = totalsOf(documents);
if (process.argv.includes('--json')) console.log(JSON.stringify(totals));
else console.log([...lines, JSON.stringify(totals)].join('\n'));

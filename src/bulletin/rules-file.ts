// Reads the 考核细则 file the configuration names (SCORE_RULES_FILE, default config/考核细则.yaml).
import { readFileSync } from 'node:fs';
import { parseScoreRules, ScoreRulesError, type ScoreRules } from '../domain/score-rules.ts';

/** The rules, or a ScoreRulesError naming each problem's line (or the file that cannot be read). */
export function loadScoreRules(path: string): ScoreRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScoreRulesError(path, [{ line: null, message: `读不到这个文件（${(err as NodeJS.ErrnoException).code ?? String(err)}）` }]);
  }
  return parseScoreRules(text, path);
}

// Replies are rendered from files in templates/ that a non-programmer can edit.
import { Eta } from 'eta';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates');

const eta = new Eta({
  views: TEMPLATES_DIR,
  autoEscape: false, // plain text and markdown, not HTML
  autoTrim: false, // templates say where lines end: a control tag ending in -%> swallows its newline
  cache: true,
});

/** Renders templates/NAME.eta with `it` = view; trailing blank lines are dropped. */
export function render(template: string, view: object): string {
  return eta
    .render(template, view)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

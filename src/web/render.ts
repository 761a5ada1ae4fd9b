// The pages' templates (templates/web/*.eta), HTML-escaped by default, unlike the chat templates.
import { Eta } from 'eta';
import { resolve } from 'node:path';
import { TEMPLATES_DIR } from '../bot/render.ts';

const eta = new Eta({ views: resolve(TEMPLATES_DIR, 'web'), autoEscape: true, autoTrim: [false, 'nl'], cache: true });

export function renderPage(template: string, view: object): string {
  return eta.render(template, view);
}

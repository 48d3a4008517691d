import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** axe-core's browser build, read once. */
let source: string | undefined;
const axeSource = () =>
  (source ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  /** CSS selectors of the offending nodes (the first few). */
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now and answers its violations,
 * each with the first few offending selectors. `within` limits it to one region (a selector).
 *
 *     expect(await axeViolations(page, { impacts: ['serious', 'critical'] })).toEqual([]);
 */
export async function axeViolations(
  page: Page,
  options: { within?: string; impacts?: AxeViolation['impact'][] } = {},
): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol: the console's CSP (script-src 'self') refuses an inline <script>.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource());
  const found = await page.evaluate(async (within) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<unknown> } }).axe;
    const result = (await axe.run(within ?? document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    })) as {
      violations: { id: string; impact: AxeViolation['impact']; help: string; nodes: { target: unknown[] }[] }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(' ')),
    }));
  }, options.within);
  return options.impacts ? found.filter((v) => options.impacts!.includes(v.impact)) : found;
}

/** The violations that block: serious and critical. */
export const blockingViolations = (page: Page, within?: string) =>
  axeViolations(page, { impacts: ['serious', 'critical'], ...(within ? { within } : {}) });

/**
 * Which n8n release line an instance runs, and what that changes for Flightdeck. Facts observed
 * against 1.123.81 and 2.41.1 (../shared/docs/N8N-TEST-INSTANCE.md):
 *
 * - 2.x publishes instead of activating: a workflow has a saved draft (`nodes`, `versionId`) and a
 *   published version (`activeVersion`); `/publish` and `/unpublish` are the verbs, `/activate`
 *   and `/deactivate` are deprecated aliases. Deleting a published workflow answers 409.
 * - 2.x resumes a Wait node only with `?signature=<resumeToken>` on `/webhook-waiting/<id>`.
 * - 1.x keeps the published version equal to the saved one (an active workflow goes live on save).
 */

/** The release lines Flightdeck knows. Anything newer is treated like the newest known one. */
export type N8nLine = 1 | 2;

/** The major version of an n8n release string ("1.123.81", "2.41.1", "n8n@2.0.0-rc.1"), or null. */
export function majorOf(version: string | null | undefined): number | null {
  const match = /(\d+)\.\d+/.exec(version ?? '');
  const major = match ? Number(match[1]) : NaN;
  return Number.isInteger(major) && major > 0 ? major : null;
}

/** The line of a release string; null when the version is unknown (n8n or a proxy hides it). */
export function lineOf(version: string | null | undefined): N8nLine | null {
  const major = majorOf(version);
  if (major === null) return null;
  return major >= 2 ? 2 : 1;
}

/** The words the operator sees for making a workflow live on that line. */
export function liveVerbs(line: N8nLine | null): { on: string; off: string; state: string } {
  return line === 2
    ? { on: 'publish', off: 'unpublish', state: 'published' }
    : { on: 'activate', off: 'deactivate', state: 'active' };
}

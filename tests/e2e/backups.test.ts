import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n } from '../../src/main/core/testing/fake-n8n';
import { blockingViolations } from './axe';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';
import { failCalls } from './failing-calls';

/** Makes a draft and a settings change through the UI: the data the backup must carry. */
async function makeLocalData(page: Page) {
  await page.getByTestId('nav-drafts').click();
  await page.getByTestId('d-new-name').fill('Nightly report');
  await page.getByTestId('d-new').click();
  await page.getByTestId('d-editor').waitFor();
  await page.getByTestId('d-back').click();
  await page.getByTestId('d-list').getByText('Nightly report').waitFor();

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('operator-name').fill('Grace');
  await page.getByTestId('save-settings').click();
  await expect.poll(() => page.getByTestId('save-settings').isDisabled(), { timeout: 10_000 }).toBe(true);
}

async function exportAndDownload(page: Page, folder: string, passphrase?: string): Promise<string> {
  await page.getByTestId('nav-backups').click();
  if (passphrase) {
    await page.getByTestId('b-passphrase').fill(passphrase);
    await page.getByTestId('b-passphrase-again').fill(passphrase);
  }
  // Count only once the list has loaded (a table, or the empty state when there is none).
  await page.locator('[data-testid="b-files"], [data-testid="empty-state"]').first().waitFor();
  const before = await page
    .getByTestId('b-files')
    .locator('tbody tr')
    .count()
    .catch(() => 0);
  await page.getByTestId('b-export').click();
  await page.getByTestId('b-export-result').waitFor();
  await expect
    .poll(() => page.getByTestId('b-files').locator('tbody tr').count(), { timeout: 10_000 })
    .toBe(before + 1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('b-download-0').click()]);
  const path = join(folder, download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? tmpdir();

describe('backups in Chromium', () => {
  let browser: Browser;
  let source: ConsoleProcess;
  let fresh: ConsoleProcess;
  const downloads = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-downloads-'));
  beforeAll(async () => {
    [browser, source, fresh] = await Promise.all([launchChromium(), startConsole(), startConsole()]);
  });
  afterAll(async () => {
    await browser?.close();
    await source?.stop();
    await fresh?.stop();
    rmSync(downloads, { recursive: true, force: true });
  });

  it('exports a backup (download), restores it into a fresh console after a preview, and shows the restored data', async () => {
    const page = await openConsole(browser, source.url);
    await makeLocalData(page);
    const instance = await callHost<{ id: string }>(source, 'instances:add', {
      name: 'prod-eu',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'e2e-key-123456',
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await callHost(source, 'mappings:create', {
      mapping: { event: 'customer.updated', name: 'CRM sync', instanceId: instance.id, webhookPath: 'crm' },
    });
    // The fresh console records something of its own: the preview must say it leaves the audit log.
    await callHost(fresh, 'settings:update', { patch: { operatorName: 'Ada' } });
    const file = await exportAndDownload(page, downloads);
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    expect(text).toContain('Nightly report');
    expect(text.trim().split('\n').at(-1)).toContain('"t":"manifest"');

    const other = await openConsole(browser, fresh.url);
    await other.getByTestId('nav-backups').click();
    await other.getByTestId('empty-state').waitFor();
    await other.getByTestId('b-restore-file').setInputFiles(file);
    await other.getByTestId('b-preview').waitFor();
    expect(await other.getByTestId('b-preview-drafts-add').textContent()).toBe('1');
    expect(Number(await other.getByTestId('b-preview-settings-add').textContent())).toBeGreaterThan(0);
    expect(await other.getByTestId('b-preview-summary').textContent()).toContain('every checksum matches');
    // In domain terms: by name, and what happens to the audit log.
    expect(await other.getByTestId('b-preview-change').allTextContents()).toEqual([
      '1 instance comes back: prod-eu',
      '1 mapping comes back: CRM sync',
    ]);
    expect(await other.getByTestId('b-preview-audit').textContent()).toMatch(
      /The audit log becomes the backup's \d+ entries: the 1 entry recorded here and not in the backup is removed/,
    );
    await other.setViewportSize({ width: 1280, height: 1000 });
    await other.getByTestId('b-preview').screenshot({ path: `${shots}/restore-preview-light.png` });
    await callHost(fresh, 'settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => other.locator('html').getAttribute('data-theme')).toBe('dark');
    await other.getByTestId('b-preview').screenshot({ path: `${shots}/restore-preview-dark.png` });
    await callHost(fresh, 'settings:update', { patch: { theme: 'light' } });

    // Nothing changed yet: the fresh console still has no drafts.
    await other.getByTestId('b-restore').click();
    await other.getByTestId('confirm-ok').click();
    await expect
      .poll(() => other.getByTestId('b-restore-result').textContent(), { timeout: 10_000 })
      .toContain('Restored');
    await other.getByTestId('nav-drafts').click();
    await other.getByTestId('d-list').getByText('Nightly report').waitFor();
    await other.getByTestId('nav-settings').click();
    await expect.poll(() => other.getByTestId('operator-name').inputValue(), { timeout: 10_000 }).toBe('Grace');
  });

  it('saves an automatic-backup schedule and shows when it runs next', async () => {
    const page = await openConsole(browser, source.url);
    await page.getByTestId('nav-backups').click();
    await page.getByTestId('b-schedule-enabled').check();
    await page.getByTestId('b-schedule-hours').fill('0.1');
    expect(await page.getByTestId('b-schedule-save').isDisabled()).toBe(true);
    await page.getByTestId('b-schedule-hours').fill('6');
    await page.getByTestId('b-schedule-keep').fill('3');
    await page.getByTestId('b-schedule-save').click();
    await expect.poll(() => page.getByTestId('b-schedule-state').textContent(), { timeout: 10_000 }).toContain('Next:');
    await page.reload();
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.getByTestId('nav-backups').click();
    await expect.poll(() => page.getByTestId('b-schedule-keep').inputValue(), { timeout: 10_000 }).toBe('3');
  });

  it('refuses an encrypted backup with the wrong passphrase, then restores it with the right one', async () => {
    const page = await openConsole(browser, source.url);
    const file = await exportAndDownload(page, downloads, 'correct horse battery');

    const other = await openConsole(browser, fresh.url);
    await other.getByTestId('nav-backups').click();
    await other.getByTestId('b-restore-passphrase').fill('wrong passphrase');
    await other.getByTestId('b-restore-file').setInputFiles(file);
    await expect
      .poll(() => other.getByTestId('b-restore-problem').textContent(), { timeout: 10_000 })
      .toContain('Wrong passphrase');

    await other.getByTestId('b-restore-passphrase').fill('correct horse battery');
    await other.getByTestId('b-restore-retry').click();
    await other.getByTestId('b-preview').waitFor();
    expect(await other.getByTestId('b-preview-summary').textContent()).toContain('encrypted with secrets');
  });
});

/** A fake n8n that accepts only `key`, recording every request on arrival with its headers. */
async function recordingN8n(key: string) {
  const fake = await startFakeN8n({ apiKey: key });
  const requests = fake.state.received;
  return {
    url: fake.baseUrl,
    requests,
    /** Requests that carried this listener's key since `from` (an index into `requests`). */
    keyed: (from = 0) => requests.slice(from).filter((r) => r.headers['x-n8n-api-key'] === key).length,
    close: () => fake.close(),
  };
}

interface ListedInstance {
  id: string;
  name: string;
  baseUrl: string;
  sync: { state: string };
}

describe('restore reloads a running console in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  const temp = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-tmp-'));
  beforeAll(async () => {
    // Its own temp folder, to show a restore leaves nothing there.
    [browser, app] = await Promise.all([launchChromium(), startConsole({ env: { TMPDIR: temp } })]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  it('a restored new instance syncs on its own, a moved one is reached at its restored address, and every window reloads without a page load', async () => {
    const KEY_A = 'n8n_api_E2E-RESTORE-A-0001';
    const KEY_B = 'n8n_api_E2E-RESTORE-B-0002';
    const [first, second, elsewhere] = await Promise.all([
      recordingN8n(KEY_A),
      recordingN8n(KEY_B),
      recordingN8n(KEY_A),
    ]);
    try {
      const list = async () => (await callHost<{ instances: ListedInstance[] }>(app, 'instances:list', {})).instances;
      const add = (name: string, baseUrl: string, apiKey: string) =>
        callHost<ListedInstance>(app, 'instances:add', {
          name,
          baseUrl,
          apiKey,
          environment: 'prod',
          color: '#2f6fed',
        });
      const a = await add('alpha', first.url, KEY_A);
      const b = await add('beta', second.url, KEY_B);
      await expect
        .poll(async () => (await list()).find((i) => i.id === b.id)?.sync.state, { timeout: 15_000 })
        .toBe('ok');
      await callHost(app, 'settings:update', { patch: { operatorName: 'Before' } });
      await callHost(app, 'instances:update', {
        id: a.id,
        patch: { publicWebhookUrl: 'https://hooks.example.com', waitInbox: { enabled: true, workflowIds: [] } },
      });
      await callHost(app, 'backups:export', { passphrase: 'e2e restore passphrase' });

      // Since the backup: alpha moved (its key re-sealed by the form's rules) and lost its public
      // webhook URL and wait inbox, beta removed, a new operator name.
      await callHost(app, 'instances:update', {
        id: a.id,
        patch: { baseUrl: elsewhere.url, publicWebhookUrl: null, waitInbox: { enabled: false, workflowIds: [] } },
      });
      await callHost(app, 'instances:remove', { id: b.id });
      await add('gamma', `${elsewhere.url}/gamma`, KEY_A);
      await callHost(app, 'settings:update', { patch: { operatorName: 'After' } });

      const restoring = await openConsole(browser, app.url);
      const watching = await openConsole(browser, app.url);
      // A page load would lose these: the windows must reload their data in place.
      await restoring.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
      await watching.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
      await watching.getByTestId('nav-instances').click();
      await watching.getByTestId('instance-alpha').waitFor();
      await watching.getByTestId('instance-gamma').waitFor();
      expect(await watching.getByTestId('instance-beta').count()).toBe(0);

      await restoring.getByTestId('nav-backups').click();
      await restoring.getByTestId('b-restore-passphrase').fill('e2e restore passphrase');
      await restoring.getByTestId('b-inspect-0').click();
      await restoring.getByTestId('b-preview').waitFor();
      const alphaRow = restoring.getByTestId('b-preview-instance-alpha');
      expect(await alphaRow.getByTestId('b-preview-instance-url').textContent()).toBe(
        `${elsewhere.url} → ${first.url}`,
      );
      expect(await alphaRow.getByTestId('b-preview-instance-key').getAttribute('data-key')).toBe('restored');
      expect(await alphaRow.getByTestId('b-preview-instance-setting').allTextContents()).toEqual([
        'Public webhook URL: none (the address above) → https://hooks.example.com',
        'Waits in the inbox: off → on, every workflow',
      ]);
      const betaRow = restoring.getByTestId('b-preview-instance-beta');
      expect(await betaRow.getByTestId('b-preview-instance-action').textContent()).toBe('add');

      const gammaRow = restoring.getByTestId('b-preview-instance-gamma');
      expect(await gammaRow.getByTestId('b-preview-instance-key').getAttribute('data-key')).toBe('removed');

      // gamma lives under /gamma on the same listener as alpha's moved address: count alpha's only.
      const alphaElsewhere = () => elsewhere.requests.filter((r) => !r.url.startsWith('/gamma')).length;
      const marks = { first: first.requests.length, second: second.requests.length, elsewhere: alphaElsewhere() };
      await restoring.getByTestId('b-restore').click();
      await restoring.getByTestId('confirm-ok').click();
      await expect
        .poll(() => restoring.getByTestId('b-restore-result').textContent(), { timeout: 10_000 })
        .toContain('Restored');

      // The other window: beta is back and syncs by itself (the interval is a minute: this is the restore's doing).
      const betaCard = watching.getByTestId('instance-beta');
      await betaCard.waitFor({ timeout: 10_000 });
      await expect.poll(() => second.keyed(marks.second), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect
        .poll(() => betaCard.getByTestId('instance-state').getAttribute('data-state'), { timeout: 15_000 })
        .toBe('ok');
      // alpha shows and uses its restored address; the address it had before the restore hears nothing more.
      await expect
        .poll(() => watching.getByTestId('instance-alpha').textContent(), { timeout: 10_000 })
        .toContain(first.url);
      await expect.poll(() => first.keyed(marks.first), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(alphaElsewhere()).toBe(marks.elsewhere);
      // Its public webhook URL and wait inbox came back as the preview said.
      expect((await list()).find((i) => i.id === a.id)).toMatchObject({
        publicWebhookUrl: 'https://hooks.example.com',
        waitInbox: { enabled: true, workflowIds: [] },
      });
      // gamma, added after the backup, is gone: no event says so, only the refetch every window makes.
      await expect.poll(() => watching.getByTestId('instance-gamma').count(), { timeout: 10_000 }).toBe(0);
      // The settings store reloaded too, and neither window was loaded again.
      await watching.getByTestId('nav-settings').click();
      await expect.poll(() => watching.getByTestId('operator-name').inputValue(), { timeout: 10_000 }).toBe('Before');
      for (const page of [restoring, watching])
        expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      await Promise.all([first.close(), second.close(), elsewhere.close()]);
    }
  });

  it('refuses a flipped byte, a truncated file and a zip, and the host is still up 3 s later with no staging file left', async () => {
    const made = await callHost<{ file: { path: string } }>(app, 'backups:export', {});
    const bytes = readFileSync(made.file.path);
    // A row midway broken by one byte (stored, uncompressed gzip, so the byte is the row's first
    // character): the reader stops there while gunzip, reading on, fails its CRC check later.
    const lines = gunzipSync(bytes).toString('utf8').split('\n');
    const stored = gzipSync(Buffer.from(lines.join('\n')), { level: 0 });
    const row = lines.slice(Math.floor(lines.length / 2)).find((l) => l.startsWith('{"t":"row"')) ?? '';
    const at = stored.indexOf(Buffer.from(row));
    expect(at).toBeGreaterThan(0);
    stored[at] = (stored[at] ?? 0) ^ 0x01;
    const files = {
      flipped: stored,
      truncated: bytes.subarray(0, Math.floor(bytes.length * 0.7)),
      zip: Buffer.from('PK\u0003\u0004 a zip, not a backup'),
    };
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-backups').click();
    let shown = '';
    for (const [name, content] of Object.entries(files)) {
      const path = join(temp, `${name}.fdbk`);
      writeFileSync(path, content);
      await page.getByTestId('b-restore-file').setInputFiles(path);
      // Each refusal says its own reason: wait for this file's, not the previous one's.
      await expect
        .poll(
          async () => {
            const text =
              (await page
                .getByTestId('b-restore-problem')
                .textContent()
                .catch(() => '')) ?? '';
            return text !== shown && /damaged|truncated|not valid JSON|not a Flightdeck backup/.test(text);
          },
          { timeout: 10_000 },
        )
        .toBe(true);
      shown = (await page.getByTestId('b-restore-problem').textContent()) ?? '';
      rmSync(path);
    }
    // The window in which the old reader's late gunzip error ended the process.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(app.process.exitCode).toBeNull();
    expect(await callHost<{ files: unknown[] }>(app, 'backups:list', {})).toMatchObject({ files: expect.any(Array) });
    const staging = join(app.dataDir, 'backups', 'incoming');
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
    expect(readdirSync(temp)).toEqual([]);
  });
});

describe('n8n snapshots in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: Awaited<ReturnType<typeof startFakeN8n>>;
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  /** Chooses in a Picker by typing part of a name, as an operator would. */
  async function pick(page: Page, testId: string, text: string) {
    const input = page.getByTestId(`${testId}-input`);
    await input.focus();
    await input.fill(text);
    await expect.poll(() => page.getByTestId(`${testId}-option`).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await input.press('Enter');
  }

  it('says in the restore dialog when the node-type check failed, with a Retry, instead of checking forever', async () => {
    n8n.addWorkflow('wfOrders000000001', 'Orders → CRM', { path: 'orders' });
    const instance = await callHost<{ id: string }>(app, 'instances:add', {
      name: 'prod',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await callHost(app, 'backups:snapshotTake', { instanceId: instance.id, label: 'before upgrade' });

    const page = await browser.newPage();
    const failing = await failCalls(page);
    failing.set('drafts:preflight', { code: 'N8N_UNREACHABLE', message: 'prod did not answer.', retryable: false });
    await page.goto(app.url);
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.getByTestId('nav-backups').click();
    await pick(page, 'b-snapshot-target', 'prod');
    await page.getByRole('button', { name: 'Restore into prod' }).click();
    const dialog = page.getByTestId('confirm-dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Restore into prod?');
    await expect
      .poll(() => dialog.getByTestId('load-error').textContent())
      .toBe('Could not load the node types of prod. prod did not answer.Retry');
    // Names, never bare ids: not in the table, the buttons, nor the dialog.
    expect(await page.getByTestId('b-snapshots').innerText()).not.toContain(instance.id);
    expect(await dialog.innerText()).not.toContain(instance.id);
    // n8n answers again: Retry runs the check.
    failing.clear();
    await dialog.getByTestId('load-retry').click();
    await dialog.getByTestId('b-snapshot-preflight').waitFor();
    expect(await dialog.getByTestId('load-error').count()).toBe(0);
    expect(await dialog.getByTestId('b-snapshot-preflight').textContent()).toContain('on prod: every node type');
    expect(await dialog.innerText()).not.toContain(instance.id);
    // The pickers, the table and the dialog pass axe (console-a11y sees the panel empty only).
    expect(await blockingViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.close();
  });

  it('takes a snapshot of an instance picked by name, and names a removed instance as such', async () => {
    const staging = await callHost<{ id: string }>(app, 'instances:add', {
      name: 'staging',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'staging',
      color: '#8a5cf6',
      syncEnabled: false,
    });
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-backups').click();
    const panel = page.getByTestId('b-snapshots');
    await pick(page, 'b-snapshot-instance', 'stag');
    expect(await page.getByTestId('b-snapshot-instance-input').inputValue()).toBe('staging');
    await panel.getByPlaceholder('Label (optional)').fill('before the move');
    await page.getByTestId('b-snapshot-take').click();
    const row = panel.locator('tbody tr', { hasText: 'before the move' });
    await row.waitFor();
    const name = row.getByTestId('b-snapshot-instance-name');
    expect(await name.textContent()).toBe('staging');
    expect(await name.getAttribute('title')).toBe(staging.id);
    expect(await panel.innerText()).not.toContain(staging.id);

    await pick(page, 'b-snapshot-target', 'stag');
    const restoreButton = row.getByRole('button', { name: /^Restore into/ });
    expect(await restoreButton.textContent()).toBe('Restore into staging');

    // The snapshot outlives its instance; the panel says so instead of showing the id, and the
    // removed instance is no longer chosen anywhere.
    await callHost(app, 'instances:remove', { id: staging.id });
    await expect.poll(() => name.textContent(), { timeout: 10_000 }).toBe('removed instance');
    expect(await name.getAttribute('title')).toBe(staging.id);
    expect(await restoreButton.textContent()).toBe('Restore into …');
    expect(await restoreButton.isDisabled()).toBe(true);
    expect(await page.getByTestId('b-snapshot-target-input').inputValue()).toBe('');
    expect(await page.getByTestId('b-snapshot-take').isDisabled()).toBe(true);
    expect(await panel.innerText()).not.toContain(staging.id);
    await page.close();
  });
});

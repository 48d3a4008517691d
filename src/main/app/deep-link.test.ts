import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AREAS } from '../../renderer/areas';
import { AREA_IDS, findDeepLinkInArgv, linkFor, parseDeepLink, routeFor, routeForLink } from './deep-link';

describe('deep links', () => {
  it('maps approvals and executions to the renderer routes', () => {
    expect(routeForLink('flightdeck://approvals/42')).toBe('#/approvals/42');
    expect(routeForLink('flightdeck://executions/FD-29')).toBe('#/executions/FD-29');
    expect(routeForLink('flightdeck://executions/fd-29')).toBe('#/executions/FD-29');
    expect(routeForLink('flightdeck://executions/29')).toBe('#/executions/FD-29');
    expect(routeForLink('flightdeck://approvals')).toBe('#/approvals');
    expect(routeForLink('flightdeck://settings/')).toBe('#/settings');
  });

  it('opens workflows, mappings, instances, schedules and drafts by their ids', () => {
    expect(routeForLink('flightdeck://workflows/96c9bc95-1a2b/1nZI1UNvkiFbrXYE')).toBe(
      '#/workflows/96c9bc95-1a2b/1nZI1UNvkiFbrXYE',
    );
    expect(routeForLink('flightdeck://Mappings/customer_updated-1')).toBe('#/mappings/customer_updated-1');
    expect(routeForLink('flightdeck://instances/abc')).toBe('#/instances/abc');
    expect(routeForLink('flightdeck://schedules/12')).toBe('#/schedules/12');
    expect(routeForLink('flightdeck://drafts/d-1')).toBe('#/drafts/d-1');
    for (const link of [
      'flightdeck://workflows/abc',
      'flightdeck://workflows/a/b/c',
      'flightdeck://mappings/a/b',
      'flightdeck://mappings/%2e%2e',
      'flightdeck://mappings/-x',
      'flightdeck://metrics/abc',
      'flightdeck://settings/abc',
      `flightdeck://mappings/${'a'.repeat(101)}`,
    ])
      expect(parseDeepLink(link), link).toBeNull();
  });

  it('accepts the spellings operating systems hand over', () => {
    for (const link of [
      'flightdeck:approvals/42',
      'flightdeck:///approvals/42/',
      'FlightDeck://Approvals/42',
      'flightdeck://approvals/42?from=chat',
      'flightdeck://approvals/42#top',
      '  flightdeck://approvals/42\n',
    ]) {
      expect(parseDeepLink(link), link).toEqual({ kind: 'approval', id: 42 });
    }
  });

  it('refuses anything else', () => {
    for (const link of [
      'https://approvals/42',
      'flightdeck://',
      'flightdeck://approvals/0',
      'flightdeck://approvals/-1',
      'flightdeck://approvals/042',
      'flightdeck://approvals/1e3',
      'flightdeck://approvals/9999999999999999',
      'flightdeck://approvals/42/comments',
      'flightdeck://approvals/%34%32',
      'flightdeck://executions/n8n-812',
      'flightdeck://executions/FD-',
      'flightdeck://queue/abc',
      'flightdeck://nowhere',
      'flightdeck://approvals/42"><script>',
      'flightdeck://' + 'a/'.repeat(300),
      '',
      42,
      null,
      undefined,
      { href: 'flightdeck://approvals/1' },
    ]) {
      expect(parseDeepLink(link), String(link)).toBeNull();
    }
  });

  it('never throws, and whatever it accepts routes to a plain hash of safe characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `flightdeck://${s}`),
        ),
        (text) => {
          const link = parseDeepLink(text);
          if (link) expect(routeFor(link)).toMatch(/^#\/[a-z]+(\/[A-Za-z0-9_-]+){0,2}$/);
        },
      ),
    );
  });

  it('writes links that read back as the same item', () => {
    for (const link of [
      { kind: 'approval', id: 7 },
      { kind: 'execution', run: 'FD-29' },
      { kind: 'area', area: 'metrics' },
      { kind: 'item', area: 'mappings', id: 'm-1' },
      { kind: 'workflow', instanceId: 'i-1', workflowId: 'Wf1' },
    ] as const) {
      expect(parseDeepLink(linkFor(link))).toEqual(link);
    }
    expect(linkFor({ kind: 'approval', id: 7 })).toBe('flightdeck://approvals/7');
  });

  it('finds the link on a command line (second launch, Windows and Linux hand-over)', () => {
    expect(findDeepLinkInArgv(['/opt/Flightdeck/flightdeck', '--no-sandbox', 'flightdeck://approvals/3'])).toBe(
      'flightdeck://approvals/3',
    );
    expect(findDeepLinkInArgv(['electron', '.', '--original-process-start-time=1'])).toBeNull();
    expect(findDeepLinkInArgv([undefined, 3, 'x'])).toBeNull();
  });

  it('knows the same areas as the renderer', () => {
    // Team is the headless host's area in team mode: the desktop app's menu and links leave it out.
    expect([...AREA_IDS]).toEqual(AREAS.map((a) => a.id).filter((id) => id !== 'team'));
  });
});

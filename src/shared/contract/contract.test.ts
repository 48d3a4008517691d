import { describe, expect, it } from 'vitest';
import { areas, CALL_CHANNELS, calls, EVENT_CHANNELS, events } from './index';

describe('contract', () => {
  it('names every channel area:verb inside the area that owns it', () => {
    for (const [area, spec] of Object.entries(areas)) {
      for (const name of [...Object.keys(spec.calls), ...Object.keys(spec.events)]) {
        expect(name).toMatch(new RegExp(`^${area}:[a-z][a-zA-Z]*$`));
      }
    }
  });

  it('has an allowlist equal to the contract maps', () => {
    expect([...CALL_CHANNELS].sort()).toEqual(Object.keys(calls).sort());
    expect([...EVENT_CHANNELS].sort()).toEqual(Object.keys(events).sort());
  });

  it('counts each channel once across areas', () => {
    const all = Object.values(areas).flatMap((a) => Object.keys(a.calls));
    expect(new Set(all).size).toBe(all.length);
  });
});

import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Picker, type PickerProps } from './Picker';

const html = (props: Partial<PickerProps>) =>
  renderToStaticMarkup(
    createElement(Picker, {
      label: 'Instance',
      options: [{ value: 'e2b88e5e-1a68-40e2-a987-d1344d01160a', label: 'prod' }],
      value: null,
      onChange: () => undefined,
      ...props,
    }),
  );

describe('what a picker shows for its value', () => {
  it('the chosen option by name, with its id on hover', () => {
    const out = html({ value: 'e2b88e5e-1a68-40e2-a987-d1344d01160a' });
    expect(out).toContain('value="prod"');
    expect(out).toContain('title="prod · e2b88e5e-1a68-40e2-a987-d1344d01160a"');
  });

  it('a value no option has (removed since): "Not found" with the head of its id, the whole id on hover', () => {
    const out = html({ value: '7c42aa10-0000-4000-8000-000000000001' });
    expect(out).toContain('value="Not found: 7c42aa10…"');
    expect(out).toContain('title="Not found: 7c42aa10-0000-4000-8000-000000000001"');
    expect(html({ value: 'wf-7' })).toContain('value="Not found: wf-7"');
  });

  it('typed text as it is in free mode', () => {
    expect(html({ free: true, value: 'customer-updatd' })).toContain('value="customer-updatd"');
  });
});

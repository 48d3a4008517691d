import { describe, expect, it } from 'vitest';
import { renderApprovalTitle, templateFields, TITLE_MAX } from './approval-title';

describe('approval titles from payload fields', () => {
  const payload = { refundId: 'R-1042', amount: 129.5, currency: 'EUR', customer: { name: 'Acme' }, tags: ['vip'] };
  it('fills placeholders with dotted paths and marks missing fields', () => {
    expect(
      renderApprovalTitle('Refund {{refundId}} · {{amount}} {{ currency }} · {{customer.name}} {{tags}}', payload),
    ).toBe('Refund R-1042 · 129.5 EUR · Acme ["vip"]');
    expect(renderApprovalTitle('{{missing}} / {{customer.zip}} / {{tags.0}}', payload)).toBe('? / ? / vip');
  });
  it('never reads through the prototype and keeps text that is not a placeholder', () => {
    expect(renderApprovalTitle('{{constructor}} {{__proto__.x}} {{toString}} {{ not a path }}', payload)).toBe(
      '? ? ? {{ not a path }}',
    );
    expect(renderApprovalTitle('{{a}}', null)).toBe('?');
  });
  it('keeps the title to one line of bounded length', () => {
    const long = renderApprovalTitle('{{text}}', { text: `a\nb ${'x'.repeat(1000)}` });
    expect(long).toHaveLength(TITLE_MAX);
    expect(long.startsWith('a b x')).toBe(true);
  });
  it('lists the fields a template reads', () => {
    expect(templateFields('Refund {{refundId}} · {{customer.name}}')).toEqual(['refundId', 'customer.name']);
  });
});

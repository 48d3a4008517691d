import { describe, expect, it } from 'vitest';
import { isInstanceBase, isOnInstance, onSavedAddress } from './instance-urls';

const local = { baseUrl: 'http://127.0.0.1:5678' };
const proxied = { baseUrl: 'https://proxy.example/n8n-a', publicWebhookUrl: 'https://hooks.example/a' };

describe('instance addresses', () => {
  it.each([
    ['the saved spelling', local, 'http://127.0.0.1:5678/webhook-waiting/81', true],
    ["n8n's default spelling (localhost)", local, 'http://localhost:5678/webhook-waiting/81', true],
    ['IPv6 loopback', local, 'http://[::1]:5678/webhook-waiting/81', true],
    ['another port', local, 'http://localhost:5679/webhook-waiting/81', false],
    ['another scheme', local, 'https://127.0.0.1:5678/webhook-waiting/81', false],
    ['another host', local, 'http://evil.example:5678/webhook-waiting/81', false],
    ['credentials in the URL', local, 'http://u:p@127.0.0.1:5678/webhook-waiting/81', false],
    ['not http', local, 'file:///etc/passwd', false],
    ['under the path prefix', proxied, 'https://proxy.example/n8n-a/webhook-waiting/1', true],
    ["under another instance's prefix", proxied, 'https://proxy.example/n8n-b/webhook-waiting/1', false],
    ['a prefix that only starts alike', proxied, 'https://proxy.example/n8n-ab/webhook-waiting/1', false],
    ['on the public webhook URL (WEBHOOK_URL)', proxied, 'https://hooks.example/a/webhook-waiting/1?signature=x', true],
  ])('%s', (_name, instance, url, expected) => {
    expect(isOnInstance(instance, url)).toBe(expected);
  });

  it('names an instance by its address or public URL, path included', () => {
    expect(isInstanceBase(proxied, 'https://proxy.example/n8n-a/')).toBe(true);
    expect(isInstanceBase(proxied, 'https://hooks.example/a')).toBe(true);
    expect(isInstanceBase(proxied, 'https://proxy.example')).toBe(false);
    expect(isInstanceBase(local, 'http://localhost:5678')).toBe(true);
  });

  it('resumes on the saved loopback spelling, keeping path and signature', () => {
    expect(onSavedAddress(local, 'http://localhost:5678/webhook-waiting/81?signature=abc')).toBe(
      'http://127.0.0.1:5678/webhook-waiting/81?signature=abc',
    );
    expect(onSavedAddress(proxied, 'https://hooks.example/a/webhook-waiting/1')).toBe(
      'https://hooks.example/a/webhook-waiting/1',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { dnsLabel, isPreviewHostOf, previewAliasHost, previewHost, previewNumberOf } from './preview-hosts.js';

describe('preview hosts', () => {
  it('names a pull request pr-<n> and addresses it deterministically, with an alias per commit', () => {
    expect(previewHost('shop', 7, 'preview.example.com')).toBe('pr-7.shop.preview.example.com');
    expect(previewAliasHost('shop', 7, '0123456789abcdef', 'preview.example.com')).toBe(
      '0123456--pr-7.shop.preview.example.com',
    );
    expect(previewNumberOf('pr-7')).toBe(7);
    for (const name of ['production', 'pr-', 'pr-07', 'pr-1x', 'xpr-1', 'pr-0'])
      expect(previewNumberOf(name)).toBeUndefined();
  });

  it('cuts a label to 63 characters ending in a hash of the whole, so long names sharing a prefix differ', () => {
    const long = 'feature-'.repeat(12);
    const a = dnsLabel(`${long}a`);
    const b = dnsLabel(`${long}b`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a.length).toBeGreaterThan(55);
    expect(b.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    expect(dnsLabel(`${long}a`)).toBe(a);
    expect(dnsLabel('x'.repeat(63))).toBe('x'.repeat(63));
  });

  it('makes any text a DNS label: lowercase, letters, digits and inner dashes', () => {
    expect(dnsLabel('Feature/Login_Page')).toBe('feature-login-page');
    expect(dnsLabel('--a--b--')).toBe('a--b');
    expect(dnsLabel('!!!')).toBe('x');
    expect(
      previewHost('a'.repeat(80), 1, 'p.test')
        .split('.')
        .every((label) => label.length <= 63),
    ).toBe(true);
  });

  it("tells a preview's hosts, its aliases included, from other hosts", () => {
    expect(isPreviewHostOf('pr-7.shop.p.test', 'shop', 7, 'p.test')).toBe(true);
    expect(isPreviewHostOf('0123456--pr-7.shop.p.test', 'shop', 7, 'p.test')).toBe(true);
    expect(isPreviewHostOf('0123456--pr-70.shop.p.test', 'shop', 7, 'p.test')).toBe(false);
    expect(isPreviewHostOf('pr-7.other.p.test', 'shop', 7, 'p.test')).toBe(false);
    expect(isPreviewHostOf('shop.p.test', 'shop', 7, 'p.test')).toBe(false);
  });
});

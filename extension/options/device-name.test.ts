import { describe, expect, it } from 'vitest';
import { describeBrowser } from './device-name.ts';

describe('describeBrowser', () => {
  it('names the brand and the platform from the user agent', () => {
    expect(describeBrowser({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36' })).toBe('Chrome on Linux');
    expect(describeBrowser({ userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0' })).toBe('Firefox on Windows');
    expect(describeBrowser({ userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 Edg/140.0' })).toBe('Edge on macOS');
    expect(describeBrowser(undefined)).toBe('Browser');
  });
});

import { describe, expect, it } from 'vitest';
import { CheckedPublishedConfig, selectorIssue } from './css-selector.ts';

describe('selectorIssue', () => {
  it.each([
    'div',
    'div[data-message-author-role="assistant"]',
    '.markdown.prose',
    'main article > div',
    'a:has(b)',
    'div:has(> p.answer)',
    'div:is(.a, .b) > p',
    ':where(article) p',
    'a:not([href^="http"])',
    '[data-x*="y"]',
    '[data-x$=y]',
    '[data-x="y" i]',
    'li:nth-child(2n+1 of .turn)',
    'button[aria-label="Stop generating"], button[data-testid="stop-button"]',
    ':scope > div',
    '*|div',
    'a\\:b',
  ])('accepts %s', (selector) => {
    expect(selectorIssue(selector)).toBeUndefined();
  });

  it.each([
    ['div[', /^not a valid CSS selector: Expected attribute name/],
    ['div > > a', /^not a valid CSS selector: Expected rule but ">" found/],
    ['div >', /^not a valid CSS selector: .*end of input/],
    ['', /^not a valid CSS selector/],
    ['#1a', /^not a valid CSS selector: Expected ID name/],
    ['a:is()', /^not a valid CSS selector/],
    ['a, ', /^not a valid CSS selector/],
    // jQuery's :contains() and typos: a browser throws on unknown pseudo-classes, so do we.
    ['div:contains(answer)', /^not a valid CSS selector: Unknown pseudo-class: "contains"/],
    ['a:hoverr', /Unknown pseudo-class/],
    ['p::before', /pseudo-element and matches no element/],
    ['svg|path', /namespace prefix "svg\|" is not declared/],
  ])('refuses %j', (selector, reason) => {
    expect(selectorIssue(selector)).toMatch(reason);
  });
});

describe('CheckedPublishedConfig', () => {
  it('names the path of each invalid selector', () => {
    const result = CheckedPublishedConfig.safeParse({
      selectorPacks: {
        chatgpt: { answer: ['article', 'div['], stopButton: ['button'] },
        claude: { prompt: ['div > > a'] },
      },
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^selectorPacks\.chatgpt\.answer\.1: not a valid CSS selector: Expected attribute name/),
      expect.stringMatching(/^selectorPacks\.claude\.prompt\.0: not a valid CSS selector: /),
    ]);
  });

  it('passes valid packs through unchanged (trimmed)', () => {
    const result = CheckedPublishedConfig.parse({ selectorPacks: { gemini: { answer: [' message-content '], conversationUrlPattern: '^/app/([\\w-]+)' } } });
    expect(result.selectorPacks).toEqual({ gemini: { answer: ['message-content'], conversationUrlPattern: '^/app/([\\w-]+)' } });
  });
});

/**
 * Every page in test/fixtures/sites/, with its real address and what the extension places on it:
 * the table the Chromium (every-page.test.ts) and Firefox (firefox-sites.test.ts) runs share.
 */
export interface PageCase {
  url: string;
  /** Widgets once the page settled: answers, less any still streaming. */
  widgets: number;
  /** The layout the health visit reports. */
  layout: string;
}

export const PAGES: Record<string, PageCase> = {
  'chatgpt/chat-simple.html': { url: 'https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db', widgets: 6, layout: 'legacy' },
  'chatgpt/2026-09-built.html': { url: 'https://chatgpt.com/c/68f1c2d3-4e5f-8001-a2b3-c4d5e6f7a8b9', widgets: 5, layout: '2026-09' },
  'claude/chat-simple.html': { url: 'https://claude.ai/chat/3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f', widgets: 7, layout: 'legacy' },
  'claude/2026-10-built.html': { url: 'https://claude.ai/chat/7c1d9e2f-3a4b-4c5d-8e6f-9a0b1c2d3e4f', widgets: 3, layout: '2026-10' },
  'gemini/chat-simple.html': { url: 'https://gemini.google.com/app/6cc71b18a6f630bb', widgets: 3, layout: '2026-02' },
  'gemini/deep-research-built.html': { url: 'https://gemini.google.com/app/4f37354a4e8d9334', widgets: 4, layout: '2026-02' },
  'perplexity/chat-simple.html': { url: 'https://www.perplexity.ai/search/perplexitynohtmlgou-zao-wotesu-abc.DEF_12', widgets: 3, layout: '2026-09' },
  'perplexity/2026-09-built.html': { url: 'https://www.perplexity.ai/search/how-long-do-bees-live-Qm3x.Rk7TzOa1b2c3d4e5f', widgets: 3, layout: '2026-09' },
  'copilot/chat-2026-03.html': { url: 'https://copilot.microsoft.com/chats/Zq1xY2w3V4u5T6s7R8p9', widgets: 2, layout: '2026-03' },
  'copilot/2025-built.html': { url: 'https://copilot.microsoft.com/chats/k3Qm9TzR2xWv7LpN4bYc1', widgets: 2, layout: '2025' },
  'grok/chat-2026-03.html': { url: 'https://grok.com/c/0b8f3a2e-6d1c-4e5f-9a7b-2c3d4e5f6a7b', widgets: 2, layout: '2026-03' },
  'deepseek/2026-08-built.html': { url: 'https://chat.deepseek.com/a/chat/s/2b7e4c1a-9d3f-4e8b-a6c5-0f1e2d3c4b5a', widgets: 3, layout: '2026-08' },
  'mistral/2026-08-built.html': { url: 'https://chat.mistral.ai/chat/6d2f8a1c-4b7e-4c9d-a3f5-1e8b0c7d2a94', widgets: 2, layout: '2026-08' },
  'meta/2026-08-built.html': { url: 'https://www.meta.ai/prompt/9c4e2a7b-1d3f-4b6a-8e5c-7f0a2b4d6e81', widgets: 2, layout: '2026-08' },
};

// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { BENCH_CONVERSATION_URL, growChatGptPage } from './grow-page.ts';
import { chatgpt } from '../../extension/sites/chatgpt.ts';

describe('growChatGptPage', () => {
  it('makes a page with exactly N answers (40 here; the benchmark uses 300), each with its own key', () => {
    const html = growChatGptPage(40);
    document.documentElement.innerHTML = html.replace(/^<!doctype html><html[^>]*>|<\/html>$/g, '');
    const answers = chatgpt.findAnswers(document);
    expect(answers).toHaveLength(40);
    const url = new URL(BENCH_CONVERSATION_URL);
    expect(new Set(answers.map((a, i) => chatgpt.key(a, i, url))).size).toBe(40);
    expect(chatgpt.capture(answers[39]!, url).prompt).toBeTruthy();
    expect(html).toMatch(/^<!doctype html>.*<meta charset="utf-8">/);
  });
});

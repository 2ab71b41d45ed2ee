import { describe, expect, it } from 'vitest';
import { activeAdapters } from './index.ts';
import { ContentConfig } from '../config.ts';

const chat = new URL('https://chatgpt.com/c/abc');
const airflow = new URL('https://airflow.example.com/dags/x/grid');
const rule = { id: 'airflow', urlPattern: 'https://airflow.example.com/*', outputSelector: '.ai', kind: 'error_analysis' };

describe('activeAdapters', () => {
  it('picks the built-in adapter of the site', () => {
    expect(activeAdapters(chat, ContentConfig.parse({})).map((a) => a.id)).toEqual(['chatgpt']);
    expect(activeAdapters(new URL('https://example.com/'), ContentConfig.parse({}))).toEqual([]);
  });

  it('leaves out a built-in adapter switched off by the server or the user', () => {
    expect(activeAdapters(chat, ContentConfig.parse({ disabledAdapters: ['chatgpt'] }))).toEqual([]);
    expect(activeAdapters(chat, ContentConfig.parse({ siteEnabled: { chatgpt: false } }))).toEqual([]);
    expect(activeAdapters(chat, ContentConfig.parse({ disabledAdapters: ['claude'] })).map((a) => a.id)).toEqual(['chatgpt']);
  });

  it('adds custom rules matching the page, unless switched off', () => {
    const config = ContentConfig.parse({ rules: [rule] });
    expect(activeAdapters(airflow, config).map((a) => a.id)).toEqual(['rule:airflow']);
    expect(activeAdapters(chat, config).map((a) => a.id)).toEqual(['chatgpt']);
    expect(activeAdapters(airflow, ContentConfig.parse({ rules: [{ ...rule, enabled: false }] }))).toEqual([]);
    expect(activeAdapters(airflow, ContentConfig.parse({ rules: [rule], siteEnabled: { airflow: false } }))).toEqual([]);
    expect(
      activeAdapters(airflow, ContentConfig.parse({ rules: [rule], siteEnabled: { 'airflow.example.com': false } })),
    ).toEqual([]);
  });
});

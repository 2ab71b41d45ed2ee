import '../../options/options.css';
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { describeBrowser } from '../../options/device-name.ts';
import type { KeyValueArea } from '../../background/settings.ts';
import { OptionsApp } from '../../options/Options.tsx';
import { BUILTIN_ADAPTERS } from '../../sites/index.ts';

const LABELS: Record<string, string> = { chatgpt: 'ChatGPT', claude: 'Claude', gemini: 'Gemini', perplexity: 'Perplexity' };

function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function validSelector(selector: string): boolean {
  try {
    document.createDocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}

render(
  <OptionsApp
    storage={browser.storage.local as unknown as KeyValueArea}
    testConnection={(serverUrl, token) => browser.runtime.sendMessage({ type: 'test-connection', serverUrl, token })}
    connectWithCode={(serverUrl, code) => browser.runtime.sendMessage({ type: 'connect-with-code', serverUrl, code, deviceName: describeBrowser(navigator) })}
    requestPermission={(origins) => browser.permissions.request({ origins })}
    hasPermission={(origins) => browser.permissions.contains({ origins })}
    download={download}
    sites={BUILTIN_ADAPTERS.map((a) => ({ id: a.id, label: LABELS[a.id] ?? a.id }))}
    validSelector={validSelector}
  />,
  document.getElementById('app')!,
);

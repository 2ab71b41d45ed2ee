/**
 * For the embed's end-to-end test and benchmark (issue 17): a plain Chromium (no extension: the
 * widget comes from the page's own <script>), and a second local HTTP server on another
 * 127.0.0.1 port playing the customer's web app, whose pages carry the two-line snippet.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from './harness.ts';

/** Throws (never skips) without a browser, as the other real-browser tests. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}${process.env.CI ? ' (CI=true: real-browser tests must run)' : ''}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: false,
    args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface HostServer {
  origin: string;
  close(): Promise<void>;
}

/** A file other than an HTML page. */
export interface HostFile {
  type: string;
  body: string | Buffer;
}

/** Serves `pages[path]` (HTML, or a file) on a free 127.0.0.1 port; anything else is a 404. */
export async function startHostServer(pages: Record<string, string | (() => string) | HostFile>): Promise<HostServer> {
  const server = http.createServer((req, res) => {
    const page = pages[new URL(req.url ?? '/', 'http://x').pathname];
    if (page === undefined) {
      res.writeHead(404).end();
      return;
    }
    if (typeof page === 'object') {
      res.writeHead(200, { 'Content-Type': page.type, 'Cache-Control': 'no-store' });
      res.end(page.body);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(typeof page === 'string' ? page : page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface HostAnswer {
  prompt: string;
  answer: string;
  model: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A chat page of the customer's app: each answer followed by the README's snippet element. */
export function hostChatPage(serverUrl: string, publicKey: string, answers: readonly HostAnswer[], extraHead = ''): string {
  const turns = answers
    .map(
      (a, i) =>
        `<div class="user">${esc(a.prompt)}</div><div class="answer" id="answer-${i + 1}">${esc(a.answer)}</div>\n` +
        `<groundtruth-rating public-key="${esc(publicKey)}" output-selector="#answer-${i + 1}" model="${esc(a.model)}" prompt="${esc(a.prompt)}"></groundtruth-rating>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Acme app</title>${extraHead}
<script src="${esc(serverUrl)}/embed.js" async></script></head><body>${turns}</body></html>`;
}

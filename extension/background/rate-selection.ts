/**
 * "Rate with Groundtruth" on a text selection, on any page (docs/decisions/0050): the content
 * script is declared for the built-in sites (and registered for granted rule hosts) only, so on
 * another page it is not there yet. Clicking the menu item grants `activeTab` for that tab, which
 * lets the background inject the same built content script with scripting.executeScript; no host
 * permission is needed. The content script listens before anything else (controller.ts), so the
 * message can follow the injection at once.
 *
 * The keyboard command (RATE_SELECTION_COMMAND, Alt+Shift+G unless the rater changed it) does the
 * same without a mouse: invoking a command grants `activeTab` too. It has no selection text of its
 * own, so the content script takes the page's selection (top frame only).
 */
import type { WxtBrowser } from 'wxt/browser';
import type { ContentMessage } from '../messages.ts';

/** The manifest's command (wxt.config.ts) that rates the selection from the keyboard. */
export const RATE_SELECTION_COMMAND = 'rate-selection' as const;
/** Its default shortcut; Chrome and Firefox let the rater change it. */
export const RATE_SELECTION_SHORTCUT = 'Alt+Shift+G' as const;

/** The built content script (WXT writes entrypoints/content.ts there); also registered for rule hosts. */
export const CONTENT_SCRIPT_FILE = '/content-scripts/content.js' as const;

type Tabs = Pick<WxtBrowser['tabs'], 'sendMessage'>;
type Scripting = Pick<WxtBrowser['scripting'], 'executeScript'>;

export async function rateSelectionInTab(
  browser: { tabs: Tabs; scripting?: Scripting },
  tabId: number,
  frameId: number,
  selectionText: string,
): Promise<void> {
  const message: ContentMessage = { type: 'rate-selection', selectionText };
  try {
    await browser.tabs.sendMessage(tabId, message, { frameId });
    return;
  } catch {
    // No content script in that frame ("Receiving end does not exist"): inject it, then ask again.
  }
  if (!browser.scripting) throw new Error('this browser has no scripting API to inject the content script');
  await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files: [CONTENT_SCRIPT_FILE] });
  await browser.tabs.sendMessage(tabId, message, { frameId });
}

import { browser } from 'wxt/browser';
import { startBackground } from '../background/main.ts';

export default defineBackground(() => {
  startBackground(browser);
});

/**
 * The embed bundle's entry (dist/embed.js, served at /embed.js): defines `<groundtruth-rating>`.
 * The default server is the origin this script was loaded from: document.currentScript is only
 * set while the script first runs (also with `async`), so it is read here, at load.
 */
import { defineRatingElement } from './element.ts';

const script = document.currentScript as HTMLScriptElement | null;
defineRatingElement(script?.src ? new URL(script.src, location.href).origin : location.origin);

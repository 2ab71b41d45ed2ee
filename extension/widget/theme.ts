/**
 * The page's light or dark look, so the widget follows it: the first opaque background behind the
 * answer (sites with a theme switch paint it on a container or <body>), else the
 * prefers-color-scheme media query.
 */
export type Theme = 'light' | 'dark';

/** [r, g, b, a] of a CSS rgb()/rgba() color as getComputedStyle returns it; null otherwise. */
export function parseColor(css: string): [number, number, number, number] | null {
  const m = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)/.exec(css);
  if (!m) return null;
  let alpha = m[4] === undefined ? 1 : parseFloat(m[4]);
  if (m[4]?.endsWith('%')) alpha /= 100;
  return [Number(m[1]), Number(m[2]), Number(m[3]), alpha];
}

/** WCAG relative luminance, 0 (black) to 1 (white). */
export function luminance([r, g, b]: readonly number[]): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

export function themeOf(el: Element | null, win: Window = window): Theme {
  for (let node = el; node; node = node.parentElement) {
    const color = parseColor(win.getComputedStyle(node).backgroundColor);
    if (color && color[3] >= 0.5) return luminance(color) < 0.3 ? 'dark' : 'light';
  }
  return win.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

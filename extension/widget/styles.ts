/** The widget's CSS, inside its shadow root. */
export const WIDGET_CSS = `
/*
 * A shadow root keeps the page's selectors out, but inherited properties (font, color,
 * line-height, letter-spacing, text-align, direction, …) still flow in from the host's ancestors,
 * and every site sets them differently. all: initial on the host cuts that inheritance so the
 * widget looks the same on every page (Hypothesis does the same for its adder and sidebar).
 */
:host {
  all: initial;
  display: block;
  box-sizing: border-box;
  margin: 2px 0 6px;
  font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--gt-fg);
  text-align: start;
  --gt-fg: #1f2328;
  --gt-muted: #59636e;
  --gt-hover: rgba(0, 0, 0, 0.06);
  --gt-accent: #0969da;
  --gt-border: rgba(0, 0, 0, 0.16);
  --gt-danger: #cf222e;
  --gt-panel: #ffffff;
  --gt-on-accent: #ffffff;
}
:host([data-theme="dark"]) {
  --gt-fg: #e6edf3;
  --gt-muted: #9198a1;
  --gt-hover: rgba(255, 255, 255, 0.1);
  --gt-accent: #4493f8;
  --gt-border: rgba(255, 255, 255, 0.22);
  --gt-danger: #f85149;
  --gt-panel: #151b23;
  /* Dark text on the light blue accent: white on #4493f8 is 3.2:1, under WCAG AA's 4.5:1 (axe color-contrast). */
  --gt-on-accent: #0d1117;
}
:host([hidden]) { display: none; }
/* A selection widget with no block to follow: a small panel in the corner of the viewport. */
:host([data-floating]) {
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; margin: 0; padding: 4px 6px;
  background: var(--gt-panel); border: 1px solid var(--gt-border); border-radius: 8px;
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.2);
}
* { box-sizing: border-box; }
.bar { display: flex; align-items: center; gap: 2px; height: 24px; white-space: nowrap; }
button {
  all: unset;
  display: inline-flex; align-items: center; justify-content: center;
  min-width: 24px; height: 24px; padding: 0 4px; border-radius: 6px;
  color: var(--gt-muted); cursor: pointer; font: inherit;
}
button:hover { background: var(--gt-hover); color: var(--gt-fg); }
button:focus-visible { outline: 2px solid var(--gt-accent); outline-offset: 1px; }
button[aria-pressed="true"], button.on { color: var(--gt-accent); }
button[aria-disabled="true"] { opacity: 0.5; cursor: not-allowed; }
svg { width: 16px; height: 16px; fill: currentColor; }
.stars { display: inline-flex; margin-left: 4px; }
/* 24px wide: WCAG 2.2 minimum target size (axe target-size); narrower stars touched each other. */
.stars button { min-width: 24px; padding: 0 2px; }
.status { margin-left: 6px; color: var(--gt-muted); overflow: hidden; text-overflow: ellipsis; max-width: 40ch; }
.status.rejected { color: var(--gt-danger); }
form {
  display: grid; gap: 6px; margin-top: 4px; padding: 8px; max-width: 40rem;
  border: 1px solid var(--gt-border); border-radius: 8px; background: var(--gt-panel);
}
label { display: grid; gap: 2px; color: var(--gt-muted); }
textarea {
  font: inherit; color: var(--gt-fg); background: transparent; min-height: 3.2em; resize: vertical;
  border: 1px solid var(--gt-border); border-radius: 6px; padding: 4px 6px;
}
textarea:focus-visible { outline: 2px solid var(--gt-accent); outline-offset: 0; }
.criterion { display: flex; align-items: center; gap: 4px; flex-wrap: wrap; }
.criterion-label { color: var(--gt-muted); min-width: 10ch; }
.criterion .status { margin-left: 4px; }
.actions { display: flex; gap: 6px; justify-content: flex-end; align-items: center; }
.hint { color: var(--gt-danger); margin-right: auto; }
.primary { background: var(--gt-accent); color: var(--gt-on-accent); padding: 0 10px; }
.primary:hover { background: var(--gt-accent); color: var(--gt-on-accent); filter: brightness(1.1); }
`;

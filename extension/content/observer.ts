/**
 * One MutationObserver for the whole page, cheap on busy pages: it only notes that something
 * changed, and the work runs at most once per animation frame (and at least `minGapMs` apart while
 * an answer streams). Changes made by our own widgets are ignored, so placing a widget does not
 * trigger another scan.
 */
import { WIDGET_TAG } from '../sites/dom/read-text.ts';

interface ObserveOptions {
  signal: AbortSignal;
  /** Attributes whose changes matter (e.g. data-is-streaming); none: only added/removed nodes. */
  attributes?: readonly string[];
  /** Least time between two runs while the page keeps changing. */
  minGapMs?: number;
  /** Sees every batch of records (ours included) as it comes: keep it cheap. */
  onRecords?(records: readonly MutationRecord[]): void;
}

function isWidget(node: Node): boolean {
  return node.nodeType === 1 && (node as Element).localName === WIDGET_TAG;
}

function isOwn(record: MutationRecord): boolean {
  const target = record.target;
  if (target.nodeType === 1 && (target as Element).closest(WIDGET_TAG)) return true;
  if (record.type !== 'childList') return false;
  const nodes = [...record.addedNodes, ...record.removedNodes];
  return nodes.length > 0 && nodes.every(isWidget);
}

export interface PageObserver {
  /** Run `onChange` soon (batched like a mutation). */
  schedule(): void;
}

export function observePage(root: Node, onChange: () => void, options: ObserveOptions): PageObserver {
  const { signal, attributes = [], minGapMs = 100, onRecords } = options;
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRun = -Infinity;

  const run = () => {
    frame = 0;
    if (signal.aborted) return;
    lastRun = performance.now();
    onChange();
  };
  const schedule = () => {
    if (signal.aborted || frame || timer !== undefined) return;
    const wait = lastRun + minGapMs - performance.now();
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        frame = requestAnimationFrame(run);
      }, wait);
    } else {
      frame = requestAnimationFrame(run);
    }
  };

  const observer = new MutationObserver((records) => {
    onRecords?.(records);
    for (const record of records) {
      if (!isOwn(record)) {
        schedule();
        return;
      }
    }
  });
  observer.observe(root, {
    childList: true,
    subtree: true,
    ...(attributes.length > 0 ? { attributes: true, attributeFilter: [...attributes] } : {}),
  });
  signal.addEventListener(
    'abort',
    () => {
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    },
    { once: true },
  );
  return { schedule };
}

/**
 * What each widget on the page shows, kept in step with the background: the status of every
 * target key (none, pending, synced, rejected, with the rating), the widgets showing each key, and
 * the rating flow (shown as pending at once, then what the background answers). Statuses come from
 * the background's answers to `get-statuses` (asked in one batch for keys not known yet), from
 * `statuses-changed` pushes and from the rater's own ratings of a conversation (`take`).
 *
 * Extra criteria of the detail form (published by an admin, docs/decisions/0030): each criterion of
 * a target has a status of its own under criterionRowKey(target key, name), asked for with the
 * target's, shown by the target's widgets, and rated as a record of its own.
 */
import type { Rating, Target } from '../../shared/schemas.ts';
import { criterionRowKey, splitRowKey } from '../criterion-key.ts';
import type { WidgetCriterion } from '../widget/criteria.tsx';
import type { RatingDraft, TargetStatus } from '../messages.ts';
import type { MountedWidget } from '../widget/mount.ts';
import type { Theme } from '../widget/theme.ts';
import type { WidgetChange, WidgetProps, WidgetStatus } from '../widget/widget.tsx';
import { compact } from './capture.ts';
import type { ContentPort } from './controller.ts';

/** A widget on the page and what it rates. */
export interface Rated {
  key: string;
  widget: MountedWidget;
  /** The target to send: the full capture for a rating, the identity only for an undo. */
  target(full: boolean): Target;
  /** Props besides the status that every update keeps (a selection's close button). */
  props?: Partial<WidgetProps>;
}

const NONE: WidgetStatus = { state: 'none' };

function isStatus(value: unknown): value is TargetStatus {
  return typeof value === 'object' && value !== null && typeof (value as TargetStatus).state === 'string';
}

function withoutKey({ key: _key, ...status }: TargetStatus): WidgetStatus {
  return status;
}

export class WidgetStates {
  private readonly statuses = new Map<string, WidgetStatus>();
  private readonly byKey = new Map<string, Set<Rated>>();
  /** Keys on the page whose status was not asked for yet. */
  private readonly wanted = new Set<string>();
  /** Per row key, how many rates were sent: only the latest one's answer is shown. */
  private readonly sent = new Map<string, number>();

  constructor(private readonly deps: { port: ContentPort; signal: AbortSignal; starMode(): boolean; criteria?(): readonly WidgetCriterion[] }) {}

  private criteria(): readonly WidgetCriterion[] {
    return this.deps.criteria?.() ?? [];
  }

  status(key: string): WidgetStatus {
    return this.statuses.get(key) ?? NONE;
  }

  propsFor(rated: Rated, status: WidgetStatus = this.status(rated.key), extra: Partial<WidgetProps> = {}): WidgetProps {
    const criteria = this.criteria();
    const extraCriteria = criteria.length
      ? { criteria, criteriaStatus: Object.fromEntries(criteria.map((c) => [c.name, this.statuses.get(criterionRowKey(rated.key, c.name))])) }
      : {};
    return { status, starMode: this.deps.starMode(), onChange: (change) => void this.rate(rated, change), ...extraCriteria, ...rated.props, ...extra };
  }

  /** Keeps `rated`'s widget in step from now on; its status is asked for at the next `fetch` if not known. */
  track(rated: Rated): void {
    let widgets = this.byKey.get(rated.key);
    if (!widgets) this.byKey.set(rated.key, (widgets = new Set()));
    widgets.add(rated);
    for (const key of [rated.key, ...this.criteria().map((c) => criterionRowKey(rated.key, c.name))]) {
      if (!this.statuses.has(key)) this.wanted.add(key);
    }
  }

  untrack(rated: Rated): void {
    const widgets = this.byKey.get(rated.key);
    widgets?.delete(rated);
    if (widgets?.size === 0) this.byKey.delete(rated.key);
  }

  /** The element now shows another answer (a version switch): follow its key. */
  rekey(rated: Rated, key: string): void {
    this.untrack(rated);
    rated.key = key;
    this.track(rated);
    rated.widget.update(this.propsFor(rated));
  }

  set(key: string, status: WidgetStatus): void {
    this.statuses.set(key, status);
    // A criterion's status shows in the widgets of its target.
    const { targetKey } = splitRowKey(key);
    for (const rated of this.byKey.get(targetKey) ?? []) rated.widget.update(this.propsFor(rated, targetKey === key ? status : undefined));
  }

  /** Statuses the background answered with (a list of TargetStatus; anything else is ignored). */
  take(list: unknown): void {
    for (const status of Array.isArray(list) ? list : []) if (isStatus(status)) this.set(status.key, withoutKey(status));
  }

  /** Every widget on the page, e.g. for a change of theme. */
  setTheme(theme: Theme): void {
    for (const widgets of this.byKey.values()) for (const rated of widgets) rated.widget.setTheme(theme);
  }

  /** Asks the background, in one message, for the statuses of the keys not known yet. */
  async fetch(): Promise<void> {
    if (this.wanted.size === 0) return;
    const keys = [...this.wanted];
    this.wanted.clear();
    try {
      const answer = (await this.deps.port.send({ type: 'get-statuses', keys })) as { statuses?: unknown } | undefined;
      if (!this.deps.signal.aborted) this.take(answer?.statuses);
    } catch {
      // The background is being restarted: widgets show "none" until the next change.
    }
  }

  /** The rater changed a widget: shown as pending at once, then as the background answers. */
  async rate(rated: Rated, change: WidgetChange): Promise<void> {
    if (!change.remove && change.criteria) {
      for (const [name, rating] of Object.entries(change.criteria)) void this.rateCriterion(rated, name, rating);
    }
    const key = rated.key;
    const before = this.status(key);
    let draft: RatingDraft;
    if (change.remove) {
      this.set(key, NONE);
      draft = { target: rated.target(false), remove: true };
    } else {
      const { rating, comment, correction } = change;
      this.set(key, compact({ state: 'pending', rating, comment, correction }));
      try {
        draft = compact({ target: rated.target(true), rating, comment, correction });
      } catch (err) {
        this.set(key, { ...before, state: 'rejected', error: `could not read this answer (${(err as Error).message})` });
        return;
      }
    }
    await this.send(key, draft);
  }

  /** An extra criterion rated (or its rating taken back, `null`) in the detail form: a record of its own. */
  private async rateCriterion(rated: Rated, criterion: string, rating: Rating | null): Promise<void> {
    const key = criterionRowKey(rated.key, criterion);
    let draft: RatingDraft;
    if (!rating) {
      this.set(key, NONE);
      draft = { target: rated.target(false), criterion, remove: true };
    } else {
      this.set(key, { state: 'pending', rating });
      try {
        draft = { target: rated.target(true), criterion, rating };
      } catch (err) {
        this.set(key, { state: 'rejected', rating, error: `could not read this answer (${(err as Error).message})` });
        return;
      }
    }
    await this.send(key, draft);
  }

  /**
   * Sends a draft and shows what the background answers under `key`, unless the rater changed that
   * row again meanwhile: the newer change's answer is the one to show (an undo clicked while a
   * save was on its way must not be painted over by the save's answer).
   */
  private async send(key: string, draft: RatingDraft): Promise<void> {
    const sent = (this.sent.get(key) ?? 0) + 1;
    this.sent.set(key, sent);
    try {
      const answer = await this.deps.port.send({ type: 'rate', draft });
      if (this.deps.signal.aborted || this.sent.get(key) !== sent) return;
      if (isStatus(answer)) this.set(key, withoutKey({ ...answer, key }));
      else if (answer && typeof answer === 'object' && 'error' in answer) {
        this.set(key, { ...this.status(key), state: 'rejected', error: String((answer as { error: unknown }).error) });
      }
    } catch {
      if (this.sent.get(key) !== sent) return;
      this.set(key, { ...this.status(key), state: 'rejected', error: 'the extension could not save this rating; reload the page and try again' });
    }
  }
}

/** The webhook event names and what a delivery body looks like. */
import { z } from '@hono/zod-openapi';

export const WEBHOOK_EVENTS = ['feedback.negative', 'feedback.low_stars', 'export.completed', 'site.broken', 'site.recovered'] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** `feedback.low_stars` fires at or below this many stars unless the webhook sets its own threshold. */
export const DEFAULT_LOW_STARS_THRESHOLD = 2;

/** The JSON body of every delivery (the same bytes are signed and sent on every attempt). */
export const WebhookPayload = z
  .object({
    id: z.string().openapi({ description: 'The delivery id; the same on every retry (use it to drop duplicates).' }),
    type: WebhookEvent,
    createdAt: z.string(),
    workspaceId: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('WebhookPayload');
export type WebhookPayload = z.infer<typeof WebhookPayload>;

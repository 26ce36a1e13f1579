/**
 * Delivery of emitted events to subscribers on the virtual clock, with the imperfections real
 * delivery has: latency, duplicates (SNS and EventBridge are at-least-once) and reordering. All
 * draws come from the subscriber's own seeded stream.
 */
import { Prng } from './prng.ts';
import type { VirtualClock } from './virtual-clock.ts';

export const SIM_EVENT_KINDS = ['redshift-notification', 'integration', 'alarm'] as const;
export type SimEventKind = (typeof SIM_EVENT_KINDS)[number];

export interface SimEvent {
  kind: SimEventKind;
  /** Catalog id (REDSHIFT-EVENT-3618 …) or, for alarms, the alarm name. */
  eventId: string;
  resource: string;
  emittedAt: Date;
  /** The exact payload the consumer receives (SNS Lambda event or EventBridge event). */
  payload: unknown;
}

export interface DeliveryOptions {
  /** Latency range [min, max] in ms; default per kind (SNS 5–60 s, EventBridge 1–15 s). */
  delayMs?: readonly [number, number];
  /** Probability that an event is delivered twice. */
  duplicateRate?: number;
  /** Probability that an event is held back by up to `reorderMaxMs` extra, so later events overtake it. */
  reorderRate?: number;
  reorderMaxMs?: number;
  /** Only these kinds reach the handler (default: all). */
  kinds?: readonly SimEventKind[];
  seed?: number | string;
}

/** Called when a delivery reaches the subscriber: `deliverAt` equals the clock's now. */
export type EventHandler = (payload: unknown, deliverAt: Date, event: SimEvent) => void;

const DEFAULT_DELAY: Record<SimEventKind, readonly [number, number]> = {
  // Recorded 2004 notification: Event Time 06:36:08.053, SNS Timestamp 06:36:40.356 (32 s).
  'redshift-notification': [5_000, 60_000],
  integration: [1_000, 15_000],
  alarm: [1_000, 10_000],
};

interface Subscriber {
  handler: EventHandler;
  options: DeliveryOptions;
  rng: Prng;
  kinds: ReadonlySet<SimEventKind>;
}

export class EventBus {
  private readonly subscribers: Subscriber[] = [];
  private readonly log: SimEvent[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly seed: string,
  ) {}

  subscribe(handler: EventHandler, options: DeliveryOptions = {}): () => void {
    const rng = new Prng(`${options.seed ?? this.seed}/delivery/${this.subscribers.length}`);
    const sub: Subscriber = { handler, options, rng, kinds: new Set(options.kinds ?? SIM_EVENT_KINDS) };
    this.subscribers.push(sub);
    return () => {
      const i = this.subscribers.indexOf(sub);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  /** Every event emitted so far, in emission order (what AWS sent, before delivery effects). */
  emitted(): readonly SimEvent[] {
    return this.log;
  }

  emit(event: SimEvent): void {
    this.log.push(event);
    for (const sub of this.subscribers) {
      if (!sub.kinds.has(event.kind)) continue;
      const { options, rng } = sub;
      const [min, max] = options.delayMs ?? DEFAULT_DELAY[event.kind];
      const deliveries = [Math.round(rng.between(min, max))];
      if (rng.chance(options.duplicateRate ?? 0)) deliveries.push(Math.round(rng.between(min, max * 2)));
      if (rng.chance(options.reorderRate ?? 0)) {
        deliveries[0] = (deliveries[0] ?? 0) + Math.round(rng.between(0, options.reorderMaxMs ?? 300_000));
      }
      const base = Math.max(event.emittedAt.getTime(), this.clock.nowMs());
      for (const delay of deliveries) {
        const at = base + delay;
        this.clock.schedule(
          at,
          () => sub.handler(structuredClone(event.payload), new Date(at), event),
          `deliver ${event.eventId}`,
        );
      }
    }
  }
}

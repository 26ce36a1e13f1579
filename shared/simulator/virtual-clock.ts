/**
 * A virtual clock: time only moves when the driver calls `advanceTo`/`advanceBy`, and every timer
 * due on the way fires in time order (ties in the order they were scheduled), with `now()` equal to
 * the timer's due time while it runs. Nothing here reads the wall clock.
 *
 * Timers live in a binary heap: a simulated week of 1,000 clusters schedules tens of thousands of
 * them, and each fire is O(log n).
 */

export type TimerId = number;

interface Timer {
  id: TimerId;
  at: number;
  seq: number;
  label: string;
  fn: () => void;
}

export interface FiredTimer {
  at: number;
  label: string;
}

function before(x: Timer, y: Timer): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

function toMs(t: Date | number): number {
  const ms = typeof t === 'number' ? t : t.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`VirtualClock: invalid time ${String(t)}`);
  return ms;
}

export class VirtualClock {
  private current: number;
  private readonly heap: Timer[] = [];
  private readonly cancelled = new Set<TimerId>();
  private nextId = 1;
  private nextSeq = 0;
  private firing = false;

  constructor(start: Date | number) {
    this.current = toMs(start);
  }

  /** The current virtual time as a new Date (callers may keep it). */
  now(): Date {
    return new Date(this.current);
  }

  nowMs(): number {
    return this.current;
  }

  /** Run `fn` when the clock reaches `at`. A time in the past fires on the next advance, at the current time. */
  schedule(at: Date | number, fn: () => void, label = 'timer'): TimerId {
    const timer: Timer = { id: this.nextId++, at: Math.max(toMs(at), this.current), seq: this.nextSeq++, label, fn };
    this.push(timer);
    return timer.id;
  }

  /** Run `fn` `delayMs` after now. */
  after(delayMs: number, fn: () => void, label = 'timer'): TimerId {
    return this.schedule(this.current + Math.max(0, delayMs), fn, label);
  }

  /**
   * Run `fn(at)` every `intervalMs`, first at `firstAt` (default: one interval from now), e.g. an
   * EventBridge Scheduler rate. Returns a function that stops it.
   */
  every(
    intervalMs: number,
    fn: (at: Date) => void,
    options: { firstAt?: Date | number; label?: string } = {},
  ): () => void {
    if (!(intervalMs > 0)) throw new RangeError(`VirtualClock.every: interval must be > 0, got ${intervalMs}`);
    let stopped = false;
    let pending: TimerId | undefined;
    const label = options.label ?? 'every';
    const arm = (at: number) => {
      pending = this.schedule(
        at,
        () => {
          if (stopped) return;
          arm(at + intervalMs);
          fn(new Date(at));
        },
        label,
      );
    };
    arm(options.firstAt === undefined ? this.current + intervalMs : toMs(options.firstAt));
    return () => {
      stopped = true;
      if (pending !== undefined) this.cancel(pending);
    };
  }

  cancel(id: TimerId): void {
    this.cancelled.add(id);
  }

  /** Time of the next live timer, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.at;
  }

  /** Number of live timers. */
  pending(): number {
    let live = 0;
    for (const t of this.heap) if (!this.cancelled.has(t.id)) live++;
    return live;
  }

  /**
   * Move to `t`, firing every timer due at or before it (including timers those timers schedule).
   * Returns what fired, in order. Moving backwards is an error: simulated time never rewinds.
   */
  advanceTo(t: Date | number): FiredTimer[] {
    const target = toMs(t);
    if (target < this.current) {
      throw new RangeError(
        `VirtualClock: cannot move back from ${new Date(this.current).toISOString()} to ${new Date(target).toISOString()}`,
      );
    }
    if (this.firing) throw new Error('VirtualClock: advanceTo called from inside a timer');
    const fired: FiredTimer[] = [];
    this.firing = true;
    try {
      for (;;) {
        this.dropCancelledTop();
        const top = this.heap[0];
        if (top === undefined || top.at > target) break;
        this.pop();
        this.current = top.at;
        fired.push({ at: top.at, label: top.label });
        top.fn();
      }
      this.current = target;
    } finally {
      this.firing = false;
    }
    return fired;
  }

  advanceBy(ms: number): FiredTimer[] {
    return this.advanceTo(this.current + ms);
  }

  private dropCancelledTop(): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || !this.cancelled.has(top.id)) return;
      this.cancelled.delete(top.id);
      this.pop();
    }
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Timer;
      if (!before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && before(heap[r] as Timer, heap[l] as Timer) ? r : l;
      if (!before(heap[child] as Timer, last)) break;
      heap[i] = heap[child] as Timer;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

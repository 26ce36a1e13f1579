/**
 * Seeded pseudo-random numbers for the simulator. Nothing in the simulator reads Math.random():
 * the same seed and the same sequence of calls give the same durations, ids and deliveries.
 *
 * Each concern (durations, ids, delivery, each fault rule) takes its own named stream via `fork`,
 * so adding a fault rule or an extra event does not shift every later duration.
 */

/** FNV-1a over the UTF-16 code units: turns `seed/stream` into a 32-bit state. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Prng {
  readonly seed: string;
  // sfc32 state: small, fast, and passes PractRand far enough for simulation jitter.
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    this.seed = String(seed);
    this.a = hash32(`${this.seed}#a`);
    this.b = hash32(`${this.seed}#b`);
    this.c = hash32(`${this.seed}#c`);
    this.d = 1;
    // Warm up so that similar seeds diverge.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream derived from this one's seed and a name (not from its current position). */
  fork(name: string): Prng {
    return new Prng(`${this.seed}/${name}`);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer uniform in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Prng.pick: empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Lower-case hex of `length` characters. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.nextUint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** An RFC 4122 version-4 shaped UUID (deterministic, so only for ids, never for secrets). */
  uuid(): string {
    const h = this.hex(32);
    const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

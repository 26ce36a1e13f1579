/**
 * Text an event carries (a Redshift notification's message, an alarm's reason) is written by whoever
 * could publish the event, not by autopilot. Wherever an alert or a report copies it, it goes through
 * `quoteEventText`: in double quotes (inner quotes and backslashes escaped), control and bidirectional
 * formatting characters replaced by a space, and cut to a bound with an ellipsis — so it reads as a
 * quotation, cannot forge lines of the alert around it, and cannot fill the message.
 */
export const EVENT_TEXT_MAX_CHARS = 500;

// Controls (C0 and C1: newlines and tabs included), format characters (bidi embeddings, overrides and
// isolates — the "Trojan Source" characters —, zero-width characters, the byte order mark) and the
// line and paragraph separators.
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

export function quoteEventText(text: string, max: number = EVENT_TEXT_MAX_CHARS): string {
  const clean = text.replace(UNSAFE, ' ').replace(/ {2,}/g, ' ').trim();
  // Count code points, so a cut never splits a surrogate pair.
  const chars = Array.from(clean);
  const bounded = chars.length > max ? `${chars.slice(0, Math.max(0, max - 1)).join('')}…` : clean;
  return `"${bounded.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** SVG coordinates: one decimal. */
export function fmt(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** `1 node`, `2 nodes`, `1 policy`, `3 policies`: every count the report prints goes through here. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

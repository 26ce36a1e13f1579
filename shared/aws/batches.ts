/**
 * Splits items into requests of at most `max` items and `bytes` in total (SQS SendMessageBatch: 10 and
 * 256 KiB; EventBridge PutEvents: 10 and 256 KiB). An item larger than `bytes` alone still gets a request
 * of its own (the API answers for it).
 */
export function chunkByCountAndBytes<T>(
  items: readonly T[],
  limits: { max: number; bytes: number },
  sizeOf: (item: T) => number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= limits.max || bytes + size > limits.bytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

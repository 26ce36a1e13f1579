import { EventParseError } from '../../../shared/errors.ts';

/** Runs `fn`, which must throw an EventParseError (anything else, or nothing, fails the test). */
export function catchParseError(fn: () => unknown): EventParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EventParseError) return error;
    throw new Error(`expected an EventParseError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an EventParseError, nothing was thrown');
}

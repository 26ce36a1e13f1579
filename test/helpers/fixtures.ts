import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const EVENTS_DIR = fileURLToPath(new URL('../fixtures/events/', import.meta.url));

/** Absolute path of a file under test/fixtures/events. */
export function eventFixturePath(name: string): string {
  return `${EVENTS_DIR}${name}`;
}

/** The raw text of an event fixture (for the JSON-text entry points and the CLI). */
export function loadEventFixtureText(name: string): string {
  return readFileSync(eventFixturePath(name), 'utf8');
}

/** An event fixture, parsed. Real payloads only: see test/fixtures/events/SOURCES.md for where each came from. */
export function loadEventFixture<T = unknown>(name: string): T {
  return JSON.parse(loadEventFixtureText(name)) as T;
}

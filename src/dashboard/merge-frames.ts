import type { FeedFrame } from './feed-frame.ts';

/**
 * Two frames as one: the later one's state, both one's series points and timeline entries (a
 * page that missed the first still draws its points).
 *
 * @example
 * ```ts
 * const merged = mergeFrames(older, newer); // newer's counters, older.series + newer.series
 * ```
 */
export function mergeFrames(older: FeedFrame, newer: FeedFrame): FeedFrame {
  return { ...newer, series: [...older.series, ...newer.series], timeline: [...older.timeline, ...newer.timeline] };
}

import type { Recommendation } from './api-types';

/** What a purchase changed in the list, in words. */
export function describeChange(
  title: string,
  rating: number,
  positive: boolean,
  before: ReadonlyArray<Pick<Recommendation, 'item'>>,
  after: ReadonlyArray<Pick<Recommendation, 'item'>>,
): string {
  const was = new Set(before.map((r) => r.item.id));
  const is = new Set(after.map((r) => r.item.id));
  const left = before.filter((r) => !is.has(r.item.id)).map((r) => r.item.title);
  const entered = after.filter((r) => !was.has(r.item.id)).map((r) => r.item.title);
  const head = `Recorded ${title} (rating ${rating}${positive ? '' : ', below the purchase threshold: kept as a rating only'}).`;
  if (left.length === 0 && entered.length === 0) return `${head} The list kept the same items.`;
  return `${head} Left the list: ${left.join(', ') || 'nothing'}. Entered: ${entered.join(', ') || 'nothing'}.`;
}

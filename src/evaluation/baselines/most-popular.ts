/**
 * Popularity baselines. Most popular: an item's score is its number of training buyers, the same
 * for every user. Most active users: a user's score for any item is their number of training
 * purchases; it ignores the item, which makes it the cold-start reference (heavy buyers buy new
 * items too), and useless for ranking items (every item ties).
 */
import type { Recommender } from '../protocols';
import type { TrainView } from '../train-view';
import { rowLength } from '../train-view';

export function createMostPopular(): Recommender {
  let counts = new Float32Array(0);
  return {
    name: 'most-popular',
    fit(train: TrainView) {
      counts = new Float32Array(train.numItems);
      for (const i of train.positives.indices) counts[i]++;
    },
    scoreUser(_user: number, candidates?: Int32Array) {
      return candidates ? Float32Array.from(candidates, (i) => counts[i]) : counts.slice();
    },
  };
}

export function createMostActiveUsers(): Recommender {
  let view: TrainView | undefined;
  return {
    name: 'most-active-users',
    fit(train: TrainView) {
      view = train;
    },
    scoreUser(u: number, candidates?: Int32Array) {
      if (!view) throw new Error('most-active-users: scoreUser before fit');
      return new Float32Array(candidates ? candidates.length : view.numItems).fill(rowLength(view.positives, u));
    },
  };
}

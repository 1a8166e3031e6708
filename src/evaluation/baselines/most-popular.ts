/** Most popular: an item's score is its number of training buyers, the same for every user. */
import type { Recommender } from '../protocols';
import type { TrainView } from '../train-view';

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

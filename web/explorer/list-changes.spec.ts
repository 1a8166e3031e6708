import { describeChange } from './list-changes';

const rec = (id: string) => ({ item: { id, title: `Movie ${id}`, year: null, coldStart: false, hidden: false } });

describe('describeChange', () => {
  it('names what left and entered the list', () => {
    expect(describeChange('Movie 1', 5, true, [rec('1'), rec('2')], [rec('2'), rec('3')])).toBe(
      'Recorded Movie 1 (rating 5). Left the list: Movie 1. Entered: Movie 3.',
    );
  });

  it('says when the list kept its items, and when a low rating was not a purchase', () => {
    expect(describeChange('Movie 9', 2, false, [rec('1')], [rec('1')])).toBe(
      'Recorded Movie 9 (rating 2, below the purchase threshold: kept as a rating only). The list kept the same items.',
    );
  });
});

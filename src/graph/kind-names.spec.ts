import { attributeKindProblem, kindNames } from './kind-names';

describe('kindNames', () => {
  it('names the network type, link type and value label of a kind', () => {
    expect(kindNames('actor')).toEqual({ rel: 'ACTOR', has: 'HAS_ACTOR', label: 'Actor' });
    expect(kindNames('production_company')).toEqual({ rel: 'PRODUCTION_COMPANY', has: 'HAS_PRODUCTION_COMPANY', label: 'ProductionCompany' });
  });

  it.each([
    ['item', /labelled Item/],
    ['User', /labelled User/],
    ['META', /labelled Meta/],
    ['attribute', /labelled Attribute/],
    ['purchased', /relationship type PURCHASED/],
    ['held_out', /relationship type HELD_OUT/],
    ['rated', /relationship type RATED/],
    ['has_actor', /link type of kind "actor"/],
  ])('refuses the reserved kind %s, whatever its case', (kind, why) => {
    expect(attributeKindProblem(kind)).toMatch(new RegExp(`attribute kind "${kind}" is reserved: .*${why.source}`));
    expect(() => kindNames(kind)).toThrow(RangeError);
  });

  it('refuses what cannot be a relationship type', () => {
    expect(attributeKindProblem('Actor')).toMatch(/must be lower-case letters, digits or _/);
    expect(attributeKindProblem('sound track')).toMatch(/must be lower-case/);
    expect(attributeKindProblem('items')).toBeNull();
  });
});

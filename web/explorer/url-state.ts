/**
 * The explorer's state that a link can carry: `/?user=ID` opens a user's recommendations,
 * `/?user=ID&item=ID` one explanation, `/?view=model` the model page.
 */
export type View = 'recommend' | 'model';

export interface ExplorerLocation {
  readonly view: View;
  readonly user: string | null;
  readonly item: string | null;
  /** How many recommendations to show. */
  readonly k: number;
}

export const DEFAULT_K = 5;
export const MAX_K = 20;

export function parseLocation(search: string): ExplorerLocation {
  const params = new URLSearchParams(search);
  const text = (name: string): string | null => {
    const value = params.get(name)?.trim() ?? '';
    return value === '' ? null : value;
  };
  const k = Number(params.get('k'));
  return {
    view: params.get('view') === 'model' ? 'model' : 'recommend',
    user: text('user'),
    item: text('item'),
    k: Number.isInteger(k) && k >= 1 ? Math.min(k, MAX_K) : DEFAULT_K,
  };
}

export function formatLocation(location: Partial<ExplorerLocation>): string {
  const params = new URLSearchParams();
  if (location.view === 'model') params.set('view', 'model');
  else {
    if (location.user) params.set('user', location.user);
    if (location.item && location.user) params.set('item', location.item);
    if (location.k !== undefined && location.k !== DEFAULT_K) params.set('k', String(location.k));
  }
  const query = params.toString();
  return query === '' ? '/' : `/?${query}`;
}

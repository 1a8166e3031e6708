import type { NodeRole } from './graph-model';

/** One colour per attribute kind, the same in drawings and attention bars. */
const KNOWN: Record<string, string> = { actor: '#7b3fa0', director: '#0b7a75', genre: '#b45f06', author: '#2f6f2f' };
const SPARE = ['#a2376b', '#3d5a99', '#6b6b00', '#8a4b2a', '#226c8e'];

export function kindColour(kind: string | null): string {
  if (kind === null) return '#666666';
  const known = KNOWN[kind];
  if (known !== undefined) return known;
  let hash = 0;
  for (const ch of kind) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return SPARE[hash % SPARE.length]!;
}

export const ROLE_COLOURS: Record<Exclude<NodeRole, 'attribute'>, string> = {
  user: '#334155',
  purchase: '#2563eb',
  item: '#64748b',
  recommended: '#d9480f',
};

export const ROLE_NAMES: Record<NodeRole, string> = {
  user: 'user',
  purchase: 'their purchase',
  item: 'other item',
  recommended: 'this item',
  attribute: 'attribute value',
};

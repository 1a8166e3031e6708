/**
 * What an attribute kind becomes in the graph: `actor` -> network relationship type `ACTOR`, link
 * type `HAS_ACTOR`, value label `Actor`. A kind is data (a column of item_attributes.csv), so it is
 * checked before it names anything: a kind called `item` would label its values `Item` and mix
 * them into the catalogue; one called `purchased` would turn its network edges into purchases.
 */

/** Labels and relationship types the graph uses for its own nodes and relationships (cypher/). */
const RESERVED = {
  labels: ['Item', 'User', 'Meta', 'Attribute'],
  relationships: ['PURCHASED', 'HELD_OUT', 'RATED'],
} as const;

/** Why `kind` cannot be an attribute kind, or null when it can. Case-insensitive for reserved names. */
export function attributeKindProblem(kind: string): string | null {
  const lower = kind.toLowerCase();
  const label = RESERVED.labels.find((l) => l.toLowerCase() === lower);
  if (label !== undefined) return `attribute kind "${kind}" is reserved: its values would be labelled ${label}, the graph's own ${label} nodes`;
  const rel = RESERVED.relationships.find((r) => r.toLowerCase() === lower);
  if (rel !== undefined) return `attribute kind "${kind}" is reserved: its network would use the relationship type ${rel}, the graph's own`;
  if (lower.startsWith('has_'))
    return `attribute kind "${kind}" is reserved: its network type ${kind.toUpperCase()} is the link type of kind "${lower.slice(4)}"`;
  if (!/^[a-z][a-z0-9_]*$/.test(kind)) return `attribute kind "${kind}" must be lower-case letters, digits or _ (it becomes a relationship type)`;
  return null;
}

/** `actor` -> relationship type `ACTOR`, link type `HAS_ACTOR`, label `Actor`; throws for a kind that cannot be one. */
export function kindNames(kind: string): { rel: string; has: string; label: string } {
  const problem = attributeKindProblem(kind);
  if (problem !== null) throw new RangeError(problem);
  const pascal = kind
    .split('_')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
  return { rel: kind.toUpperCase(), has: `HAS_${kind.toUpperCase()}`, label: pascal };
}

import type { ExplanationMode, PathNode, SharedValue } from './explanation.repository';

export interface TextParts {
  readonly mode: ExplanationMode;
  /** k*. */
  readonly kind: string;
  readonly sharedValues: readonly SharedValue[];
  /** j*'s title, or null without purchases. */
  readonly neighbour: string | null;
  readonly nodes: readonly PathNode[];
  /** How a purchase reads in this catalogue: "watched" for films, "bought" otherwise. */
  readonly verb: string;
}

/**
 * The sentence shown to the user, from the graph facts only, e.g. "Recommended because it shares
 * the actor Johnny Depp with Edward Scissorhands, which you watched".
 */
export function explanationText(p: TextParts): string {
  const which = p.neighbour === null ? '' : `${p.neighbour}, which you ${p.verb}`;
  switch (p.mode) {
    case 'SHARED_VALUE':
    case 'OTHER_VALUE': {
      // Every value the answer lists is named, kind by kind, in the order the answer gives them.
      const kinds = p.sharedValues.length === 0 ? [p.kind] : [...new Set(p.sharedValues.map((v) => v.kind))];
      const phrases = kinds.map((kind) =>
        valuePhrase(
          kind,
          p.sharedValues.filter((v) => v.kind === kind).map((v) => v.name),
        ),
      );
      const text = `Recommended because it shares ${listPhrase(phrases)} with ${which}`;
      return p.mode === 'SHARED_VALUE' ? text : `${text} (its ${p.kind} matters most to you, but links no purchase of yours)`;
    }
    case 'NETWORK_PATH': {
      const via = p.nodes
        .filter((n) => n.type === 'ITEM')
        .slice(1, -1)
        .map((n) => n.name);
      const steps = via.length === 0 ? '' : ` via ${listPhrase(via)}`;
      return `Recommended because it is connected to ${which}, in the ${p.kind} network${steps}`;
    }
    default:
      return p.neighbour === null
        ? `Recommended for the ${p.kind} profile of your purchases`
        : `Recommended because its ${p.kind} profile is close to ${which}`;
  }
}

/** Films are watched; anything else is bought. Decided from the kinds a dataset declares. */
export function purchaseVerb(kinds: readonly string[]): string {
  return kinds.includes('actor') || kinds.includes('director') ? 'watched' : 'bought';
}

function valuePhrase(kind: string, names: readonly string[]): string {
  if (names.length === 0) return `a ${kind}`;
  const noun = names.length === 1 ? kind : plural(kind);
  return `the ${noun} ${listPhrase(names.slice(0, 3))}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
}

function listPhrase(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function plural(noun: string): string {
  return /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : /[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`;
}

/** What the newcomer should open first: the explorer, at the sample user and one of their reasons. */
export function explorerLines(
  baseUrl: string,
  userId: string,
  itemId: string | null,
  keys: { readonly writer: string; readonly admin: string } | null,
): string[] {
  const user = `${baseUrl}/?user=${encodeURIComponent(userId)}`;
  return [
    '',
    `eRAN-graph is serving. Open the explorer in a browser: ${baseUrl}/`,
    `  user ${userId}'s recommendations, each reason drawn as a path in the graph: ${user}`,
    ...(itemId === null ? [] : [`  one reason on its own: ${user}&item=${encodeURIComponent(itemId)}`]),
    `  the model, its metrics, evaluation reports and retraining: ${baseUrl}/?view=model`,
    keys
      ? `  Writes send the key you type in the page: the writer key records purchases, the admin key also retrains (both printed below).`
      : '  Writes send the key you type in the page: one of the keys in WRITER_API_KEYS (purchases) or ADMIN_API_KEYS (also retraining).',
  ];
}

/** The first recommended item's id in a `recommend` answer, if any. */
export function firstItemId(answer: unknown): string | null {
  const recs = (answer as { data?: { recommend?: Array<{ item?: { id?: unknown } }> } } | null)?.data?.recommend;
  const id = recs?.[0]?.item?.id;
  return typeof id === 'string' ? id : null;
}

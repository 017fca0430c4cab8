/**
 * What an error says, as a message id and its facts, for the layer that knows the user's
 * language (the CLI renders it from its catalogue). The English `message` of the error stays
 * for logs and for callers that have no catalogue.
 */
export interface Said {
  id: string;
  facts?: Record<string, string | number>;
}

/** The message id an error carries (`said`, or a card error's `details.said`), if any. */
export function saidOf(e: unknown): Said | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const o = e as { said?: Said; details?: { said?: Said } };
  return o.said ?? o.details?.said;
}

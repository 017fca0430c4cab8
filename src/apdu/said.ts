/**
 * What an error says, as a message id and its facts, for the layer that knows the user's
 * language (the CLI renders it from its catalogue). The English `message` of the error stays
 * for logs and for callers that have no catalogue.
 */
export interface Said {
  id: string;
  facts?: Record<string, string | number>;
}

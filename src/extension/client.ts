/** The CLI's side of the extension protocol: JSON over HTTP, bounded time, network-only retries. */
export class ServiceError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string,
    message: string,
    readonly reasons?: unknown[],
    /** for a user-facing text: where, the last network failure (a system code, TIMEOUT or HTTP_5xx), attempts */
    readonly facts: { url?: string; last?: string; attempts?: number } = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

export interface CallOptions {
  timeoutMs: number;
  retries: number;
  onAttempt?: (attempt: number, lastError?: string) => void;
}

/**
 * POST (or GET without body) a JSON document. Only failures of the network (refused, reset,
 * timed out, 502/503/504) are retried, at most `retries` times; an answer from the service is final.
 */
export async function callService(url: string, body: unknown | undefined, o: CallOptions): Promise<Record<string, unknown>> {
  let last = '';
  let lastCode = '';
  for (let attempt = 1; attempt <= o.retries + 1; attempt++) {
    o.onAttempt?.(attempt, last || undefined);
    let res: Response;
    try {
      res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      const timedOut = (e as Error).name === 'TimeoutError';
      last = timedOut ? `no answer within ${o.timeoutMs / 1000} s` : (cause ?? (e as Error).message);
      lastCode = timedOut ? 'TIMEOUT' : (cause ?? 'NETWORK');
      if (attempt <= o.retries) await new Promise((r) => setTimeout(r, 300 * 2 ** (attempt - 1)));
      continue;
    }
    if (RETRYABLE_STATUS.has(res.status) && attempt <= o.retries) {
      last = `HTTP ${res.status}`;
      lastCode = `HTTP_${res.status}`;
      await new Promise((r) => setTimeout(r, 300 * 2 ** (attempt - 1)));
      continue;
    }
    let json: Record<string, unknown>;
    try {
      json = (await res.json()) as Record<string, unknown>;
    } catch {
      throw new ServiceError(res.status, 'BAD_ANSWER', `the service answered HTTP ${res.status} without JSON`);
    }
    if (!res.ok) {
      const err = (json.error ?? {}) as { code?: string; message?: string; reasons?: unknown[] };
      throw new ServiceError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? `HTTP ${res.status}`, err.reasons);
    }
    return json;
  }
  throw new ServiceError(
    null,
    'UNREACHABLE',
    `the extension service at ${url} cannot be reached (${last}) after ${o.retries + 1} attempts`,
    undefined,
    { url, last: lastCode, attempts: o.retries + 1 },
  );
}

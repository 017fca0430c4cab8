/**
 * The environment variables a user may set for `--env` (PIN, new PIN, PUK). They are read by the
 * tool itself and never reach another program: the PKCS#11 worker (the vendor's native code) and
 * NSS's tools (which load the same modules) get the environment without them.
 */
export const SECRET_ENV = ['CNS_PIN', 'CNS_NEW_PIN', 'CNS_PUK'] as const;

export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of SECRET_ENV) delete out[k];
  return out;
}

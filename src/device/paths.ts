import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the demo card, report salt and extension journals live: $XDG_STATE_HOME/cns (default ~/.local/state/cns). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME?.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'cns');
}

export function demoImagePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'demo-card.json');
}

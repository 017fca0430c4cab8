// Types of scripts/wine-rig.mjs for the tests that import it.
export const DEFAULT_DIR: string;
export const WIN: { node: string; shim: string; checkout: string; cns: string; unit: string };

export interface RigPaths {
  dir: string;
  apt: string;
  wine10: string;
  wine: string;
  loader: string;
  server: string;
  lib: string;
  downloads: string;
  koffi: string;
  prefix: string;
  driveC: string;
  rigC: string;
  nodeExe: string;
  shim: string;
  checkout: string;
  unit: string;
  localAppData: string;
  runs: string;
  /** wine, wine64 and wineserver wrappers for use by hand */
  bin: string;
  ready: string;
}
export function rigPaths(dir?: string): RigPaths;
export function rigEnv(dir?: string): Record<string, string>;
export function prerequisites(): string | undefined;
export function rigAvailable(dir?: string): string | undefined;
export function setup(dir?: string, opts?: { log?: (line: string) => void; unit?: boolean }): Record<string, number>;
export function prepareCheckout(dir?: string, root?: string): void;
export function prepareUnit(dir?: string, root?: string): string;
export function stopServer(dir?: string): void;
export function startServer(dir?: string, seconds?: number): void;
export function windowsPath(dir: string, path: string): string;

export interface WineResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}
export interface WineOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** a Unix path inside the prefix's drive_c; C:\ by default */
  cwd?: string;
}
export interface WineProcess {
  pid: number;
  stdout(): string;
  stderr(): string;
  signal(signal: NodeJS.Signals): void;
  done: Promise<WineResult>;
}
export function startWindows(dir: string, argv: string[], opts?: WineOptions): WineProcess;
export function runWindows(dir: string, argv: string[], opts?: WineOptions): Promise<WineResult>;
export function runCns(dir: string, args: string[], opts?: WineOptions & { sea?: string }): Promise<WineResult>;

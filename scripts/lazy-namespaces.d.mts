export interface LazyNamespaces {
  text: string;
  /** namespaces now filled in their module's init */
  moved: number;
  /** namespaces still filled at the bundle's start */
  kept: number;
  /** why nothing was done, when esbuild's helpers were not found */
  reason?: string;
}
export function lazyNamespaces(text: string): LazyNamespaces;

export const REPORT: string;
export function apiReport(): string;

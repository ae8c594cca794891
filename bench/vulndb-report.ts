/** Small helpers the vulndb benchmark's parts share to round, summarize and print figures. */

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** The p-th percentile of ascending `sorted` (nearest rank). */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** One JSON line of progress or results. */
export const log = (value: object): void => console.log(JSON.stringify(value));

export function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const value of values) out[value] = (out[value] ?? 0) + 1;
  return out;
}

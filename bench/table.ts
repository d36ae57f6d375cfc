import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export function summarize(values: number[]): { min: number; median: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { min: Math.round(sorted[0] ?? NaN), median: at(0.5), p95: at(0.95) };
}

/** Prints a plain-text table to stdout. */
export function printTable(title: string, headers: string[], rows: Array<Array<string | number>>): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ');
  console.log(`\n${title}\n`);
  console.log(line(headers));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
  console.log();
}

/** Keeps the raw numbers of a run beside the printed table. */
export async function saveResults(name: string, rows: unknown): Promise<void> {
  const dir = path.resolve('.bench-results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(rows, null, 2));
  console.log(`raw numbers: ${path.relative(process.cwd(), file)}`);
}

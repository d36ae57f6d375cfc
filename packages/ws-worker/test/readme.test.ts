import { readFile } from 'node:fs/promises';
import test from 'ava';
import { OPTIONS } from '../src/util/options.js';

// The README's option table is what operators read: it must name every option
// the CLI has, each with its own env var, and no option the CLI does not have.

const README = new URL('../../../README.md', import.meta.url);

test("the README's option table has one row per option, with its env var", async (t) => {
  const rows = (await readFile(README, 'utf8')).split('\n').filter((line) => /^\| `(-\w, )?--[a-z-]+`/.test(line));
  for (const [key, spec] of Object.entries(OPTIONS)) {
    const row = rows.find((line) => line.split('|')[1]?.includes(`--${key}\``));
    t.truthy(row, `--${key} has a row`);
    t.true(row?.includes(`\`${spec.env}\``), `--${key} names ${spec.env}`);
  }
  t.is(rows.length, Object.keys(OPTIONS).length, 'no row for an option the CLI does not have');
});

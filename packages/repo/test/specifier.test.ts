import test from 'ava';
import { InvalidSpecifierError, aliasFor, parseAlias, parseSpecifier } from '../src/index.js';

test('an exact version is installable as it is', (t) => {
  t.deepEqual(parseSpecifier('@openfn/language-common@3.3.4'), {
    kind: 'exact',
    name: '@openfn/language-common',
    version: '3.3.4',
  });
});

test('dist-tags, ranges and bare names must be resolved first', (t) => {
  t.deepEqual(parseSpecifier('language-fixture@next'), { kind: 'tag', name: 'language-fixture', selector: 'next' });
  t.deepEqual(parseSpecifier('language-fixture@^3'), { kind: 'range', name: 'language-fixture', selector: '^3' });
  t.deepEqual(parseSpecifier('language-fixture'), { kind: 'tag', name: 'language-fixture', selector: 'latest' });
});

const refused: Array<[string, string]> = [
  ['', 'empty'],
  ['file:../adaptor', 'a file path'],
  ['git+https://example.com/a/b.git', 'a git URL'],
  ['https://example.com/a.tgz', 'a tarball URL'],
  ['../../etc@1.0.0', 'a relative path'],
  ['/tmp/adaptor@1.0.0', 'an absolute path'],
  ['@../evil@1.0.0', '.. as the scope'],
  ['@scope/..@1.0.0', '.. as the name'],
  ['.hidden@1.0.0', 'a hidden name'],
  ['foo;rm -rf /', 'shell metacharacters'],
  ['foo@$(id)', 'command substitution'],
  ['foo@1.0.0 ', 'trailing space'],
  ['foo@npm:bar@1.0.0', 'an npm alias'],
  ['Foo@1.0.0', 'capital letters'],
  [`${'a'.repeat(215)}@1.0.0`, 'an over-long name'],
  [`a@${'1'.repeat(300)}`, 'an over-long specifier'],
  ['@scope@1.0.0', 'a scope without a name'],
];

for (const [specifier, what] of refused) {
  test(`refuses ${what}`, (t) => {
    const error = t.throws(() => parseSpecifier(specifier), { instanceOf: InvalidSpecifierError });
    t.true(error?.message.includes(JSON.stringify(specifier)), 'the error names the bad specifier');
  });
}

test('aliasFor joins name and exact version, keeping the scope folder', (t) => {
  t.is(aliasFor('@openfn/language-http@7.2.9'), '@openfn/language-http_7.2.9');
  t.is(aliasFor('language-fixture@1.1.0'), 'language-fixture_1.1.0');
});

test('aliasFor refuses anything without an exact version', (t) => {
  t.throws(() => aliasFor('language-fixture@latest'), { instanceOf: InvalidSpecifierError, message: /exact version/ });
  t.throws(() => aliasFor('language-fixture'), { instanceOf: InvalidSpecifierError });
});

test('parseAlias inverts aliasFor and refuses paths', (t) => {
  t.deepEqual(parseAlias('@openfn/language-http_7.2.9'), {
    kind: 'exact',
    name: '@openfn/language-http',
    version: '7.2.9',
  });
  t.deepEqual(parseAlias('my_pkg_1.0.0-beta.1'), { kind: 'exact', name: 'my_pkg', version: '1.0.0-beta.1' });
  for (const bad of ['../x_1.0.0', '/etc/x_1.0.0', '@../x_1.0.0', 'x', 'x_latest', 'x/../../y_1.0.0']) {
    t.throws(() => parseAlias(bad), { instanceOf: InvalidSpecifierError }, bad);
  }
});

/**
 * Every package the registry is preloaded with, one directory each under `fixtures/`.
 * ESM fixtures export `name`, `version` and `dependencies` (the modules they imported,
 * each with the same three exports), so a test can see which versions resolved.
 * An adaptor of a real one's size (~8,000 files) is not among them: it is generated and
 * published on demand by `publishLargeAdaptor` (large-fixture.ts), for benchmarks and disk-full tests.
 */
export const fixtures = {
  utilA1: '@fleet-fixtures/util-a@1.0.0',
  utilA2: '@fleet-fixtures/util-a@2.0.0',
  /** Depends on util-a ^1. */
  utilB: '@fleet-fixtures/util-b@1.0.0',
  /** Depends on util-a ^1 and util-b ^1; ESM with a string `exports`. */
  adaptorOne: '@fleet-fixtures/adaptor-one@1.0.0',
  /**
   * Depends on util-a ^2 and util-b ^1, so util-a@1 is nested under util-b. Its `exports`
   * has `import` and `default` conditions; it exports `condition` to tell which one loaded.
   */
  adaptorTwo: '@fleet-fixtures/adaptor-two@1.0.0',
  /**
   * CommonJS with `main: lib/main.js`, depends on util-b ^1. Exports `loadDependencies()`
   * instead of `dependencies`. Its postinstall takes ~1.5 s, then writes `postinstall-done`.
   */
  adaptorThree: '@fleet-fixtures/adaptor-three@1.0.0',
  /** No dependencies; its postinstall takes ~3 s, then writes `postinstall-done`. */
  adaptorSlow: '@fleet-fixtures/adaptor-slow@1.0.0',
  /** ESM job adaptor (depends on util-a ^1): `fn`, `setData`, `fail` (throws from adaptor code), `log` (logs from adaptor code). */
  languageJobs: '@fleet-fixtures/language-jobs@1.0.0',
  /** ESM job adaptor that hands job code the run process's `process` (`hostProcess()`), as an unclosed realm escape would: `fn`, `hostProcess`. */
  languageHost: '@fleet-fixtures/language-host@1.0.0',
  /** Published under the real adaptor's name: `collections.get/set/remove/each` against Lightning's collections API. */
  languageCollections: '@openfn/language-collections@1.0.0',
  /** ESM job adaptor sharing util-a ^1 and util-b ^1: `fn`, `increment`. */
  languageExtra: '@fleet-fixtures/language-extra@1.0.0',
  /** ESM job adaptor (`fn`) whose postinstall takes ~3 s, then writes `postinstall-done`. */
  languageSlow: '@fleet-fixtures/language-slow@1.0.0',
  languageFixtureOld: 'language-fixture@1.0.0',
  /** dist-tag `latest`. */
  languageFixtureLatest: 'language-fixture@1.1.0',
  /** dist-tag `next`. */
  languageFixtureNext: 'language-fixture@2.0.0-beta.1',
} as const;

/** The file an install script of adaptor-three or adaptor-slow writes into its package folder when done. */
export const postinstallMarker = 'postinstall-done';

import type { WorkerConfig } from './worker-config.js';

/** The configuration as it may appear in a log. */
export type LoggableConfig = Omit<WorkerConfig, 'secret' | 'lightningPublicKey' | 'sentryDsn' | 'whitelist'> & {
  secret: string;
  lightningPublicKey: string;
  sentryDsn: string;
  /** Regex sources: a RegExp serializes to `{}` in JSON logs. */
  whitelist: string[];
};

const mask = (value: string | undefined): string => (value ? '***' : '(not set)');

/** A copy that is safe to log: says whether the secret, the key and the DSN are set, never what they are. */
export function maskSecrets(config: WorkerConfig): LoggableConfig {
  return {
    ...config,
    secret: mask(config.secret),
    lightningPublicKey: mask(config.lightningPublicKey),
    sentryDsn: mask(config.sentryDsn),
    whitelist: config.whitelist.map(String),
  };
}

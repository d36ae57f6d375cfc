import type { InstallOutcome } from '@fleet/repo';

export interface AutoinstallCompleteEvent {
  module: string;
  version: string;
  /** How long this run waited for the adaptor, in ms. */
  duration: number;
  /** What the install did (`already-installed` when another worker installed it while this one waited for the lock). */
  outcome: InstallOutcome;
}

export interface AutoinstallErrorEvent {
  module: string;
  version: string;
  duration: number;
  message: string;
}

export interface AutoinstallEvents {
  'autoinstall-complete': AutoinstallCompleteEvent;
  'autoinstall-error': AutoinstallErrorEvent;
}

/**
 * How the pipeline tells the outside world what it is doing, without printing: the CLI turns
 * these calls into progress bars or plain lines, tests record them.
 */
export type StageName =
  | 'discover'
  | 'inspect'
  | 'group'
  | 'quality'
  | 'analyze'
  | 'select'
  | 'enhance'
  | 'swap'
  | 'output'
  | 'act'
  | 'report';

export interface ProgressSink {
  /** A stage begins; `total` is null when unknown (discovery). */
  start(stage: StageName, total: number | null): void;
  /** Items done so far in the current stage. */
  update(done: number, total?: number): void;
  /** The current stage ended. */
  finish(): void;
  /** A one-line message: a per-file problem or a notice. */
  note(kind: 'problem' | 'notice', line: string): void;
}

export const silentProgress: ProgressSink = {
  start: () => {},
  update: () => {},
  finish: () => {},
  note: () => {},
};

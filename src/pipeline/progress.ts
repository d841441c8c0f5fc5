/**
 * How the pipeline tells the outside world what it is doing, without printing: the CLI turns
 * these calls into progress bars or plain lines, tests record them.
 */
import type { RunStage } from '../catalog/runs.js';
import { mediaCount } from '../core/clips.js';

/** The stages a run goes through, as the catalog records them (catalog/runs.ts), less the end mark. */
export type StageName = Exclude<RunStage, 'done'>;

/** What a stage's items are, when the stage's usual word ("photos") is not right for this run. */
export interface StageCount {
  /** The total in words: "12 photos and 3 clips". */
  readonly total: string;
  /** The plural noun for a count of them: "photos and clips", "clips". */
  readonly unit: string;
}

/** The words for a stage's items when some are clips; undefined (the usual "photos") when none is. */
export function mixedCount(photos: number, clips: number): StageCount | undefined {
  if (clips === 0) return undefined;
  return { total: mediaCount(photos, clips), unit: photos === 0 ? 'clips' : 'photos and clips' };
}

export interface ProgressSink {
  /**
   * A stage begins; `total` is null when unknown (discovery). `what` says what the total counts
   * when the stage's usual unit would be wrong ("3 photos and 2 clips"), `unit` the plural noun.
   */
  start(stage: StageName, total: number | null, what?: StageCount): void;
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

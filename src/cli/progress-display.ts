/**
 * Shows pipeline progress: a live bar with count, rate and ETA on a terminal, plain lines
 * (start, every few seconds, end) when the output is a pipe or a file.
 */
import cliProgress from 'cli-progress';
import type { ProgressSink, StageCount, StageName } from '../pipeline/progress.js';

const LABELS: Readonly<Record<StageName, string>> = {
  discover: 'Scanning',
  inspect: 'Fingerprinting',
  group: 'Grouping',
  quality: 'Measuring sharpness',
  analyze: 'Faces',
  select: 'Ranking',
  enhance: 'Merging HDR',
  swap: 'Swapping eyes',
  output: 'Writing output',
  act: 'Updating Immich',
  report: 'Writing report',
};

const UNITS: Readonly<Record<StageName, string>> = {
  discover: 'files found',
  inspect: 'photos',
  group: 'pairs checked',
  quality: 'photos',
  analyze: 'photos',
  select: 'groups',
  enhance: 'brackets',
  swap: 'groups',
  output: 'files',
  act: 'changes',
  report: 'files',
};

const PLAIN_INTERVAL_MS = 5000;
/** No ETA before this many items and this long: the first photos (cold caches, model loading) say little about the rest. */
const ETA_MIN_ITEMS = 5;
const ETA_MIN_MS = 3000;
/** Weight of the newest rate sample: a slow photo or two moves the ETA a little, not by minutes. */
const RATE_SMOOTHING = 0.15;
const RATE_SAMPLE_MS = 500;

export interface ProgressDisplayOptions {
  /** Receives every line as a plain log would show it (no bars), e.g. for OUT/logs/. */
  readonly transcript?: (line: string) => void;
  /** Milliseconds; tests pass a fake clock. */
  readonly now?: () => number;
}

export class ProgressDisplay implements ProgressSink {
  private stage: StageName | null = null;
  private total: number | null = null;
  /** What this stage counts, when not its usual unit. */
  private what: StageCount | null = null;
  private done = 0;
  private startedAt = 0;
  private lastPlain = 0;
  private multi: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  /** Smoothed items per second, and the last sample it was updated from. */
  private rate: number | null = null;
  private sample = { at: 0, done: 0 };
  /** Problems seen, by kind of line, so the summary can say how many were not shown. */
  problems = 0;
  private readonly transcript: (line: string) => void;
  private readonly now: () => number;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly live: boolean,
    private readonly verbose: boolean,
    options: ProgressDisplayOptions = {},
  ) {
    this.transcript = options.transcript ?? (() => undefined);
    this.now = options.now ?? Date.now;
  }

  /** A line for the terminal (unless a bar shows the same) and the transcript. */
  private plain(line: string, onTerminal: boolean): void {
    if (onTerminal) this.stream.write(`${line}\n`);
    this.transcript(line);
  }

  start(stage: StageName, total: number | null, what?: StageCount): void {
    this.stage = stage;
    this.total = total;
    this.what = what ?? null;
    this.done = 0;
    this.startedAt = this.now();
    this.lastPlain = this.startedAt;
    this.rate = null;
    this.sample = { at: this.startedAt, done: 0 };
    if (this.live) {
      this.multi = new cliProgress.MultiBar(
        {
          stream: this.stream,
          hideCursor: true,
          clearOnComplete: true,
          fps: 8,
          format: (_options, params, payload: { label: string; detail: string }) => {
            const width = 28;
            const filled = params.total > 0 ? Math.round((params.value / params.total) * width) : 0;
            const bar = this.total === null ? '' : `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] `;
            return `${payload.label.padEnd(15)} ${bar}${payload.detail}`;
          },
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.multi.create(total ?? 0, 0, { label: LABELS[stage], detail: '' });
    }
    if (total !== null && total > 0) this.plain(`${LABELS[stage]}: ${this.what?.total ?? `${total} ${UNITS[stage]}`}`, !this.live);
  }

  update(done: number, total?: number): void {
    this.done = done;
    if (total !== undefined) this.total = total;
    this.sampleRate();
    if (this.bar) {
      if (total !== undefined) this.bar.setTotal(total);
      this.bar.update(done, { label: LABELS[this.stage!], detail: this.detail() });
      return;
    }
    const now = this.now();
    if (now - this.lastPlain >= PLAIN_INTERVAL_MS) {
      this.lastPlain = now;
      this.plain(`${LABELS[this.stage!]}: ${this.detail()}`, true);
    }
  }

  finish(): void {
    if (this.stage === null) return;
    const seconds = (this.now() - this.startedAt) / 1000;
    if (this.multi) {
      this.bar?.update(this.done, { label: LABELS[this.stage], detail: this.detail() });
      this.multi.stop();
      this.multi = null;
      this.bar = null;
    }
    const worthALine = this.done > 0 && (this.verbose || this.stage === 'inspect' || this.stage === 'discover' || seconds >= 1);
    if (worthALine) {
      this.plain(`${LABELS[this.stage]}: ${this.done} ${this.unit()} in ${formatSeconds(seconds)}${this.rateText(seconds, 0)}`, true);
    }
    this.stage = null;
  }

  note(kind: 'problem' | 'notice', line: string): void {
    if (kind === 'problem') this.problems++;
    const text = kind === 'problem' ? `warning: ${line}` : line;
    this.transcript(text);
    if (this.multi) this.multi.log(`${text}\n`);
    else this.stream.write(`${text}\n`);
  }

  /** `120/500 (24%), 41.6/s, ETA 9s` or, without a total, `120 photos found`. */
  private detail(): string {
    const seconds = (this.now() - this.startedAt) / 1000;
    if (this.total === null || this.total === 0) return `${this.done} ${this.unit()}`;
    const pct = Math.floor((this.done / this.total) * 100);
    const eta = this.eta();
    return `${this.done}/${this.total} (${pct}%)${this.rateText(seconds)}${eta === null ? '' : `, ETA ${formatSeconds(eta)}`}`;
  }

  private unit(): string {
    return this.what?.unit ?? UNITS[this.stage!];
  }

  /** Folds the progress since the last sample into the smoothed rate, at most every RATE_SAMPLE_MS. */
  private sampleRate(): void {
    const now = this.now();
    const elapsed = now - this.sample.at;
    if (elapsed < RATE_SAMPLE_MS) return;
    const current = ((this.done - this.sample.done) * 1000) / elapsed;
    this.rate = this.rate === null ? current : this.rate + RATE_SMOOTHING * (current - this.rate);
    this.sample = { at: now, done: this.done };
  }

  /** Seconds left at the smoothed rate; null until there are enough items and time to judge by. */
  private eta(): number | null {
    if (this.total === null || this.rate === null || this.rate <= 0) return null;
    if (this.done < ETA_MIN_ITEMS || this.now() - this.startedAt < ETA_MIN_MS) return null;
    return (this.total - this.done) / this.rate;
  }

  /** The average rate; a live bar waits half a second first (its first items say little), a stage's last line does not. */
  private rateText(seconds: number, after = 0.5): string {
    return seconds > after && this.done > 0 ? `, ${(this.done / seconds).toFixed(1)}/s` : '';
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Shows pipeline progress: a live bar with count, rate and ETA on a terminal, plain lines
 * (start, every few seconds, end) when the output is a pipe or a file.
 */
import cliProgress from 'cli-progress';
import type { ProgressSink, StageName } from '../pipeline/progress.js';

const LABELS: Readonly<Record<StageName, string>> = {
  discover: 'Scanning',
  inspect: 'Fingerprinting',
  group: 'Grouping',
  analyze: 'Faces',
  select: 'Ranking',
  enhance: 'Merging HDR',
  output: 'Writing output',
  act: 'Updating Immich',
  report: 'Writing report',
};

const UNITS: Readonly<Record<StageName, string>> = {
  discover: 'photos found',
  inspect: 'photos',
  group: 'pairs checked',
  analyze: 'photos',
  select: 'groups',
  enhance: 'brackets',
  output: 'files',
  act: 'changes',
  report: 'files',
};

const PLAIN_INTERVAL_MS = 5000;

export class ProgressDisplay implements ProgressSink {
  private stage: StageName | null = null;
  private total: number | null = null;
  private done = 0;
  private startedAt = 0;
  private lastPlain = 0;
  private multi: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  /** Problems seen, by kind of line, so the summary can say how many were not shown. */
  problems = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly live: boolean,
    private readonly verbose: boolean,
  ) {}

  start(stage: StageName, total: number | null): void {
    this.stage = stage;
    this.total = total;
    this.done = 0;
    this.startedAt = Date.now();
    this.lastPlain = this.startedAt;
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
    } else if (total !== null && total > 0) {
      this.stream.write(`${LABELS[stage]}: ${total} ${UNITS[stage]}\n`);
    }
  }

  update(done: number, total?: number): void {
    this.done = done;
    if (total !== undefined) this.total = total;
    if (this.bar) {
      if (total !== undefined) this.bar.setTotal(total);
      this.bar.update(done, { label: LABELS[this.stage!], detail: this.detail() });
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain >= PLAIN_INTERVAL_MS) {
      this.lastPlain = now;
      this.stream.write(`${LABELS[this.stage!]}: ${this.detail()}\n`);
    }
  }

  finish(): void {
    if (this.stage === null) return;
    const seconds = (Date.now() - this.startedAt) / 1000;
    if (this.multi) {
      this.bar?.update(this.done, { label: LABELS[this.stage], detail: this.detail() });
      this.multi.stop();
      this.multi = null;
      this.bar = null;
    }
    const worthALine = this.done > 0 && (this.verbose || this.stage === 'inspect' || this.stage === 'discover' || seconds >= 1);
    if (worthALine) {
      this.stream.write(`${LABELS[this.stage]}: ${this.done} ${UNITS[this.stage]} in ${formatSeconds(seconds)}${this.rateText(seconds)}\n`);
    }
    this.stage = null;
  }

  note(kind: 'problem' | 'notice', line: string): void {
    if (kind === 'problem') this.problems++;
    const text = kind === 'problem' ? `warning: ${line}` : line;
    if (this.multi) this.multi.log(`${text}\n`);
    else this.stream.write(`${text}\n`);
  }

  /** `120/500 (24%), 41.6/s, ETA 9s` or, without a total, `120 photos found`. */
  private detail(): string {
    const seconds = (Date.now() - this.startedAt) / 1000;
    if (this.total === null || this.total === 0) return `${this.done} ${UNITS[this.stage!]}`;
    const pct = Math.floor((this.done / this.total) * 100);
    const rate = seconds > 0 ? this.done / seconds : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : null;
    return `${this.done}/${this.total} (${pct}%)${this.rateText(seconds)}${eta === null ? '' : `, ETA ${formatSeconds(eta)}`}`;
  }

  private rateText(seconds: number): string {
    return seconds >= 0.5 && this.done > 0 ? `, ${(this.done / seconds).toFixed(1)}/s` : '';
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

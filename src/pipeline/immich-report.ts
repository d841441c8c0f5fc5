/**
 * The report of an Immich run: its groups with each photo named by its file name and linked to
 * its page on the server, written under -o (or next to the catalog without it). The run writes
 * it, and the review page rewrites it after applying decisions.
 */
import { dirname, resolve } from 'node:path';
import type { PhotoError } from '../core/types.js';
import type { OutputPlan } from '../output/plan.js';
import { buildReport } from '../report/build.js';
import { type WrittenReport, writeReport } from '../report/write.js';
import { type NumberedGroup, photoOf } from './immich-groups.js';

export interface ImmichReportInput {
  /** The server's API base URL. */
  readonly server: string;
  /** --immich-album of the run, if any. */
  readonly album: string | null;
  /** Where reports/ goes (see reportRoot). */
  readonly root: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly groups: readonly NumberedGroup[];
  /** The local tree's plan (with -o), in the order of `groups`. */
  readonly plan: OutputPlan | null;
  readonly ungrouped: readonly string[];
  readonly errors: readonly PhotoError[];
  readonly timings: Readonly<Record<string, number>>;
  readonly nameOf: (assetId: string) => string;
}

/** The folder a run's reports go under: -o, else the catalog's folder. */
export function reportRoot(output: string | null, catalog: string): string {
  return output ? resolve(output) : dirname(catalog);
}

export async function writeImmichReport(input: ImmichReportInput): Promise<WrittenReport> {
  const web = input.server.replace(/\/api$/, '');
  return writeReport(
    input.root,
    buildReport({
      generatedAt: new Date(),
      source: input.album ? `${web} (album "${input.album}")` : web,
      output: input.root,
      options: input.options,
      groups: input.groups.map((g) => ({
        number: g.number,
        kind: g.kind,
        members: g.members.map((m) => ({
          photo: photoOf(m.asset, `${web}/photos/${m.asset.assetId}`, input.nameOf(m.asset.assetId), m.asset.facts.size, m.asset.facts.modifiedMs),
          decision: m.decision,
        })),
      })),
      plan: input.plan,
      ungrouped: input.ungrouped,
      errors: input.errors,
      timings: input.timings,
    }),
  );
}

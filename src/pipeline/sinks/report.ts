/**
 * The report sink: the run's groups with each photo named as the source names it (a path
 * relative to the folder, or a file name) and linked to it (its file, or its page on the
 * server), written under the output folder — or next to the catalog when there is none.
 */
import type { OutputPlan } from '../../output/plan.js';
import { buildReport } from '../../report/build.js';
import { type WrittenReport, writeReport } from '../../report/write.js';
import type { SyncConflict } from '../../catalog/conflicts.js';
import { setKey } from '../../core/decisions.js';
import type { PhotoError, PhotoId } from '../../core/types.js';
import type { PhotoSource } from '../../sources/source.js';
import type { PersonSwap } from '../stages/face-swap.js';
import type { SelectedGroup } from '../stages/select.js';

export interface ReportInput {
  readonly source: PhotoSource;
  /** Where reports/ goes. */
  readonly root: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly groups: readonly SelectedGroup[];
  /** The local tree's plan, in the order of `groups`; null without one. */
  readonly plan: OutputPlan | null;
  readonly ungrouped: readonly string[];
  readonly errors: readonly PhotoError[];
  readonly timings: Readonly<Record<string, number>>;
  /** --enable-face-swap: each person's outcome, by group number. */
  readonly faceSwaps?: readonly PersonSwap[];
  /** --conflict-strategy manual: the user's changes waiting for a decision, by the group's member set. */
  readonly conflicts?: readonly SyncConflict[];
}

export async function writeRunReport(input: ReportInput): Promise<WrittenReport> {
  const { source } = input;
  return writeReport(
    input.root,
    buildReport({
      generatedAt: new Date(),
      source: source.label,
      output: input.root,
      options: input.options,
      groups: input.groups.map((g) => ({
        number: g.number,
        kind: g.kind,
        members: g.members.map((m) => ({
          photo: { ...m.photo, path: source.link(m.photo), relativePath: source.name(m.photo) },
          decision: m.decision,
        })),
        faceSwaps: (input.faceSwaps ?? [])
          .filter((p) => p.group === g.number)
          .map((p) => ({ person: p.label, swapped: p.kept, reason: p.reason, region: p.region })),
        conflicts: conflictsOf(input, g),
      })),
      plan: input.plan,
      ungrouped: input.ungrouped,
      errors: input.errors,
      timings: input.timings,
    }),
  );
}

/** The conflicts found on this group (as its photos stand), its photos named as the report names them. */
function conflictsOf(input: ReportInput, g: SelectedGroup) {
  const key = setKey(g.members.map((m) => m.photo.id));
  const names = new Map(g.members.map((m) => [m.photo.id, input.source.name(m.photo)]));
  const name = (id: PhotoId): string => names.get(id) ?? `photo ${id}`;
  return (input.conflicts ?? [])
    .filter((c) => setKey(c.members) === key)
    .map((c) => ({ change: c.kind, photo: name(c.photo), was: c.was === null ? null : name(c.was), foundAt: c.foundAt }));
}

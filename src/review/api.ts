/**
 * The review page's JSON API: requests validated with zod, answered from the session. No HTTP
 * here (server.ts does that): a handler gets the method, the path below /api/, the query and the
 * parsed body, and returns a status and a JSON value.
 *
 *   GET  summary                      run, counts, the newest decision (for undo)
 *   GET  groups?offset&limit&filters  one page of grid cards
 *   GET  groups/<n>?filters           the group view (neighbours within the filtered list)
 *   GET  next?after&filters           the next group not reviewed yet
 *   POST reviewed {group}             marks a group reviewed
 *   POST changes {kind, group, …}     pick / exclude / split / merge / keep → a stored decision
 *   POST conflicts {group, keep}      decides the user's changes on the server waiting in a group
 *   POST undo                         takes back the newest decision
 *   GET  apply                        what applying would change (for the confirmation)
 *   POST apply {confirm: true}        does it, then rewrites the report
 */
import { z } from 'zod';
import { ImmichError } from '../immich/errors.js';
import { asPhotoId } from '../core/types.js';
import { MediaError } from '../media/contract.js';
import { type ChangeRequest, type ReviewSession, ReviewRequestError } from './session.js';
import { PictureUnavailableError } from './source.js';
import type { GroupFilter } from './view.js';

export interface ApiRequest {
  readonly method: string;
  /** Below /api/, without a leading slash: `groups/12`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body of a POST (undefined for GET). */
  readonly body: unknown;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Groups per page at most: a screenful or two of cards. */
export const MAX_PAGE = 200;

const FilterSchema = z.object({
  kind: z.enum(['all', 'duplicate', 'burst', 'similar']).default('all'),
  faces: z.enum(['any', 'yes', 'no']).default('any'),
  changed: z.enum(['0', '1']).default('0'),
  closeCalls: z.enum(['0', '1']).default('0'),
  blinks: z.enum(['0', '1']).default('0'),
  unreviewed: z.enum(['0', '1']).default('0'),
});

const NextSchema = FilterSchema.extend({ after: z.coerce.number().int().positive().optional() });
const ReviewedSchema = z.object({ group: z.int().positive() }).strict();

const PageSchema = FilterSchema.extend({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(60),
});

const groupNumber = z.int().positive();
const ChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['pick', 'exclude', 'split']), group: groupNumber, photo: z.int().positive().transform(asPhotoId) }).strict(),
  z.object({ kind: z.literal('merge'), group: groupNumber, with: groupNumber }).strict(),
  z.object({ kind: z.literal('keep'), group: groupNumber, photo: z.int().positive().transform(asPhotoId), keep: z.boolean() }).strict(),
]);

const ApplySchema = z.object({ confirm: z.literal(true) }).strict();
const ConflictsSchema = z.object({ group: groupNumber, keep: z.enum(['server', 'tool']) }).strict();

export async function handleApi(session: ReviewSession, req: ApiRequest): Promise<ApiResponse> {
  try {
    return await route(session, req);
  } catch (error) {
    if (error instanceof z.ZodError) return { status: 400, body: { error: zodMessage(error) } };
    if (error instanceof ReviewRequestError) return { status: 409, body: { error: error.message } };
    if (error instanceof MediaError) return { status: 422, body: { error: error.message } };
    if (error instanceof PictureUnavailableError) return { status: 502, body: { error: error.message } };
    // An Immich run's server did not answer as it should (down, key revoked): nothing was changed.
    if (error instanceof ImmichError) return { status: 502, body: { error: `The Immich server: ${error.message}` } };
    throw error;
  }
}

async function route(session: ReviewSession, req: ApiRequest): Promise<ApiResponse> {
  const { method, path } = req;
  const query = Object.fromEntries(req.query);
  // A run that finished since the page opened replaces the groups shown.
  const reloaded = await session.refresh();
  if (method === 'GET' && path === 'summary') return ok({ ...session.summary(), reloaded });
  if (method === 'GET' && path === 'groups') {
    const q = PageSchema.parse(query);
    return ok(session.page(filterOf(q), q.offset, q.limit));
  }
  const one = /^groups\/(\d{1,9})$/.exec(path);
  if (method === 'GET' && one !== null) {
    const detail = await session.detail(Number(one[1]), filterOf(FilterSchema.parse(query)));
    return detail === null ? { status: 404, body: { error: `There is no group ${one[1]} (any more)` } } : ok(detail);
  }
  if (method === 'GET' && path === 'next') {
    const q = NextSchema.parse(query);
    return ok({ number: session.nextUnreviewed(q.after ?? null, filterOf(q)) });
  }
  if (method === 'POST' && path === 'reviewed') {
    session.markReviewed(ReviewedSchema.parse(req.body).group);
    return ok({ summary: session.summary() });
  }
  if (method === 'POST' && path === 'changes') {
    const request: ChangeRequest = ChangeSchema.parse(req.body);
    return ok({ ...session.change(request), summary: session.summary() });
  }
  if (method === 'POST' && path === 'conflicts') {
    const q = ConflictsSchema.parse(req.body);
    return ok({ ...session.settleConflicts(q.group, q.keep), summary: session.summary() });
  }
  if (method === 'POST' && path === 'undo') {
    const undone = session.undo();
    return undone === null ? { status: 409, body: { error: 'Nothing to undo' } } : ok({ ...undone, summary: session.summary() });
  }
  if (method === 'GET' && path === 'apply') return ok(await session.previewApply());
  if (method === 'POST' && path === 'apply') {
    ApplySchema.parse(req.body);
    return ok(await session.apply());
  }
  const known = ['summary', 'groups', 'next', 'reviewed', 'changes', 'conflicts', 'undo', 'apply'].some(
    (p) => path === p || path.startsWith(`${p}/`),
  );
  return known
    ? { status: 405, body: { error: `${method} is not allowed on /api/${path}` } }
    : { status: 404, body: { error: `No such API: /api/${path}` } };
}

function filterOf(q: z.infer<typeof FilterSchema>): GroupFilter {
  return {
    kind: q.kind === 'all' ? null : q.kind,
    faces: q.faces === 'any' ? null : q.faces === 'yes',
    changed: q.changed === '1',
    closeCalls: q.closeCalls === '1',
    blinks: q.blinks === '1',
    unreviewed: q.unreviewed === '1',
  };
}

const ok = (body: unknown): ApiResponse => ({ status: 200, body });

/** "limit: Too big: expected number to be <=200" — the field and zod's words. */
function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'Invalid request';
  const field = issue.path.map(String).join('.');
  return field === '' ? issue.message : `${field}: ${issue.message}`;
}

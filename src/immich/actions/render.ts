/**
 * One line per planned change, naming every photo it touches and the request that would make it:
 * what --dry-run prints and what a run reports as done. Pure.
 */
import type { Operation } from './plan.js';

/** Display name of an asset (its file name), or its id when unknown. */
export type AssetNamer = (assetId: string) => string;

export function renderOperation(op: Operation, name: AssetNamer): string {
  const list = (ids: readonly string[]): string => ids.map(name).join(', ');
  const photos = (n: number): string => `${n} photo${n === 1 ? '' : 's'}`;
  switch (op.kind) {
    case 'create-tags':
      return `create tag${op.values.length === 1 ? '' : 's'} ${op.values.join(', ')}  [PUT /api/tags]`;
    case 'add-tag':
      return `tag ${photos(op.assets.length)} ${op.value}: ${list(op.assets)}  [PUT /api/tags/assets]`;
    case 'remove-tag':
      return `untag ${op.value} from ${photos(op.assets.length)}: ${list(op.assets)}  [DELETE /api/tags/${op.tagId ?? '?'}/assets]`;
    case 'delete-tag':
      return `delete tag ${op.value}  [DELETE /api/tags/${op.tagId}]`;
    case 'create-album':
      return `create album "${op.name}" with ${photos(op.assets.length)}: ${list(op.assets)}  [POST /api/albums]`;
    case 'add-album':
      return `add ${photos(op.assets.length)} to album "${op.name}": ${list(op.assets)}  [PUT /api/albums/${op.albumId}/assets]`;
    case 'remove-album':
      return `remove ${photos(op.assets.length)} from album "${op.name}": ${list(op.assets)}  [DELETE /api/albums/${op.albumId}/assets]`;
    case 'delete-album':
      return `delete album "${op.name}"  [DELETE /api/albums/${op.albumId}]`;
    case 'favorite':
      return `mark ${photos(op.assets.length)} favorite: ${list(op.assets)}  [PUT /api/assets isFavorite=true]`;
    case 'unfavorite':
      return `unmark ${photos(op.assets.length)} favorite: ${list(op.assets)}  [PUT /api/assets isFavorite=false]`;
    case 'archive':
      return `archive ${photos(op.assets.length)}: ${list(op.assets)}  [PUT /api/assets visibility=archive]`;
    case 'unarchive':
      return `unarchive ${photos(op.assets.length)}: ${list(op.assets)}  [PUT /api/assets visibility=timeline]`;
    case 'create-stack':
      return `stack ${photos(op.assets.length)} with cover ${name(op.assets[0] ?? '')}: ${list(op.assets)}  [POST /api/stacks]`;
    case 'delete-stack':
      return `unstack ${photos(op.assets.length)}: ${list(op.assets)}  [DELETE /api/stacks/${op.stackId}]`;
  }
}

/** How many photo-level changes an operation stands for (1 for creations and deletions). */
export function operationSize(op: Operation): number {
  return 'assets' in op ? op.assets.length : op.kind === 'create-tags' ? op.values.length : 1;
}

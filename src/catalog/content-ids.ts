/**
 * Live Photo content identifiers of folder files (a MOV's QuickTime tag, a still's MakerNote),
 * kept by path with the size and mtime they were read at, so an unchanged file is never probed
 * again and a changed one is. A file without an identifier is kept too (null): it is not asked
 * again either.
 */
import { pathBytes } from '../core/paths.js';
import type { FsPath } from '../core/types.js';
import type { Db } from './database.js';

/** The file's state an identifier was read at. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

export class ContentIdStore {
  private readonly find;
  private readonly save;

  constructor(db: Db) {
    this.find = db.prepare<[Buffer, number, number], { content_id: string | null }>(
      'SELECT content_id FROM content_ids WHERE path = ? AND size = ? AND mtime_ms = ?',
    );
    this.save = db.prepare('INSERT OR REPLACE INTO content_ids (path, size, mtime_ms, content_id) VALUES (?, ?, ?, ?)');
  }

  /** The identifier read at `stamp` (null: the file has none); undefined when not read at it. */
  get(path: FsPath, stamp: FileStamp): string | null | undefined {
    return this.find.get(pathBytes(path), stamp.size, stamp.mtimeMs)?.content_id;
  }

  put(path: FsPath, stamp: FileStamp, contentId: string | null): void {
    this.save.run(pathBytes(path), stamp.size, stamp.mtimeMs, contentId);
  }
}

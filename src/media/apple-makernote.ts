/**
 * Apple's EXIF MakerNote, read for one tag: the ContentIdentifier (0x0011) an iPhone writes into
 * the still of a Live Photo, the same string its MOV carries as
 * `com.apple.quicktime.content.identifier`. The note is "Apple iOS\0", a 2-byte version, a byte
 * order mark ("MM"/"II") and then one IFD at offset 14 whose value offsets count from the note's
 * start. Hostile bytes give null, never an exception.
 */
import { z } from 'zod';
import { readIfd } from './tiff.js';

const SIGNATURE = 'Apple iOS\0';
const IFD_AT = 14;
const CONTENT_IDENTIFIER = 0x0011;
const ASCII = 2;

/** What a content identifier looks like: printable ASCII without spaces (a UUID in practice). */
const contentIdSchema = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[\x21-\x7e]+$/);

/** The Live Photo content identifier in an Apple MakerNote; null when it is not one or has none. */
export function appleContentId(note: Uint8Array): string | null {
  if (note.length < IFD_AT + 2 || Buffer.from(note.subarray(0, SIGNATURE.length)).toString('latin1') !== SIGNATURE) return null;
  const order = Buffer.from(note.subarray(12, 14)).toString('latin1');
  if (order !== 'MM' && order !== 'II') return null;
  const ifd = readIfd(note, IFD_AT, 0, order === 'II');
  const entry = ifd?.ifd.entries.get(CONTENT_IDENTIFIER);
  if (entry === undefined || entry.type !== ASCII) return null;
  const raw = Buffer.from(note.subarray(entry.valueAt, entry.valueAt + entry.count)).toString('latin1');
  const parsed = contentIdSchema.safeParse(raw.replace(/\0+$/, ''));
  return parsed.success ? parsed.data : null;
}

/** Album names for groups, after the seed's tests (SPEC §8.4, §12.1), minus its bugs. */
import { describe, expect, it } from 'vitest';
import { type AlbumPhoto, albumName, cleanName } from '../../src/immich/album-name.js';

const at = (iso: string): number => Date.parse(`${iso}Z`);
const photo = (takenAt: string | null, people: string[] = [], createdAt: string | null = null): AlbumPhoto => ({
  takenAtMs: takenAt === null ? null : at(takenAt),
  createdAt,
  people,
});

describe('album names', () => {
  it('is prefix, date, people and the padded group number', () => {
    expect(albumName({ prefix: 'Organized-', number: 42, photos: [photo('2024-03-15T10:00:00', ['Alice', 'Bob'])] })).toBe(
      'Organized-2024-03-15-Alice+Bob-0042',
    );
    expect(albumName({ prefix: 'Organized-', number: 1, photos: [photo('2024-03-15T10:00:00')] })).toBe('Organized-2024-03-15-0001');
  });

  it('honours --album-prefix (the seed always wrote "Organized")', () => {
    expect(albumName({ prefix: 'Trip ', number: 7, photos: [photo('2024-03-15T10:00:00')] })).toBe('Trip 2024-03-15-0007');
  });

  it('takes the earliest date of the group, not the first photo’s', () => {
    expect(albumName({ prefix: 'P-', number: 1, photos: [photo('2024-03-16T00:10:00'), photo('2024-03-15T23:50:00')] })).toBe(
      'P-2024-03-15-0001',
    );
  });

  it('falls back to the creation date, then to "unknown"', () => {
    expect(albumName({ prefix: 'P-', number: 3, photos: [photo(null, [], '2023-01-02T03:04:05.000Z')] })).toBe('P-2023-01-02-0003');
    expect(albumName({ prefix: 'Organized-', number: 42, photos: [photo(null)] })).toBe('Organized-unknown-0042');
  });

  it('names at most 6 people, favourites first, then the most frequent, then by name', () => {
    const ten = ['Jo', 'Ian', 'Hal', 'Gus', 'Fay', 'Eve', 'Dan', 'Cy', 'Bea', 'Al'];
    const name = albumName({
      prefix: 'P-',
      number: 1,
      favorites: new Set(['Jo']),
      photos: [photo('2024-01-01T00:00:00', ten), photo('2024-01-01T00:00:01', ['Eve', 'Dan'])],
    });
    expect(name).toBe('P-2024-01-01-Jo+Dan+Eve+Al+Bea+Cy-0001');
  });

  it('cleans names to letters, digits, _ and spaces in any script, and leaves out excluded people', () => {
    expect(cleanName("O'Brien-Smith")).toBe('OBrienSmith');
    expect(cleanName('José Ñúñez')).toBe('José Ñúñez');
    expect(
      albumName({
        prefix: 'P-',
        number: 2,
        excluded: new Set(['bob']),
        photos: [photo('2024-01-01T00:00:00', ['Alice, Bob', 'Bob', '???'])],
      }),
    ).toBe('P-2024-01-01-Alice Bob-0002');
  });

  it('pads numbers to 4 digits and widens past 9999', () => {
    expect(albumName({ prefix: 'P-', number: 99, photos: [] })).toBe('P-unknown-0099');
    expect(albumName({ prefix: 'P-', number: 1234, photos: [] })).toBe('P-unknown-1234');
    expect(albumName({ prefix: 'P-', number: 12345, photos: [] })).toBe('P-unknown-12345');
  });
});

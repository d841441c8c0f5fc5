import { describe, expect, it } from 'vitest';
import { completePath, type DirEntry } from '../../src/cli/interactive/path-completion.js';

const TREE: Readonly<Record<string, readonly DirEntry[]>> = {
  '/home/me': [
    { name: 'Photos', isDirectory: true },
    { name: 'Photos-2023', isDirectory: true },
    { name: 'Pictures', isDirectory: true },
    { name: 'notes.txt', isDirectory: false },
    { name: '.cache', isDirectory: true },
  ],
  '/home/me/Photos': [{ name: '2024', isDirectory: true }],
};
const list = (dir: string) => TREE[dir] ?? null;
const resolveDir = (part: string) =>
  part === '.' ? '/home/me' : part.startsWith('/') ? part.replace(/\/$/, '') : `/home/me/${part.replace(/\/$/, '')}`;

describe('Tab completion of a path', () => {
  it('completes the only match, with a slash after a folder', () => {
    expect(completePath('Pi', resolveDir, list)).toBe('Pictures/');
    expect(completePath('no', resolveDir, list)).toBe('notes.txt');
    expect(completePath('Photos/2', resolveDir, list)).toBe('Photos/2024/');
    expect(completePath('/home/me/Pic', resolveDir, list)).toBe('/home/me/Pictures/');
  });

  it('completes as far as the matches agree, and leaves the text alone when nothing matches', () => {
    expect(completePath('P', resolveDir, list)).toBe('P');
    expect(completePath('Pho', resolveDir, list)).toBe('Photos');
    expect(completePath('x', resolveDir, list)).toBe('x');
    expect(completePath('nowhere/x', resolveDir, list)).toBe('nowhere/x');
  });

  it('offers hidden entries only once a dot is typed', () => {
    expect(completePath('.c', resolveDir, list)).toBe('.cache/');
    expect(completePath('', resolveDir, list)).toBe('');
  });
});

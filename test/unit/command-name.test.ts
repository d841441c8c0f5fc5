import { describe, expect, it } from 'vitest';
import { commandName } from '../../src/cli/command-name.js';

describe('the command as the user typed it', () => {
  it('is the name on the PATH, npx for a node_modules/.bin link, node and the script otherwise', () => {
    expect(commandName('/usr/local/bin/photo-album-organizer', '/home/me')).toBe('photo-album-organizer');
    expect(commandName('/usr/local/bin/photo-organizer', '/home/me')).toBe('photo-organizer');
    expect(commandName('/home/me/src/photo-album-organizer/node_modules/.bin/photo-organizer', '/home/me')).toBe('npx photo-organizer');
    expect(commandName('/home/me/src/poa/bin/photo-organizer.js', '/home/me/src/poa')).toBe('node bin/photo-organizer.js');
    expect(commandName('/opt/poa/bin/photo-organizer.js', '/home/me')).toBe('node /opt/poa/bin/photo-organizer.js');
  });
});

// Whether a program is on PATH, as spawn() would find it: shared by the test tiers' pre-checks.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

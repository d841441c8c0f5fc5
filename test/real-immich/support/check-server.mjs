// Before the real-server tier starts: one line saying how to start the server when it is not
// configured, and exit 1 — a missing server must never pass as an empty suite.
import { onPath } from '../../../scripts/on-path.js';

if (!process.env.IMMICH_URL || !process.env.IMMICH_API_KEY) {
  console.error(
    'npm run test:immich needs the Immich test server: run ../shared/immich-server/start.sh, then `set -a; . /var/tmp/immich-test/server.env; set +a` (it sets IMMICH_URL and IMMICH_API_KEY)',
  );
  process.exit(1);
}

// A server on this machine reads clips with the ffprobe and ffmpeg on its PATH (a Docker Immich
// ships its own); without them the clip tests would only time out waiting for it.
const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(process.env.IMMICH_URL).hostname);
if (local && !onPath('ffprobe')) {
  console.error(
    'npm run test:immich: the local Immich server needs ffprobe and ffmpeg to read clips: apt-get install -y ffmpeg, then restart it (../shared/immich-server/stop.sh && ../shared/immich-server/start.sh)',
  );
  process.exit(1);
}

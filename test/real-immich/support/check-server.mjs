// Before the real-server tier starts: one line saying how to start the server when it is not
// configured, and exit 1 — a missing server must never pass as an empty suite.
if (!process.env.IMMICH_URL || !process.env.IMMICH_API_KEY) {
  console.error(
    'npm run test:immich needs the Immich test server: run ../shared/immich-server/start.sh, then `set -a; . /var/tmp/immich-test/server.env; set +a` (it sets IMMICH_URL and IMMICH_API_KEY)',
  );
  process.exit(1);
}

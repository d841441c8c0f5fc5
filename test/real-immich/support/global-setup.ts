/**
 * Fails the whole tier at once, with one line saying how to start the server, when it is not
 * configured or not answering: a missing server must never look like a passing suite.
 */
import { HOW_TO_START, realServer } from './server.js';

export default async function setup(): Promise<void> {
  const server = realServer();
  const res = await fetch(`${server.url}/api/server/ping`).catch((error: unknown) => {
    throw new Error(
      `Immich at ${server.url} does not answer (${error instanceof Error ? error.message : String(error)}). ${HOW_TO_START.replace(/^IMMICH_URL and IMMICH_API_KEY are not set: s/, 'S')}`,
    );
  });
  if (!res.ok) throw new Error(`Immich at ${server.url} answered ${res.status} to /api/server/ping`);
}

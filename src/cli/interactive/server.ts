/**
 * Section 1 for Immich: the server address and the API key, tested on the spot (the server's
 * version and the key's owner shown, a refused key or an unreachable server said plainly, with
 * a way out), then the album filter. The key is only held in memory: never printed, never saved.
 */
import { optionFieldSchemas } from '../../pipeline/options.js';
import type { ServerCheck } from '../../sources/immich-check.js';
import { askOptional, type Draft, type SetupContext, withSettings } from './context.js';

/** `walkthrough` asks everything; `loaded` (settings from a file) only asks for a missing key. */
export type ConnectMode = 'walkthrough' | 'loaded';

type Next = 'key' | 'url' | 'tls' | 'keep';

export async function connectImmich(draft: Draft, ctx: SetupContext, mode: ConnectMode): Promise<Draft> {
  let d = draft;
  let askUrl = mode === 'walkthrough';
  let url = d.settings.immichUrl;
  let askKey: 'confirm' | 'type' | 'no' = mode === 'walkthrough' ? 'confirm' : d.apiKey === null ? 'type' : 'no';
  if (mode === 'loaded' && d.apiKey !== null) ctx.say(`  Using the API key from ${keySource(d)}.`);
  for (;;) {
    if (askUrl || url === null) {
      url = await askServerUrl(ctx, url);
      d = withSettings(d, { immichUrl: url });
    }
    if (askKey !== 'no') d = await askApiKey(d, ctx, askKey);
    const result = await check(d, url, ctx);
    d = { ...d, server: result };
    if (result.ok) break;
    const next = await ctx.prompt.choose<Next>({
      message: 'What now?',
      choices: [
        { value: 'key', name: 'Type the API key again' },
        { value: 'url', name: 'Change the server address' },
        ...(d.settings.verifySsl && d.settings.immichUrl?.startsWith('https:') === true
          ? [{ value: 'tls' as const, name: 'Accept its TLS certificate unchecked (a self-signed server you trust)' }]
          : []),
        { value: 'keep', name: 'Keep these settings anyway (the run will check again)' },
      ],
      default: result.version === null ? 'url' : 'key',
    });
    if (next === 'keep') break;
    askUrl = next === 'url';
    askKey = next === 'key' ? 'type' : 'no';
    if (next === 'tls') d = withSettings(d, { verifySsl: false });
  }
  if (mode === 'walkthrough') {
    const album = await askOptional(ctx, 'Only the photos of one album (its exact name)', d.settings.immichAlbum);
    d = withSettings(d, { immichAlbum: album });
  }
  return d;
}

function askServerUrl(ctx: SetupContext, current: string | null): Promise<string> {
  const schema = optionFieldSchemas.immichUrl;
  return ctx.prompt
    .text({
      message: 'Immich server address (e.g. https://photos.example.com):',
      ...(current !== null ? { default: current } : {}),
      validate: (v) => {
        if (v.trim() === '') return 'Type the address you open Immich at in a browser';
        const parsed = schema.safeParse(v.trim());
        return parsed.success ? true : parsed.error.issues[0]!.message;
      },
    })
    .then((v) => v.trim());
}

async function askApiKey(d: Draft, ctx: SetupContext, how: 'confirm' | 'type'): Promise<Draft> {
  if (how === 'confirm' && d.apiKey !== null) {
    if (await ctx.prompt.confirm({ message: `Use the API key from ${keySource(d)}?`, default: true })) return d;
  }
  const key = await ctx.prompt.secret({
    message: 'Immich API key (hidden; make one in Immich under Account Settings → API Keys):',
    validate: (v) =>
      v.trim() === '' ? 'The key is needed to read the library' : /\s/.test(v.trim()) ? 'An API key has no spaces in it' : true,
  });
  return { ...d, apiKey: key.trim(), keyOrigin: 'typed' };
}

async function check(d: Draft, url: string, ctx: SetupContext): Promise<ServerCheck> {
  ctx.say(`  Checking ${url} …`);
  const result = await ctx.checkServer({ url, apiKey: d.apiKey ?? '', verifySsl: d.settings.verifySsl, signal: ctx.signal });
  if (result.ok) {
    ctx.say(`  Connected: Immich ${result.version} at ${result.server}, API key of ${result.user}.`);
    if (result.warning !== null) ctx.say(`  Note: ${result.warning}`);
  } else {
    ctx.say(
      result.version !== null
        ? `  Immich ${result.version} answers there, but: ${result.message}`
        : `  Could not connect: ${result.message}`,
    );
  }
  return result;
}

/** Where the key came from, in words (the key itself is never shown). */
export function keySource(d: Pick<Draft, 'keyOrigin'>): string {
  switch (d.keyOrigin) {
    case 'environment':
      return 'the IMMICH_API_KEY environment variable';
    case 'command line':
      return '--immich-api-key';
    case 'typed':
      return 'what you typed';
    default:
      return 'nowhere';
  }
}

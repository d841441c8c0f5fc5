// Makes test/fixtures/catalogs/release-0.1.0.db: a catalog written by release 0.1.0 (commit
// 8ac7262), for the migration test. Run it with that release's build: node scripts/make-catalog-fixture.mjs OLD_DIST OUT_DIR
// It organizes a small library with the release's CLI, then adds what a folder run's review and
// an Immich run leave in a catalog (assets, their faces, groups, decisions, journal) with the
// release's own catalog modules.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

const [oldDist, outDir] = process.argv.slice(2).map((p) => resolve(p));
const fixtures = resolve(import.meta.dirname, '..', 'test', 'fixtures', 'photos');
const root = '/tmp/po-catalog-fixture';
rmSync(root, { recursive: true, force: true });
const lib = join(root, 'lib');
mkdirSync(lib, { recursive: true });
cpSync(join(fixtures, 'bird-nuthatch.jpg'), join(lib, 'bird.jpg'));
await sharp(join(fixtures, 'bird-nuthatch.jpg'))
  .resize({ width: 400 })
  .jpeg({ quality: 80 })
  .withMetadata()
  .toFile(join(lib, 'bird-small.jpg'));
await sharp(join(fixtures, 'bird-nuthatch.jpg')).jpeg({ quality: 60 }).withMetadata().toFile(join(lib, 'bird-q60.jpg'));
cpSync(join(fixtures, 'mountains-ridge.jpg'), join(lib, 'ridge.jpg'));
writeFileSync(join(lib, 'notes.jpg'), 'not a picture\n');
const out = join(root, 'out');
execFileSync(
  process.execPath,
  [join(oldDist, '..', 'bin', 'photo-organizer.js'), '-s', lib, '-o', out, '--face-backend', 'none', '--threads', '1'],
  { stdio: 'inherit' },
);

const { openDatabase } = await import(join(oldDist, 'catalog/database.js'));
const { loadPhotos } = await import(join(oldDist, 'catalog/photos.js'));
const { beginRun, finishRun, latestRun, loadGroups, saveGroups } = await import(join(oldDist, 'catalog/runs.js'));
const { saveDecision, immichScope, LOCAL_SCOPE } = await import(join(oldDist, 'catalog/decisions.js'));
const { syncAssets, saveFingerprints, journalBegin, journalFinish } = await import(join(oldDist, 'catalog/immich.js'));
const { saveFaceAnalyses, ASSET_FACES, PHOTO_FACES } = await import(join(oldDist, 'catalog/faces.js'));

const db = openDatabase(join(out, '.photo-organizer', 'catalog.db'));
const localRun = latestRun(db);
const photos = loadPhotos(db, localRun.id);
const group = loadGroups(db, localRun.id)[0];
const members = group.members.map((m) => m.photoId).sort((a, b) => a - b);
const notBest = group.members.find((m) => !m.isBest).photoId;
saveDecision(db, LOCAL_SCOPE, { kind: 'pick', group: members, photo: notBest }, new Date('2026-11-01T10:00:00Z'));
const face = (x) => ({
  confidence: 0.9,
  box: { x, y: 0.2, width: 0.2, height: 0.3 },
  yaw: 3,
  pitch: -2,
  leftEye: { aspect: 0.31, irisShown: 0.8 },
  rightEye: { aspect: 0.3, irisShown: null },
  happy: 0.7,
  smileShape: 0.4,
  smile: 0.6,
  sharpness: 120,
  descriptor: new Float32Array([0.25, -0.5, 1, 0]),
});
saveFaceAnalyses(
  db,
  [{ photoId: photos[0].id, analysis: { analyzer: 'human-test', width: 800, height: 600, note: null, faces: [face(0.1)] } }],
  PHOTO_FACES,
);

// An Immich run on a server, as release 0.1.0 stores it.
const server = 'http://127.0.0.1:2283/api';
const run = beginRun(db, JSON.stringify({ sourceType: 'immich', immichUrl: server }), new Date('2026-11-02T10:00:00Z'));
const assetIds = ['0c7c6d1e-1f7a-4c59-9a47-8c2a1d0b5e01', '0c7c6d1e-1f7a-4c59-9a47-8c2a1d0b5e02', '0c7c6d1e-1f7a-4c59-9a47-8c2a1d0b5e03'];
const facts = (i) => ({
  fileName: `IMG_000${i}.jpg`,
  originalPath: `/data/library/admin/IMG_000${i}.jpg`,
  mime: 'image/jpeg',
  createdAt: '2024-05-01T10:00:00.000Z',
  modifiedMs: 1714557600000 + i,
  takenAt: { wallClockMs: 1714557600000 + i * 1000, offsetMinutes: 120, source: 'DateTimeOriginal' },
  width: 800,
  height: 600,
  size: 90000 + i,
  isFavorite: false,
  visibility: 'timeline',
  make: 'Canon',
  model: 'EOS',
  lens: null,
  fNumber: 4,
  focalLength: 50,
  iso: 100,
  exposureTime: '1/250',
  gps: null,
  thumbhash: null,
  people: [],
});
const rowIds = syncAssets(
  db,
  server,
  run.id,
  assetIds.map((assetId, i) => ({ assetId, checksum: `c2hhMS0${i}`, facts: facts(i) })),
);
const fp = (p) => ({
  dhash: p.dhash,
  sketch: new Uint8Array(32 * 32).fill(100 + p.id),
  color: new Uint8Array(8 * 8 * 3).fill(50),
  quality: p.quality,
});
saveFingerprints(
  db,
  rowIds.map((id, i) => ({ id, pixels: 'preview', fingerprint: fp(photos[i % photos.length]) })),
);
saveFaceAnalyses(
  db,
  [{ photoId: rowIds[1], analysis: { analyzer: 'human-test', width: 1440, height: 1080, note: null, faces: [face(0.4), face(0.6)] } }],
  ASSET_FACES,
);
saveGroups(db, run.id, [
  { kind: 'burst', person: null, members: rowIds.map((photoId, i) => ({ photoId, score: 1 - i / 10, reason: `r${i}`, isBest: i === 0 })) },
]);
saveDecision(
  db,
  immichScope(server),
  { kind: 'exclude', group: [...rowIds].sort((a, b) => a - b), photo: rowIds[2] },
  new Date('2026-11-02T11:00:00Z'),
);
const t = (s) => new Date(`2026-11-02T10:0${s}:00Z`);
const e1 = journalBegin(db, server, run.id, { op: 'create-tag', target: 'photo-organizer/best', entityId: null, assets: [] }, t(1));
journalFinish(db, e1, 'done', { entityId: 'a1b2c3d4-0000-4000-8000-000000000001' }, t(1));
const e2 = journalBegin(
  db,
  server,
  run.id,
  { op: 'add-tag', target: 'photo-organizer/best', entityId: 'a1b2c3d4-0000-4000-8000-000000000001', assets: [assetIds[0]] },
  t(2),
);
journalFinish(db, e2, 'done', {}, t(2));
journalBegin(db, server, run.id, { op: 'favorite', target: '', entityId: null, assets: [assetIds[0]] }, t(3));
finishRun(db, run.id, new Date('2026-11-02T10:05:00Z'));
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();

mkdirSync(outDir, { recursive: true });
cpSync(join(out, '.photo-organizer', 'catalog.db'), join(outDir, 'release-0.1.0.db'));
const files = ['bird.jpg', 'bird-small.jpg', 'bird-q60.jpg', 'ridge.jpg', 'notes.jpg'].map((name) => {
  const st = statSync(join(lib, name));
  return { path: join(lib, name), size: st.size, mtimeMs: st.mtimeMs };
});
writeFileSync(
  join(outDir, 'release-0.1.0.json'),
  `${JSON.stringify({ files, localDecisionPick: notBest, immich: { server, assetIds, rowIds } }, null, 2)}\n`,
);

import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FsPath } from '../../src/core/types.js';
import { MediaError, type MediaErrorCode } from '../../src/media/contract.js';
import { mediaErrorFromFs } from '../../src/media/file.js';
import { extensionOf, loadPhoto, loadPixels } from '../../src/media/load.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-load-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: FsPath, bytes: Uint8Array | string): Promise<FsPath> {
  const path = typeof name === 'string' ? join(dir, name) : Buffer.concat([Buffer.from(`${dir}/`), name]);
  await writeFile(path, bytes);
  return path;
}

/** Raw RGB pixels: left half black, right half white. */
function halfBlackHalfWhite(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) data.fill(255, (y * width + width / 2) * 3, (y * width + width) * 3);
  return data;
}

/** Luma-ish value (red channel) of one pixel of a 3-channel decode. */
function at(image: { data: Buffer; width: number }, x: number, y: number): number {
  return image.data[(y * image.width + x) * 3]!;
}

async function expectMediaError(promise: Promise<unknown>, code: MediaErrorCode, message: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaError);
  expect((error as MediaError).code).toBe(code);
  if (typeof message === 'string') expect((error as MediaError).message).toBe(message);
  else expect((error as MediaError).message).toMatch(message);
  expect((error as MediaError).message).not.toContain('\n');
}

/** A PNG built by hand: real signature and CRCs, but whatever size the IHDR claims. */
function pngClaiming(width: number, height: number, idat: Buffer): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('loadPhoto', () => {
  it('applies EXIF orientation 6 to both the size and the pixels', async () => {
    const jpeg = await sharp(halfBlackHalfWhite(400, 300), { raw: { width: 400, height: 300, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const { meta, image } = await loadPhoto(await write('rotated.jpg', jpeg), { maxSide: 480 });
    expect(meta).toMatchObject({ format: 'jpeg', width: 300, height: 400, orientation: 6 });
    expect([image.width, image.height]).toEqual([300, 400]);
    // Rotating 90° clockwise brings the black left half to the top.
    expect(at(image, 150, 20)).toBeLessThan(30);
    expect(at(image, 150, 380)).toBeGreaterThan(225);
  });

  it('shrinks a 12 MP JPEG to fit maxSide and reports the original size', async () => {
    const small = await sharp({
      create: { width: 80, height: 60, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
    })
      .png()
      .toBuffer();
    const jpeg = await sharp(small).resize(4000, 3000).jpeg({ quality: 90 }).toBuffer();
    const { meta, image } = await loadPhoto(await write('12mp.jpg', jpeg), { maxSide: 480 });
    expect(meta).toMatchObject({ width: 4000, height: 3000 });
    expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(480);
    expect([image.width, image.height]).toEqual([480, 360]);
    expect(image.data.length).toBe(480 * 360 * 3);
  });

  it('flattens PNG alpha onto white and returns 3 channels', async () => {
    const rgba = Buffer.alloc(20 * 10 * 4);
    for (let i = 0; i < 20 * 10; i++) rgba.writeUInt32BE(i % 20 < 10 ? 0x000000ff : 0x00000000, i * 4); // left opaque black, right transparent
    const png = await sharp(rgba, { raw: { width: 20, height: 10, channels: 4 } })
      .png()
      .toBuffer();
    const { meta, image } = await loadPhoto(await write('alpha.png', png), { maxSide: 480 });
    expect(meta).toMatchObject({ format: 'png', width: 20, height: 10, orientation: 1 });
    expect(image.data.length).toBe(20 * 10 * 3);
    expect(at(image, 2, 5)).toBe(0);
    expect(at(image, 17, 5)).toBe(255);
  });

  it('converts 16-bit greyscale to 8-bit RGB', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .greyscale()
      .png()
      .toColourspace('grey16')
      .toBuffer();
    const { image } = await loadPhoto(await write('grey16.png', png), { maxSide: 480 });
    expect(image.data.length).toBe(8 * 8 * 3);
    expect(Math.abs(at(image, 4, 4) - 128)).toBeLessThanOrEqual(2);
  });

  it.each([
    ['webp', 'webp'],
    ['tiff', 'tif'],
    ['avif', 'avif'],
  ] as const)('decodes %s', async (kind, extension) => {
    const encoded = await sharp(halfBlackHalfWhite(64, 48), { raw: { width: 64, height: 48, channels: 3 } })
      .toFormat(kind, { quality: 90 })
      .toBuffer();
    const { meta, image } = await loadPhoto(await write(`sample.${extension}`, encoded), { maxSide: 480 });
    expect(meta).toMatchObject({ format: kind === 'avif' ? 'heif' : kind, width: 64, height: 48 });
    expect(at(image, 5, 24)).toBeLessThan(40);
    expect(at(image, 58, 24)).toBeGreaterThan(215);
  });

  it('sniffs the format from the bytes, not the extension', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const { meta } = await loadPhoto(await write('actually-png.jpg', png), { maxSide: 480 });
    expect(meta.format).toBe('png');
  });

  it('refuses a truncated JPEG instead of returning grey garbage', async () => {
    const full = await sharp({
      create: { width: 800, height: 600, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } },
    })
      .jpeg()
      .toBuffer();
    const path = await write('truncated.jpg', full.subarray(0, full.length >> 1));
    await expectMediaError(loadPhoto(path, { maxSide: 480 }), 'truncated', 'truncated or corrupt JPEG data');
  });

  it.each([
    ['png', 'PNG'],
    ['webp', 'WebP'],
    ['tiff', 'TIFF'],
  ] as const)('reports a cut-off %s as truncated', async (format, label) => {
    const full = await sharp({
      create: { width: 300, height: 200, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } },
    })
      .toFormat(format)
      .toBuffer();
    const path = await write(`cut.${format}`, full.subarray(0, full.length >> 1));
    await expectMediaError(loadPhoto(path, { maxSide: 480 }), 'truncated', `truncated or corrupt ${label} data`);
  });

  it('reports an empty file', async () => {
    await expectMediaError(loadPhoto(await write('empty.jpg', ''), { maxSide: 480 }), 'empty', 'empty file (0 bytes)');
  });

  it('reports a text file named .jpg as not an image', async () => {
    const path = await write('notes.jpg', 'These are my holiday notes.\nDay 1: arrived.\n');
    await expectMediaError(loadPhoto(path, { maxSide: 480 }), 'not-image', 'not an image (looks like text)');
  });

  it('reports binary junk as an unknown format', async () => {
    const junk = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37 + 11) % 256));
    await expectMediaError(loadPhoto(await write('junk.jpg', junk), { maxSide: 480 }), 'not-image', 'not an image (unknown format)');
  });

  it('reports GIF as unsupported', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#00ff00' } })
      .gif()
      .toBuffer();
    await expectMediaError(loadPhoto(await write('anim.gif', gif), { maxSide: 480 }), 'unsupported', 'GIF images are not supported');
  });

  it('refuses a decompression bomb from its header, before decoding any pixel', async () => {
    const bomb = pngClaiming(60000, 60000, deflateSync(Buffer.alloc(60001 * 4)));
    expect(bomb.length).toBeLessThan(2000);
    const path = await write('bomb.png', bomb);
    await expectMediaError(loadPhoto(path, { maxSide: 480 }), 'too-large', 'image too large: 60000×60000 px (over the 268 MP limit)');
    // The same header over pixel data that is not even deflate: a loader that started decoding
    // would report a broken file; judging from the header alone, it still says "too large".
    const notPixels = Buffer.from('these bytes are not a deflate stream');
    const bombWithoutPixels = await write('bomb-no-pixels.png', pngClaiming(60000, 60000, notPixels));
    await expectMediaError(
      loadPhoto(bombWithoutPixels, { maxSide: 480 }),
      'too-large',
      'image too large: 60000×60000 px (over the 268 MP limit)',
    );
    // The control: at a size that is decoded, those bytes are reported as broken.
    const small = await write('small-no-pixels.png', pngClaiming(64, 64, notPixels));
    await expect(loadPhoto(small, { maxSide: 480 })).rejects.toSatisfy((e) => e instanceof MediaError && e.code !== 'too-large');
  });

  it('reports a directory as unreadable', async () => {
    await expectMediaError(loadPhoto(dir, { maxSide: 480 }), 'unreadable', 'is a directory, not a file');
  });

  it('reports a missing file as unreadable', async () => {
    await expectMediaError(loadPhoto(join(dir, 'missing.jpg'), { maxSide: 480 }), 'unreadable', 'file not found');
  });

  // Root ignores file modes, so a real EACCES can only be provoked as another user.
  it.skipIf(process.getuid?.() === 0)('reports a file without read permission', async () => {
    const path = await write('locked.jpg', 'x');
    await chmod(path, 0o000);
    await expectMediaError(loadPhoto(path, { maxSide: 480 }), 'unreadable', 'permission denied');
  });

  it('maps errno codes to human reasons', () => {
    const errno = (code: string): Error => Object.assign(new Error(`${code}: something, open '/x'`), { code });
    expect(mediaErrorFromFs(errno('EACCES'))).toMatchObject({ code: 'unreadable', message: 'permission denied' });
    expect(mediaErrorFromFs(errno('EIO'))).toMatchObject({ code: 'unreadable', message: 'input/output error' });
    expect(mediaErrorFromFs(errno('EWEIRD'))).toMatchObject({ code: 'unreadable', message: 'cannot read file: something (EWEIRD)' });
    expect(mediaErrorFromFs(errno('ERR_FS_FILE_TOO_LARGE'))).toMatchObject({ code: 'too-large' });
  });

  it('reads a file whose name is not valid UTF-8', async () => {
    const jpeg = await sharp({ create: { width: 10, height: 6, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const path = await write(Buffer.concat([Buffer.from('caf'), Buffer.from([0xff]), Buffer.from('.jpg')]), jpeg);
    expect(Buffer.isBuffer(path)).toBe(true);
    const { meta } = await loadPhoto(path, { maxSide: 480 });
    expect(meta).toMatchObject({ format: 'jpeg', width: 10, height: 6 });
  });

  it('does not enlarge small images', async () => {
    const jpeg = await sharp({ create: { width: 100, height: 50, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const { image } = await loadPhoto(await write('small.jpg', jpeg), { maxSide: 480 });
    expect([image.width, image.height]).toEqual([100, 50]);
  });

  it('rejects a maxSide that is not a positive integer', async () => {
    await expect(loadPhoto(join(dir, 'x.jpg'), { maxSide: 0 })).rejects.toThrow(
      'Expected an integer between 1 and 16384 for maxSide but received 0',
    );
  });
});

describe('loadPixels', () => {
  it('decodes at the requested size for later stages', async () => {
    const jpeg = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const image = await loadPixels(await write('analysis.jpg', jpeg), { maxSide: 1024 });
    expect([image.width, image.height]).toEqual([1024, 512]);
  });
});

describe('extensionOf', () => {
  it('lower-cases the extension of string and byte paths', () => {
    expect(extensionOf('/a/b/IMG_0001.CR2')).toBe('cr2');
    expect(extensionOf(Buffer.from('/a/\xff/x.NEF', 'latin1'))).toBe('nef');
    expect(extensionOf('/a.b/noext')).toBe('');
    expect(extensionOf('/a/.hidden')).toBe('');
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { isUngreedyError } from '@ungreedy/core';
import { decodePng, encodePng, resizeRgb, type RgbImage } from './image-io.js';

function image(width: number, height: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = f(x, y, c);
  return { width, height, data };
}

test('encodePng and decodePng round-trip RGB exactly', () => {
  const img = image(5, 3, (x, y, c) => (x * 40 + y * 7 + c * 60) % 256);
  assert.deepEqual(decodePng(encodePng(img), 'a.png'), img);
});

test('decodePng composites RGBA on black and reads grey PNGs as RGB', () => {
  const png = new PNG({ width: 3, height: 1 });
  png.data = Buffer.from([10, 20, 30, 255, 200, 200, 200, 0, 200, 100, 50, 128]);
  const rgba = decodePng(PNG.sync.write(png), 'rgba.png');
  assert.deepEqual([...rgba.data], [10, 20, 30, 0, 0, 0, 100, 50, 25]);
  const g = new PNG({ width: 1, height: 1, colorType: 0 });
  g.data = Buffer.from([77, 77, 77, 255]);
  assert.deepEqual([...decodePng(PNG.sync.write(g, { colorType: 0 }), 'g.png').data], [77, 77, 77]);
});

test('a truncated or non-PNG file is bad input (UNG_ERR_DATASET_CORRUPT) naming the file and what is wrong', () => {
  const bytes = encodePng(image(4, 4, () => 9));
  for (const [bad, reason] of [[bytes.subarray(0, 30), 'png-truncated'], [bytes.subarray(0, bytes.length - 20), 'png-truncated'], [Buffer.from('not a png at all'), 'png-signature']] as const) {
    assert.throws(
      () => decodePng(bad, 'x/broken.png'),
      (err: unknown) => isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT') && err.data['file'] === 'x/broken.png' && err.data['reason'] === reason,
      reason,
    );
  }
});

test('resizeRgb: area averaging when shrinking, bilinear when enlarging', () => {
  const src = image(4, 4, (x, y) => (x < 2 ? 0 : 200) + (y < 2 ? 0 : 40));
  assert.deepEqual([...resizeRgb(src, 2).data], [0, 0, 0, 200, 200, 200, 40, 40, 40, 240, 240, 240]);
  // 3 -> 2: each output pixel covers 1.5 source pixels.
  const row = image(3, 3, (x) => [0, 90, 180][x]!);
  assert.deepEqual([...resizeRgb(row, 2).data].filter((_, i) => i % 3 === 0), [30, 150, 30, 150]);
  const flat = image(2, 2, () => 123);
  assert.ok(resizeRgb(flat, 7).data.every((v) => v === 123));
  const ramp = image(2, 1, (x) => x * 100);
  const up = resizeRgb({ ...ramp, height: 1 }, 4);
  assert.deepEqual([...up.data].slice(0, 12).filter((_, i) => i % 3 === 0), [0, 25, 75, 100]);
});

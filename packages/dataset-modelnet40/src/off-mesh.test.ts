import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '@ungreedy/core';
import { formatOff, parseOff } from './off-mesh.js';

const SQUARE = ['4 1 0', '0 0 0', '1 0 0', '1 1 0', '0 1 0', '4 0 1 2 3'];

function corrupt(text: string): Record<string, unknown> {
  try {
    parseOff(text, 'bad.off');
  } catch (err) {
    assert.ok(isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT'), String(err));
    return { ...err.data };
  }
  assert.fail('parseOff should have thrown');
}

test('parses a plain OFF file and fan-triangulates a quad', () => {
  const mesh = parseOff(['OFF', ...SQUARE].join('\n'), 'sq.off');
  assert.deepEqual([...mesh.positions], [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]);
  assert.deepEqual([...mesh.triangles], [0, 1, 2, 0, 2, 3]);
});

test('parses the real-file quirk with OFF glued to the counts (OFF4 1 0)', () => {
  const glued = parseOff(['OFF' + SQUARE[0], ...SQUARE.slice(1)].join('\n'), 'quirk.off');
  const plain = parseOff(['OFF', ...SQUARE].join('\n'), 'sq.off');
  assert.deepEqual(glued, plain);
});

test('parses the counts on the header line, CRLF line ends, comments and blank lines', () => {
  const text = ['# made by hand', 'OFF 4 1 0', '', '0 0 0 # origin', '1 0 0', '1 1 0', '0 1 0', '4 0 1 2 3 255 0 0'].join('\r\n');
  assert.equal(parseOff(text, 'c.off').triangles.length, 6);
});

test('rejects a missing header, bad counts, short vertices, bad face indices and truncation with reasons', () => {
  assert.deepEqual(corrupt('PLY\n4 1 0\n'), { file: 'bad.off', reason: 'off-header', line: 1 });
  assert.deepEqual(corrupt(''), { file: 'bad.off', reason: 'off-header', line: 1 });
  assert.deepEqual(corrupt('OFF\nfour 1 0\n'), { file: 'bad.off', reason: 'off-counts', line: 2 });
  assert.deepEqual(corrupt('OFF\n4 1 0\n0 0 0\n1 0\n'), { file: 'bad.off', reason: 'off-vertex', line: 4 });
  assert.deepEqual(corrupt(['OFF', '4 1 0', '0 0 0', '1 0 0', '1 1 0', '0 1 0', '3 0 1 9'].join('\n')), {
    file: 'bad.off',
    reason: 'off-face',
    line: 7,
  });
  assert.deepEqual(corrupt(['OFF', '4 1 0', '0 0 0', '1 0 0', '1 1 0', '0 1 0', '2 0 1'].join('\n')), {
    file: 'bad.off',
    reason: 'off-face',
    line: 7,
  });
  assert.equal(corrupt(['OFF', '4 2 0', '0 0 0', '1 0 0', '1 1 0', '0 1 0', '3 0 1 2'].join('\n'))['reason'], 'off-truncated');
});

test('formatOff writes what parseOff reads back', () => {
  const text = formatOff({ positions: [0, 0, 0, 1, 0, 0, 0.5, 1, -0.25], polygons: [[0, 1, 2]] });
  const mesh = parseOff(text, 'round.off');
  assert.deepEqual([...mesh.positions], [0, 0, 0, 1, 0, 0, 0.5, 1, -0.25]);
  assert.deepEqual([...mesh.triangles], [0, 1, 2]);
});

test('a mesh without faces, and fewer vertices than the header says, are errors that blame the right part', () => {
  assert.throws(() => parseOff('OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n', 'm.off'), (err: unknown) =>
    isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT') && err.data['reason'] === 'off-no-faces' && err.data['line'] === 2);
  // Header: 4 vertices, 2 faces; only 3 vertex lines follow, so the first face is read as a vertex.
  const short = 'OFF\n4 2 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n3 0 2 1\n';
  assert.throws(() => parseOff(short, 's.off'), (err: unknown) =>
    isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT') && err.data['reason'] === 'off-vertex-count' && err.data['line'] === 6);
  // Genuinely missing faces still blame the faces.
  assert.throws(() => parseOff('OFF\n3 2 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n', 't.off'), (err: unknown) =>
    isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT') && err.data['reason'] === 'off-truncated');
});

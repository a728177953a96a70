import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UngreedyError } from '@ungreedy/core';

/** The three sensors of the official lists; each is a video `<clip folder>/<sensor>.avi`. */
export const SENSORS = ['sk_color', 'sk_depth', 'duo_left'] as const;
export type Sensor = (typeof SENSORS)[number];

/** Sensor token prefixes as the official lists write them (`depth:sk_depth:223:303`). */
const TOKEN_PREFIX: Readonly<Record<string, Sensor>> = { color: 'sk_color', depth: 'sk_depth', duo_left: 'duo_left' };

/** One sensor's video and the gesture's frame range [start, end) in it. */
export interface SensorRange {
  /** Video file name without `.avi`, as the list gives it (`sk_color`). */
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** One line of a list file. */
export interface ListEntry {
  /** Clip folder relative to the dataset root, without the leading `./` (`Video_data/class_01/subject1_r0`). */
  readonly path: string;
  /** 0-based class id (the file's label minus one). */
  readonly label: number;
  readonly sensors: Readonly<Partial<Record<Sensor, SensorRange>>>;
  /** 1-based line number in the list file, for messages. */
  readonly line: number;
}

/** The list files of one variant of the official release. */
export interface ListFiles {
  readonly train: string;
  readonly test: string;
  readonly variant: 'v2' | 'v1';
}

export const LIST_NAMES = {
  v2: { train: 'nvgesture_train_correct_cvpr2016_v2.lst', test: 'nvgesture_test_correct_cvpr2016_v2.lst' },
  v1: { train: 'nvgesture_train_correct_cvpr2016.lst', test: 'nvgesture_test_correct_cvpr2016.lst' },
} as const;

/**
 * Finds the list files under `root`: the `_v2` lists when present (the corrected release), else the older
 * names; `variant` forces one. Throws UNG_ERR_DATASET_MISSING naming every file looked for.
 */
export function findListFiles(root: string, variant: 'auto' | 'v2' | 'v1' = 'auto'): ListFiles {
  const tried: string[] = [];
  for (const v of variant === 'auto' ? (['v2', 'v1'] as const) : [variant]) {
    const train = join(root, LIST_NAMES[v].train);
    const test = join(root, LIST_NAMES[v].test);
    tried.push(train, test);
    if (existsSync(train) && existsSync(test)) return { train, test, variant: v };
  }
  throw new UngreedyError(
    'UNG_ERR_DATASET_MISSING',
    `NVGesture root "${root}" should hold the train and test list files, but got none of ${tried.join(', ')}. ` +
      'Fix: point `root` at the folder with the .lst files and Video_data/.',
    { root, tried },
  );
}

/**
 * Parses the text of a list file. Each non-empty line holds space-separated tokens: `path:<folder>`,
 * sensor tokens `<color|depth|duo_left>:<file>:<start>:<end>` and `label:<1..>`. Unknown `key:value`
 * tokens are ignored (later releases may add some); anything else is an error naming file and line.
 */
export function parseList(text: string, file: string, numClasses: number): ListEntry[] {
  const entries: ListEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const line = i + 1;
    const bad = (expectation: string, got: string): UngreedyError =>
      new UngreedyError(
        'UNG_ERR_DATASET_CORRUPT',
        `${file}:${line} should ${expectation}, but got "${got}". Fix: repair or regenerate the list file.`,
        { file, line, text: raw },
      );
    let path: string | undefined;
    let label: number | undefined;
    const sensors: Partial<Record<Sensor, SensorRange>> = {};
    for (const token of raw.split(/\s+/)) {
      const colon = token.indexOf(':');
      if (colon <= 0) throw bad('be `key:value` tokens', token);
      const key = token.slice(0, colon);
      const value = token.slice(colon + 1);
      if (key === 'path') {
        path = value.replace(/^\.\//, '').replace(/\/+$/, '');
        if (path === '') throw bad('give a clip folder in `path:`', token);
      } else if (key === 'label') {
        if (!/^\d+$/.test(value)) throw bad(`give a label in 1..${numClasses}`, token);
        const oneBased = Number(value);
        if (oneBased < 1 || oneBased > numClasses) throw bad(`give a label in 1..${numClasses}`, token);
        label = oneBased - 1;
      } else if (key in TOKEN_PREFIX) {
        const parts = value.split(':');
        const [name, s, e] = parts;
        if (parts.length !== 3 || !name || !/^\d+$/.test(s ?? '') || !/^\d+$/.test(e ?? '')) {
          throw bad('give sensor tokens as `<sensor>:<file>:<start>:<end>`', token);
        }
        const start = Number(s);
        const end = Number(e);
        if (end <= start) throw bad('give a frame range with start < end', token);
        sensors[TOKEN_PREFIX[key]!] = { file: name, start, end };
      }
    }
    if (path === undefined) throw bad('contain a `path:` token', raw);
    if (label === undefined) throw bad('contain a `label:` token', raw);
    entries.push({ path, label, sensors, line });
  }
  return entries;
}

/** Reads and parses a list file. */
export async function readList(file: string, numClasses: number): Promise<ListEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_MISSING',
      `list file "${file}" should be readable, but it is not. Fix: check the dataset root.`,
      { file },
      { cause: e },
    );
  }
  return parseList(text, file, numClasses);
}

/** Formats one entry as the official lists do (used by the generator). */
export function formatListLine(entry: Omit<ListEntry, 'line'>): string {
  const tokens = [`path:./${entry.path}`];
  const names: Record<Sensor, string> = { sk_depth: 'depth', sk_color: 'color', duo_left: 'duo_left' };
  for (const sensor of ['sk_depth', 'sk_color', 'duo_left'] as const) {
    const r = entry.sensors[sensor];
    if (r) tokens.push(`${names[sensor]}:${r.file}:${r.start}:${r.end}`);
  }
  tokens.push(`label:${entry.label + 1}`);
  return tokens.join(' ');
}

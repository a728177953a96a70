import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UngreedyError } from '@ungreedy/core';
import { MODELNET40_CLASSES } from './class-names.js';

export type SourceSplit = 'train' | 'test';
export const SOURCE_SPLITS: readonly SourceSplit[] = ['train', 'test'];

/** How class folders become labels: the official 40 (label = position in that list) or the folders found, sorted. */
export type ClassMode = 'modelnet40' | 'from-folders';

/** One object of the source data: `<class>/<split>/<stem>.*`. */
export interface SourceObject {
  readonly className: string;
  readonly label: number;
  readonly split: SourceSplit;
  /** `<class>_<NNNN>`, the file name up to `.obj.` (renders) or `.off` (meshes). */
  readonly stem: string;
}

/** The class list and the objects of each source split, class-major, then by stem. */
export interface SourceListing {
  readonly classNames: readonly string[];
  readonly objects: Readonly<Record<SourceSplit, readonly SourceObject[]>>;
}

/** `<root>/<class>/<split>/<stem>.obj.shaded_v<VVV>.png` for 0-based `view` (view 0 is v001). */
export function renderFile(root: string, obj: Pick<SourceObject, 'className' | 'split' | 'stem'>, view: number): string {
  return join(root, obj.className, obj.split, `${obj.stem}.obj.shaded_v${String(view + 1).padStart(3, '0')}.png`);
}

/** `<root>/<class>/<split>/<stem>.off`. */
export function meshFile(root: string, obj: Pick<SourceObject, 'className' | 'split' | 'stem'>): string {
  return join(root, obj.className, obj.split, `${obj.stem}.off`);
}

/**
 * Lists a ModelNet-style tree. `kind: 'mvcnn'` finds objects by their PNG renders (stem = name up to
 * `.obj.`, de-duplicated over views, like the reference); `kind: 'off'` by their `.off` meshes. Files that
 * match neither pattern, hidden entries and non-folders at the top level are ignored.
 *
 * Throws `UNG_ERR_DATASET_MISSING` (`reason: 'missing-root'`) when `root` is not a folder, and
 * `UNG_ERR_DATASET_CORRUPT` (`reason: 'unknown-class'`) for a class folder outside the official 40 when
 * `classes` is `modelnet40`, and `UNG_ERR_DATASET_MISSING` (`reason: 'missing-split'`) for a class folder
 * without its `train/` or `test/` folder (an empty one is fine).
 */
export async function scanLayout(root: string, kind: 'mvcnn' | 'off', classes: ClassMode): Promise<SourceListing> {
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_MISSING',
      `ModelNet40 root ${root} should be a folder of class folders, but it does not exist. Fix: set dataset.options.root, or create it with 'ungreedy datasets make modelnet40-mini'.`,
      { file: root, reason: 'missing-root' },
    );
  }
  const folders: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) folders.push(entry.name);
  }
  folders.sort();
  let classNames: readonly string[];
  if (classes === 'modelnet40') {
    const official = new Set<string>(MODELNET40_CLASSES);
    for (const name of folders) {
      if (!official.has(name)) {
        throw new UngreedyError(
          'UNG_ERR_DATASET_CORRUPT',
          `class folder ${join(root, name)} should be one of the 40 ModelNet40 classes, but got "${name}". Fix: remove the folder, or set classes: 'from-folders'.`,
          { file: join(root, name), reason: 'unknown-class', className: name },
        );
      }
    }
    classNames = MODELNET40_CLASSES;
  } else {
    classNames = folders;
  }
  const present = new Set(folders);
  const objects: Record<SourceSplit, SourceObject[]> = { train: [], test: [] };
  for (const [label, className] of classNames.entries()) {
    if (!present.has(className)) continue;
    for (const split of SOURCE_SPLITS) {
      const dir = join(root, className, split);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        // A class without one of its splits would shrink that split silently (docs/modelnet40.md).
        const code = (err as NodeJS.ErrnoException).code;
        throw new UngreedyError(
          'UNG_ERR_DATASET_MISSING',
          `class folder ${join(root, className)} should hold a ${split}/ folder, but ${code === 'ENOENT' ? 'it has none' : `it cannot be read (${code})`}. ` +
            `Fix: add ${split}/ (it may be empty), or remove the class folder.`,
          { file: dir, reason: 'missing-split', className, split },
          { cause: err },
        );
      }
      const stems = new Set<string>();
      for (const name of names) {
        if (name.startsWith('.')) continue;
        if (kind === 'mvcnn') {
          const at = name.indexOf('.obj.');
          if (at > 0 && name.endsWith('.png')) stems.add(name.slice(0, at));
        } else if (name.endsWith('.off')) {
          stems.add(name.slice(0, -4));
        }
      }
      for (const stem of [...stems].sort()) objects[split].push({ className, label, split, stem });
    }
  }
  return { classNames, objects };
}

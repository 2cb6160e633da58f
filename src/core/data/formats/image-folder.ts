/**
 * torchvision ImageFolder layout: `dir/<class>/[sub-folders/]<image>.{png,jpg,jpeg}` (extensions
 * case-insensitive, sub-folders searched), classes = the sorted class folder names. Entries whose name starts with a
 * dot (.ipynb_checkpoints, .DS_Store) and files of other types are ignored.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError, Dataset, SingleLabelRecord } from '../records';
import { BadRecords, IMAGE_EXTENSIONS, isDirectory, ReadOptions, sortedUnique } from './reader-support';

function visibleEntries(dir: string): fs.Dirent[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Image files under `dir`, recursively (symlinks followed), in sorted path order. */
function imageFilesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of visibleEntries(dir)) {
    const full = path.join(dir, entry.name);
    const stat = entry.isSymbolicLink() ? fs.statSync(full, { throwIfNoEntry: false }) : entry;
    if (stat?.isDirectory()) files.push(...imageFilesUnder(full));
    else if (stat?.isFile() && IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) files.push(full);
  }
  return files;
}

/**
 * Reads an ImageFolder split. With `classes` (the training split's), record labels index into
 * them and a folder not among them is an error; a training class without a folder here is fine.
 * A class folder with no image is an error (skipped under skipBad; the class stays in `classes`).
 */
export function readImageFolder(dir: string, opts: ReadOptions, classes?: string[]): Dataset<SingleLabelRecord> {
  const root = path.resolve(dir);
  if (!isDirectory(root)) throw new DataError(`${root}: image folder not found`);
  const folders = visibleEntries(root)
    .filter((e) => isDirectory(path.join(root, e.name)))
    .map((e) => e.name);
  if (folders.length === 0) throw new DataError(`${root}: no class folders (expected ${path.basename(root)}/<class>/<image>.png|jpg|jpeg)`);
  const classList = classes ?? sortedUnique(folders);
  const indexOf = new Map(classList.map((c, i) => [c, i]));
  const bad = new BadRecords(opts.skipBad);
  const records: SingleLabelRecord[] = [];
  for (const folder of folders) {
    const classDir = path.join(root, folder);
    const label = indexOf.get(folder);
    if (label === undefined) {
      bad.report(`${classDir}: ${path.basename(root)} class '${folder}' is not among the training classes`);
      continue;
    }
    const files = imageFilesUnder(classDir);
    if (files.length === 0) {
      bad.report(`${classDir}: class folder has no ${IMAGE_EXTENSIONS.join('/')} images`);
      continue;
    }
    for (const file of files) records.push({ file, label });
  }
  return { classes: classList, records, skipped: bad.skipped, source: root };
}

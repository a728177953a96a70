/** Map folder → the folders its non-test files import from (see folder-cycles.mjs). */
export function folderGraph(root: string, depth?: number): Map<string, Set<string>>;
/** Strongly connected components of more than one folder, each sorted. */
export function folderCycles(graph: Map<string, Set<string>>): string[][];

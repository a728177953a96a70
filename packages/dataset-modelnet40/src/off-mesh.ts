import { UngreedyError } from '@ungreedy/core';

/** A triangle mesh: xyz per vertex, three vertex indices per triangle. */
export interface TriMesh {
  readonly positions: Float32Array;
  readonly triangles: Uint32Array;
}

/** A polygon mesh as built by the generator and written to OFF (faces keep their own vertex counts). */
export interface PolyMesh {
  readonly positions: number[];
  readonly polygons: number[][];
}

/**
 * Parses an Object File Format mesh as ModelNet ships it, fan-triangulating polygons.
 *
 * Accepts `#` comments and blank lines, the `OFF` header on its own line or followed by the counts
 * (`OFF 490 518 0`), and the quirk of about 1 % of the real ModelNet40 files where the header is glued to
 * the counts (`OFF490 518 0`). Anything else malformed throws `UNG_ERR_DATASET_CORRUPT` with
 * `data: { file, reason, line }`; `reason` is one of `off-header`, `off-counts`, `off-vertex`, `off-face`,
 * `off-truncated`, `off-no-faces` (a mesh without faces would render all black) and `off-vertex-count` (fewer
 * vertex lines than the header says, so faces were read as vertices: the line named is the first such face).
 */
export function parseOff(text: string, file: string): TriMesh {
  const lines = text.split(/\r?\n/);
  let li = 0;
  const nextLine = (): { tokens: string[]; line: number } | undefined => {
    while (li < lines.length) {
      const raw = lines[li++]!;
      const hash = raw.indexOf('#');
      const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
      if (body.length > 0) return { tokens: body.split(/\s+/), line: li };
    }
    return undefined;
  };
  const fail = (reason: string, line: number, what: string): never => {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `OFF file ${file} line ${line} ${what}. Fix: re-extract or re-download the file, or set onBadSample: 'skip'.`,
      { file, reason, line },
    );
  };

  const first = nextLine();
  if (!first) return fail('off-header', 1, "should start with the header 'OFF', but got an empty file");
  const head = first.tokens[0]!;
  if (!head.startsWith('OFF')) {
    return fail('off-header', first.line, `should start with the header 'OFF', but got '${head.slice(0, 20)}'`);
  }
  let countTokens = first.tokens.slice(1);
  if (head.length > 3) countTokens = [head.slice(3), ...countTokens];
  let countLine = first.line;
  if (countTokens.length === 0) {
    const next = nextLine();
    if (!next) return fail('off-truncated', first.line + 1, 'should hold the vertex and face counts, but the file ended');
    countTokens = next.tokens;
    countLine = next.line;
  }
  const nv = Number(countTokens[0]);
  const nf = Number(countTokens[1]);
  if (countTokens.length < 2 || !Number.isInteger(nv) || !Number.isInteger(nf) || nv < 0 || nf < 0) {
    return fail('off-counts', countLine, `should hold 'vertices faces [edges]' as integers, but got '${countTokens.join(' ')}'`);
  }

  if (nf === 0) {
    return fail('off-no-faces', countLine, 'should hold at least one face, but the header says 0 (a mesh without faces renders all black)');
  }
  const positions = new Float32Array(nv * 3);
  const vertexRows: { tokens: string[]; line: number }[] = [];
  for (let v = 0; v < nv; v++) {
    const row = nextLine();
    if (!row) return fail('off-truncated', lines.length, `should hold ${nv} vertices, but the file ended after ${v}`);
    vertexRows.push(row);
    if (row.tokens.length < 3) return fail('off-vertex', row.line, `should hold a vertex 'x y z', but got '${row.tokens.join(' ')}'`);
    for (let c = 0; c < 3; c++) {
      const x = Number(row.tokens[c]);
      if (!Number.isFinite(x)) return fail('off-vertex', row.line, `should hold a vertex 'x y z', but got '${row.tokens.join(' ')}'`);
      positions[v * 3 + c] = x;
    }
  }

  const tris: number[] = [];
  for (let f = 0; f < nf; f++) {
    const row = nextLine();
    if (!row) {
      // Fewer vertex lines than the header says make the first faces read as vertices: blame the vertices then.
      const faceLike = vertexRows.findIndex(looksLikeFace);
      if (faceLike >= 0) {
        return fail('off-vertex-count', vertexRows[faceLike]!.line, `should hold ${nv} vertices as the header says, but the vertex list ends after ${faceLike} (this line is a face)`);
      }
      return fail('off-truncated', lines.length, `should hold ${nf} faces, but the file ended after ${f}`);
    }
    const k = Number(row.tokens[0]);
    if (!Number.isInteger(k) || k < 3 || row.tokens.length < k + 1) {
      return fail('off-face', row.line, `should hold a face 'n i1 .. in' with n >= 3, but got '${row.tokens.join(' ')}'`);
    }
    const idx: number[] = [];
    for (let j = 1; j <= k; j++) {
      const i = Number(row.tokens[j]);
      if (!Number.isInteger(i) || i < 0 || i >= nv) {
        return fail('off-face', row.line, `should index vertices 0..${nv - 1}, but got '${row.tokens[j]}'`);
      }
      idx.push(i);
    }
    for (let j = 1; j + 1 < k; j++) tris.push(idx[0]!, idx[j]!, idx[j + 1]!);
  }
  return { positions, triangles: Uint32Array.from(tris) };
}

/** A face line `n i1 .. in`: n >= 3 integers after a count that matches them. */
function looksLikeFace(row: { tokens: string[] }): boolean {
  const n = Number(row.tokens[0]);
  return Number.isInteger(n) && n >= 3 && row.tokens.length === n + 1 && row.tokens.every((t) => /^\d+$/.test(t));
}

/** Writes a polygon mesh as OFF text (header on its own line, 6 decimals). */
export function formatOff(mesh: PolyMesh): string {
  const out: string[] = ['OFF', `${mesh.positions.length / 3} ${mesh.polygons.length} 0`];
  for (let i = 0; i < mesh.positions.length; i += 3) {
    out.push(`${fmt(mesh.positions[i]!)} ${fmt(mesh.positions[i + 1]!)} ${fmt(mesh.positions[i + 2]!)}`);
  }
  for (const p of mesh.polygons) out.push(`${p.length} ${p.join(' ')}`);
  return out.join('\n') + '\n';
}

function fmt(x: number): string {
  const s = x.toFixed(6);
  return s === '-0.000000' ? '0.000000' : s;
}

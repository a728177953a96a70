import type { TriMesh } from './off-mesh.js';

/** Options of {@link renderViews}. */
export interface RenderOptions {
  /** Output width and height in pixels. */
  readonly size: number;
  /** Which of the cameras to render, 0-based (view v001 is 0). Default: all of them. */
  readonly views?: readonly number[];
  /** Cameras around the up axis, evenly spaced (MVCNN: 12, i.e. 30° apart). */
  readonly numViews?: number;
  /** Camera elevation above the horizontal plane, in degrees (MVCNN: 30). */
  readonly elevationDeg?: number;
  /** The mesh's up axis. ModelNet's OFF files are z-up. */
  readonly upAxis?: 'y' | 'z';
  /** Render at `size · supersample` and box-filter down, for anti-aliased edges. */
  readonly supersample?: number;
  /**
   * Background intensity in [0, 1]. Default 0: the "new 12x" MVCNN renders (Su et al., "A Deeper Look at 3D
   * Shape Classifiers", 2018) are shaded grey objects on black; 1 gives the original MVCNN's white.
   */
  readonly background?: number;
}

const CAMERA_DISTANCE = 3;
/** tan of the half field of view that makes the unit sphere just fit at CAMERA_DISTANCE. */
const TAN_HALF_FOV = Math.tan(Math.asin(1 / CAMERA_DISTANCE));
/** Fraction of the frame the unit sphere spans, leaving a background border as the MVCNN renders do. */
const MARGIN = 0.9;

/**
 * Renders MVCNN-style shaded views of a mesh with a software z-buffer rasteriser.
 *
 * The object is centred on its bounding-box centre and scaled so its farthest vertex lies on the unit
 * sphere, which the perspective camera frames exactly, so every view fits. Camera k sits at azimuth
 * 30°·k (for 12 views) around the up axis, elevated 30°, looking at the centre. Shading is flat per face,
 * two-sided (ModelNet's windings are inconsistent): ambient + Lambert + a Blinn-Phong highlight from a
 * light just above the camera, grey on a black background, as in the MVCNN "new 12x" shaded renders.
 *
 * @returns one RGB image per requested view, `size × size × 3` bytes, row-major.
 * @example
 * const [front, rear] = renderViews(parseOff(text, file), { size: 224, views: [0, 6] });
 */
export function renderViews(mesh: TriMesh, options: RenderOptions): Uint8Array[] {
  const numViews = options.numViews ?? 12;
  const views = options.views ?? Array.from({ length: numViews }, (_, i) => i);
  const ss = Math.max(1, Math.round(options.supersample ?? 2));
  const elevation = ((options.elevationDeg ?? 30) * Math.PI) / 180;
  const world = normalizeToUnitSphere(mesh.positions, options.upAxis ?? 'z');
  const normals = faceNormals(world, mesh.triangles);
  return views.map((v) => {
    const azimuth = (2 * Math.PI * v) / numViews;
    const shade = rasterize(world, mesh.triangles, normals, azimuth, elevation, options.size * ss, options.background ?? 0);
    return toRgb(downsample(shade, options.size * ss, ss));
  });
}

/** Centres on the bounding-box centre, scales the farthest vertex to radius 1, and makes z the up axis. */
function normalizeToUnitSphere(positions: Float32Array, up: 'y' | 'z'): Float64Array {
  const n = positions.length / 3;
  const out = new Float64Array(positions.length);
  if (n === 0) return out;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const x = positions[i * 3 + c]!;
      if (x < lo[c]!) lo[c] = x;
      if (x > hi[c]!) hi[c] = x;
    }
  }
  const centre = [0, 1, 2].map((c) => (lo[c]! + hi[c]!) / 2);
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let c = 0; c < 3; c++) d += (positions[i * 3 + c]! - centre[c]!) ** 2;
    if (d > r2) r2 = d;
  }
  const scale = r2 > 0 ? 1 / Math.sqrt(r2) : 1;
  for (let i = 0; i < n; i++) {
    const x = (positions[i * 3]! - centre[0]!) * scale;
    const y = (positions[i * 3 + 1]! - centre[1]!) * scale;
    const z = (positions[i * 3 + 2]! - centre[2]!) * scale;
    // y-up meshes are turned so their up axis becomes +z (right-handed: y → z, z → -y).
    out[i * 3] = x;
    out[i * 3 + 1] = up === 'z' ? y : -z;
    out[i * 3 + 2] = up === 'z' ? z : y;
  }
  return out;
}

function faceNormals(p: Float64Array, tris: Uint32Array): Float64Array {
  const out = new Float64Array(tris.length);
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t]! * 3, b = tris[t + 1]! * 3, c = tris[t + 2]! * 3;
    const ux = p[b]! - p[a]!, uy = p[b + 1]! - p[a + 1]!, uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!, vy = p[c + 1]! - p[a + 1]!, vz = p[c + 2]! - p[a + 2]!;
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const len = Math.hypot(nx, ny, nz) || 1;
    out[t] = nx / len;
    out[t + 1] = ny / len;
    out[t + 2] = nz / len;
  }
  return out;
}

function rasterize(
  p: Float64Array,
  tris: Uint32Array,
  normals: Float64Array,
  azimuth: number,
  elevation: number,
  size: number,
  background: number,
): Float32Array {
  // Camera on a sphere of radius CAMERA_DISTANCE; azimuth 0 looks along +y from -y.
  const ce = Math.cos(elevation), se = Math.sin(elevation);
  const cam = [CAMERA_DISTANCE * ce * Math.sin(azimuth), -CAMERA_DISTANCE * ce * Math.cos(azimuth), CAMERA_DISTANCE * se];
  const f = [-cam[0]! / CAMERA_DISTANCE, -cam[1]! / CAMERA_DISTANCE, -cam[2]! / CAMERA_DISTANCE];
  // right = f × up(0,0,1), normalised; u = right × f.
  const rl = Math.hypot(f[1]!, f[0]!);
  const r = [f[1]! / rl, -f[0]! / rl, 0];
  const u = [r[1]! * f[2]! - r[2]! * f[1]!, r[2]! * f[0]! - r[0]! * f[2]!, r[0]! * f[1]! - r[1]! * f[0]!];
  // Light: from the camera, tilted up a little so tops and sides differ.
  const lRaw = [-f[0]! + 0.3 * u[0]!, -f[1]! + 0.3 * u[1]!, -f[2]! + 0.3 * u[2]!];
  const ll = Math.hypot(lRaw[0]!, lRaw[1]!, lRaw[2]!);
  const light = lRaw.map((x) => x / ll);
  const half = [(light[0]! - f[0]!) / 2, (light[1]! - f[1]!) / 2, (light[2]! - f[2]!) / 2];
  const hl = Math.hypot(half[0]!, half[1]!, half[2]!);

  const n = p.length / 3;
  const sx = new Float64Array(n), sy = new Float64Array(n), invz = new Float64Array(n);
  const scale = (0.5 * size * MARGIN) / TAN_HALF_FOV;
  for (let i = 0; i < n; i++) {
    const qx = p[i * 3]! - cam[0]!, qy = p[i * 3 + 1]! - cam[1]!, qz = p[i * 3 + 2]! - cam[2]!;
    const xc = qx * r[0]! + qy * r[1]! + qz * r[2]!;
    const yc = qx * u[0]! + qy * u[1]! + qz * u[2]!;
    const zc = qx * f[0]! + qy * f[1]! + qz * f[2]!;
    sx[i] = size / 2 + (xc / zc) * scale;
    sy[i] = size / 2 - (yc / zc) * scale;
    invz[i] = 1 / zc;
  }

  const depth = new Float32Array(size * size); // stores 1/z; larger is nearer, 0 = empty
  const shade = new Float32Array(size * size).fill(background);
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t]!, b = tris[t + 1]!, c = tris[t + 2]!;
    const ax = sx[a]!, ay = sy[a]!, bx = sx[b]!, by = sy[b]!, cx = sx[c]!, cy = sy[c]!;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (Math.abs(area) < 1e-12) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx))), x1 = Math.min(size - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy))), y1 = Math.min(size - 1, Math.ceil(Math.max(ay, by, cy)));
    if (x0 > x1 || y0 > y1) continue;
    const nx = normals[t]!, ny = normals[t + 1]!, nz = normals[t + 2]!;
    const ndl = Math.abs(nx * light[0]! + ny * light[1]! + nz * light[2]!);
    const ndh = Math.abs(nx * half[0]! + ny * half[1]! + nz * half[2]!) / hl;
    const value = Math.min(0.92, 0.12 + 0.68 * ndl + 0.18 * ndh ** 24);
    const za = invz[a]!, zb = invz[b]!, zcv = invz[c]!;
    const inv = 1 / area;
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const w0 = ((bx - px) * (cy - py) - (by - py) * (cx - px)) * inv;
        const w1 = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) * inv;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const z = w0 * za + w1 * zb + w2 * zcv;
        const k = y * size + x;
        if (z > depth[k]!) {
          depth[k] = z;
          shade[k] = value;
        }
      }
    }
  }
  return shade;
}

function downsample(src: Float32Array, size: number, factor: number): Float32Array {
  if (factor === 1) return src;
  const out = size / factor;
  const dst = new Float32Array(out * out);
  const norm = 1 / (factor * factor);
  for (let y = 0; y < out; y++) {
    for (let x = 0; x < out; x++) {
      let s = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * size + x * factor;
        for (let dx = 0; dx < factor; dx++) s += src[row + dx]!;
      }
      dst[y * out + x] = s * norm;
    }
  }
  return dst;
}

function toRgb(shade: Float32Array): Uint8Array {
  const out = new Uint8Array(shade.length * 3);
  for (let i = 0; i < shade.length; i++) {
    const v = Math.round(Math.min(1, Math.max(0, shade[i]!)) * 255);
    out[i * 3] = v;
    out[i * 3 + 1] = v;
    out[i * 3 + 2] = v;
  }
  return out;
}

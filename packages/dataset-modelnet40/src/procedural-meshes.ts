import type { Rng } from '@ungreedy/core';
import type { PolyMesh } from './off-mesh.js';

/** Builds a polygon mesh from primitives; z is up, the object stands on z = 0. */
class MeshBuilder {
  readonly positions: number[] = [];
  readonly polygons: number[][] = [];

  private vertex(x: number, y: number, z: number): number {
    this.positions.push(x, y, z);
    return this.positions.length / 3 - 1;
  }

  /** An axis-aligned box with its bottom face centred at (cx, cy, z0). */
  box(cx: number, cy: number, z0: number, sx: number, sy: number, sz: number): this {
    const v: number[] = [];
    for (const dz of [0, sz]) for (const dy of [-sy / 2, sy / 2]) for (const dx of [-sx / 2, sx / 2]) v.push(this.vertex(cx + dx, cy + dy, z0 + dz));
    const [a, b, c, d, e, f, g, h] = v as [number, number, number, number, number, number, number, number];
    this.polygons.push([a, c, d, b], [e, f, h, g], [a, b, f, e], [c, g, h, d], [a, e, g, c], [b, d, h, f]);
    return this;
  }

  /**
   * A surface of revolution about the vertical axis through (cx, cy): `profile` is [radius, z] from bottom
   * to top; a radius of 0 makes a pole (closed end), anything else an open ring.
   */
  lathe(profile: ReadonlyArray<readonly [number, number]>, segments: number, cx = 0, cy = 0): this {
    const rings: number[][] = profile.map(([r, z]) => {
      if (r === 0) return [this.vertex(cx, cy, z)];
      return Array.from({ length: segments }, (_, k) => {
        const t = (2 * Math.PI * k) / segments;
        return this.vertex(cx + r * Math.cos(t), cy + r * Math.sin(t), z);
      });
    });
    for (let i = 0; i + 1 < rings.length; i++) {
      const lo = rings[i]!, hi = rings[i + 1]!;
      for (let k = 0; k < segments; k++) {
        const k1 = (k + 1) % segments;
        if (lo.length === 1 && hi.length === 1) continue;
        if (lo.length === 1) this.polygons.push([lo[0]!, hi[k1]!, hi[k]!]);
        else if (hi.length === 1) this.polygons.push([lo[k]!, lo[k1]!, hi[0]!]);
        else this.polygons.push([lo[k]!, lo[k1]!, hi[k1]!, hi[k]!]);
      }
    }
    return this;
  }

  /** A torus in the x-z plane (axis along y) centred at (cx, cy, cz): a cup handle. */
  torusXZ(cx: number, cy: number, cz: number, major: number, minor: number, segU = 16, segV = 8): this {
    const idx: number[][] = [];
    for (let i = 0; i < segU; i++) {
      const u = (2 * Math.PI * i) / segU;
      idx.push(
        Array.from({ length: segV }, (_, j) => {
          const v = (2 * Math.PI * j) / segV;
          const rr = major + minor * Math.cos(v);
          return this.vertex(cx + rr * Math.cos(u), cy + minor * Math.sin(v), cz + rr * Math.sin(u));
        }),
      );
    }
    for (let i = 0; i < segU; i++) {
      for (let j = 0; j < segV; j++) {
        const i1 = (i + 1) % segU, j1 = (j + 1) % segV;
        this.polygons.push([idx[i]![j]!, idx[i1]![j]!, idx[i1]![j1]!, idx[i]![j1]!]);
      }
    }
    return this;
  }

  /** A square pyramid with its base centred at (cx, cy, 0). */
  pyramid(cx: number, cy: number, sx: number, sy: number, h: number, apexShift = 0): this {
    const base = [
      this.vertex(cx - sx / 2, cy - sy / 2, 0),
      this.vertex(cx + sx / 2, cy - sy / 2, 0),
      this.vertex(cx + sx / 2, cy + sy / 2, 0),
      this.vertex(cx - sx / 2, cy + sy / 2, 0),
    ];
    const apex = this.vertex(cx + apexShift, cy, h);
    this.polygons.push([base[3]!, base[2]!, base[1]!, base[0]!]);
    for (let k = 0; k < 4; k++) this.polygons.push([base[k]!, base[(k + 1) % 4]!, apex]);
    return this;
  }

  /** Rotates every vertex about the z axis by `angle` radians. */
  rotateZ(angle: number): PolyMesh {
    const c = Math.cos(angle), s = Math.sin(angle);
    const p = this.positions;
    for (let i = 0; i < p.length; i += 3) {
      const x = p[i]!, y = p[i + 1]!;
      p[i] = c * x - s * y;
      p[i + 1] = s * x + c * y;
    }
    return { positions: p, polygons: this.polygons };
  }
}

type ShapeBuilder = (rng: Rng) => MeshBuilder;

const SEG = 20;

/**
 * The generator's shape classes, named after the ModelNet40 classes they resemble (so the generated set
 * also reads with `classes: 'modelnet40'`), in the order `--classes N` takes them. Every object draws its
 * own proportions from `rng`; the caller then turns it about the up axis.
 */
export const SHAPES: ReadonlyArray<readonly [name: string, build: ShapeBuilder]> = [
  ['bottle', (rng) => {
    const r = rng.uniform(0.22, 0.4), h = rng.uniform(1.2, 1.9), body = h * rng.uniform(0.5, 0.7), neck = r * rng.uniform(0.28, 0.45);
    return new MeshBuilder().lathe([[0, 0], [r, 0], [r, body], [neck, body + (h - body) * 0.35], [neck, h], [0, h]], SEG);
  }],
  ['bowl', (rng) => {
    const r = rng.uniform(0.7, 1), depth = rng.uniform(0.3, 0.55), foot = r * rng.uniform(0.3, 0.45);
    const prof: Array<[number, number]> = [[0, 0], [foot, 0], [foot, 0.05]];
    for (let i = 1; i <= 6; i++) {
      const t = (i / 6) * (Math.PI / 2);
      prof.push([foot + (r - foot) * Math.sin(t), 0.05 + depth * (1 - Math.cos(t))]);
    }
    return new MeshBuilder().lathe(prof, SEG);
  }],
  ['cone', (rng) => {
    const r = rng.uniform(0.35, 0.7), h = rng.uniform(0.9, 1.8);
    return new MeshBuilder().lathe([[0, 0], [r, 0], [0, h]], SEG);
  }],
  ['cup', (rng) => {
    const r = rng.uniform(0.3, 0.42), h = rng.uniform(0.7, 1.05);
    return new MeshBuilder()
      .lathe([[0, 0], [r, 0], [r * 1.08, h]], SEG)
      .torusXZ(r * 1.05, 0, h * 0.5, h * rng.uniform(0.22, 0.3), 0.05, 14, 6);
  }],
  ['lamp', (rng) => {
    const base = rng.uniform(0.25, 0.4), pole = rng.uniform(0.9, 1.5), shadeH = rng.uniform(0.3, 0.5), shadeR = rng.uniform(0.3, 0.5);
    return new MeshBuilder()
      .lathe([[0, 0], [base, 0], [base, 0.08], [0, 0.08]], SEG)
      .box(0, 0, 0.08, 0.06, 0.06, pole)
      .lathe([[shadeR, pole - shadeH * 0.3], [shadeR * 0.45, pole - shadeH * 0.3 + shadeH]], SEG);
  }],
  ['plant', (rng) => {
    const pot = rng.uniform(0.22, 0.32), potH = rng.uniform(0.3, 0.45), crown = rng.uniform(0.45, 0.7), stem = rng.uniform(0.2, 0.5);
    const b = new MeshBuilder().lathe([[0, 0], [pot * 0.8, 0], [pot, potH], [0, potH]], SEG).box(0, 0, potH, 0.05, 0.05, stem);
    const cz = potH + stem + crown * 0.85;
    const prof: Array<[number, number]> = [];
    for (let i = 0; i <= 8; i++) {
      const t = (i / 8) * Math.PI;
      prof.push([i === 0 || i === 8 ? 0 : crown * Math.sin(t), cz - crown * 0.85 * Math.cos(t)]);
    }
    return b.lathe(prof, SEG);
  }],
  ['stairs', (rng) => {
    const steps = 3 + rng.int(4), w = rng.uniform(0.6, 1.1), run = rng.uniform(0.18, 0.3), rise = rng.uniform(0.15, 0.3);
    const b = new MeshBuilder();
    for (let k = 0; k < steps; k++) b.box(0, (k - steps / 2) * run, 0, w, run, rise * (k + 1));
    return b;
  }],
  ['stool', (rng) => {
    const seat = rng.uniform(0.35, 0.5), h = rng.uniform(0.6, 1.0), legs = 3 + rng.int(2), leg = 0.06;
    const b = new MeshBuilder().lathe([[0, h], [seat, h], [seat, h + 0.08], [0, h + 0.08]], SEG);
    for (let k = 0; k < legs; k++) {
      const t = (2 * Math.PI * k) / legs;
      b.box(seat * 0.7 * Math.cos(t), seat * 0.7 * Math.sin(t), 0, leg, leg, h);
    }
    return b;
  }],
  ['table', (rng) => {
    const w = rng.uniform(1.2, 2), d = rng.uniform(0.6, 1.1), h = rng.uniform(0.6, 0.9), top = 0.07, leg = 0.08;
    const b = new MeshBuilder().box(0, 0, h, w, d, top);
    for (const sx of [-1, 1]) for (const sy of [-1, 1]) b.box(sx * (w / 2 - leg), sy * (d / 2 - leg), 0, leg, leg, h);
    return b;
  }],
  ['tent', (rng) => {
    const w = rng.uniform(0.9, 1.5), d = rng.uniform(0.9, 1.5), h = rng.uniform(0.6, 1.1);
    return new MeshBuilder().pyramid(0, 0, w, d, h, rng.uniform(-0.15, 0.15) * w);
  }],
  ['xbox', (rng) => {
    const w = rng.uniform(0.25, 0.4), d = rng.uniform(0.9, 1.2), h = rng.uniform(0.9, 1.2);
    return new MeshBuilder().box(0, 0, 0, w, d, h).box(w / 2, d * 0.25, h * 0.7, 0.04, d * 0.3, 0.05);
  }],
  ['flower_pot', (rng) => {
    const r0 = rng.uniform(0.25, 0.35), r1 = r0 * rng.uniform(1.3, 1.6), h = rng.uniform(0.5, 0.8);
    return new MeshBuilder().lathe([[0, 0], [r0, 0], [r1, h], [r1 * 1.12, h], [r1 * 1.12, h + 0.12], [r1 * 0.95, h + 0.12]], SEG);
  }],
];

/** Builds one object of shape class `name`, with proportions and a turn about the up axis drawn from `rng`. */
export function buildShape(name: string, rng: Rng): PolyMesh {
  const entry = SHAPES.find(([n]) => n === name);
  if (!entry) throw new RangeError(`buildShape: unknown shape "${name}"; known: ${SHAPES.map(([n]) => n).join(', ')}.`);
  return entry[1](rng).rotateZ(rng.uniform(0, 2 * Math.PI));
}

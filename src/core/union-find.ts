/**
 * Disjoint sets over item indices 0..n-1. The smaller root always wins a union, so the outcome
 * never depends on the order unions arrive in.
 */
export class UnionFind {
  private readonly parent: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    let c = i;
    while (this.parent[c] !== r) {
      const next = this.parent[c]!;
      this.parent[c] = r;
      c = next;
    }
    return r;
  }

  /** Joins the sets of `a` and `b`; returns the root of the joined set. */
  union(a: number, b: number): number {
    const ra = this.find(a);
    const rb = this.find(b);
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[child] = root;
    return root;
  }
}

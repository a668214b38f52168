import type { Quad, Term } from 'n3'
import { keyOf } from './lifted-shapes.ts'

/** graphs up to this many quads are scanned at each match rather than indexed */
const SCAN_QUADS = 64

/**
 * An RDF/JS DatasetCore for the dozen quads of one credential's subjects: building N3.Store's
 * indexes for every credential costs more than scanning them. A larger graph is indexed by
 * subject (and by subject and predicate) on the first match that names one, so that its cost
 * grows with its size, not with its square (shacl-engine matches each value node of a property
 * in turn: 20,000 keywords were 4·10⁸ quad comparisons). Read-only: validation never changes the
 * data graph.
 */
export class SmallDataset {
  readonly quads: readonly Quad[]
  /** the quads by subject, and by subject and predicate */
  private bySubject?: Map<string, Quad[]>

  constructor (quads: readonly Quad[]) {
    this.quads = quads
  }

  get size (): number {
    return this.quads.length
  }

  match (subject?: Term | null, predicate?: Term | null, object?: Term | null, graph?: Term | null): SmallDataset {
    let candidates = this.quads
    if (subject != null && this.quads.length > SCAN_QUADS) {
      if (this.bySubject == null) {
        this.bySubject = new Map()
        for (const quad of this.quads) {
          for (const key of [keyOf(quad.subject), `${keyOf(quad.subject)}\u0000${quad.predicate.value}`]) {
            const list = this.bySubject.get(key)
            if (list == null) this.bySubject.set(key, [quad])
            else list.push(quad)
          }
        }
      }
      candidates = this.bySubject.get(predicate != null ? `${keyOf(subject)}\u0000${predicate.value}` : keyOf(subject)) ?? []
    }
    return new SmallDataset(candidates.filter(q =>
      (subject == null || q.subject.equals(subject)) &&
      (predicate == null || q.predicate.equals(predicate)) &&
      (object == null || q.object.equals(object)) &&
      (graph == null || q.graph.equals(graph))))
  }

  has (quad: Quad): boolean {
    return this.quads.some(q => q.equals(quad))
  }

  add (): this {
    throw new TypeError('a credential\'s graph is read-only during validation')
  }

  delete (): this {
    throw new TypeError('a credential\'s graph is read-only during validation')
  }

  [Symbol.iterator] (): Iterator<Quad> {
    return this.quads[Symbol.iterator]()
  }
}

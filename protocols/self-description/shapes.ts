/**
 * Shape checks of the Loire development vocabulary's core types (DESIGN.md, "vocabulary"):
 * required properties and the kind of their values. Gaia-X publishes no SHACL shapes for that
 * vocabulary with the 2511 release, so these few rules are written here; the 2511 types are
 * checked against the official shapes (gaia-x-shapes.ts). They run over the credential's own
 * subjects only, so every node decides alike; a reference to another entity is checked when that
 * entity is submitted.
 */
import { GX_DEVELOPMENT } from '../constants.ts'
import { ShapeViolationError, type ShapeViolation } from './errors.ts'
import { expandTerm, type TermMap } from './vocabulary.ts'

type ValueKind = 'reference' | 'literal' | 'boolean' | { object: string[] }

interface Shape {
  /** property local name → allowed kinds of value */
  required: Record<string, ValueKind[]>
}

const reference: ValueKind = 'reference'
const literal: ValueKind = 'literal'
const address = (code: string): ValueKind => ({ object: [code] })

const SHAPES: Record<string, Shape> = {
  [`${GX_DEVELOPMENT}LegalParticipant`]: {
    required: {
      legalRegistrationNumber: [reference, { object: [] }],
      legalAddress: [address('countrySubdivisionCode')],
      headquarterAddress: [address('countrySubdivisionCode')]
    }
  },
  [`${GX_DEVELOPMENT}ServiceOffering`]: {
    required: {
      providedBy: [reference],
      termsAndConditions: [{ object: ['URL', 'hash'] }],
      policy: [literal],
      dataAccountExport: [{ object: ['requestType', 'accessType', 'formatType'] }]
    }
  },
  [`${GX_DEVELOPMENT}DataResource`]: {
    required: { producedBy: [reference], exposedThrough: [reference], license: [literal, reference], containsPII: ['boolean'] }
  }
}

/** The full IRIs of the development types this module checks. */
export const SHAPED_TYPES: readonly string[] = Object.keys(SHAPES)

/** Property values of a node keyed by full IRI. */
function properties (node: Record<string, unknown>, terms: TermMap): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>()
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@') || key === 'id' || key === 'type') continue
    const iri = expandTerm(key, terms)
    const values = Array.isArray(value) ? value : [value]
    out.set(iri, [...(out.get(iri) ?? []), ...values])
  }
  return out
}

function valueOf (value: unknown): unknown {
  return value != null && typeof value === 'object' && '@value' in value ? (value as any)['@value'] : value
}

function matchesKind (value: unknown, kind: ValueKind, namespace: string, terms: TermMap): string | undefined {
  const plain = valueOf(value)
  if (kind === 'literal') return (typeof plain === 'string' && plain !== '') || typeof plain === 'number' ? undefined : 'must be a literal'
  if (kind === 'boolean') return typeof plain === 'boolean' || plain === 'true' || plain === 'false' ? undefined : 'must be a boolean'
  if (kind === 'reference') {
    if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(value)) return undefined
    if (value != null && typeof value === 'object' && typeof ((value as any).id ?? (value as any)['@id']) === 'string') return undefined
    return 'must reference an entity (an IRI or an object with an id)'
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value) || '@value' in value) return 'must be an object'
  const inner = properties(value as Record<string, unknown>, terms)
  const missing = kind.object.filter(name => !(inner.get(namespace + name)?.some(v => valueOf(v) !== '' && v != null)))
  return missing.length === 0 ? undefined : `must have ${missing.map(m => `gx:${m}`).join(', ')}`
}

/** The violations of one subject node against the shapes of its types (empty: conforms). */
export function checkShapes (subject: Record<string, unknown>, typeIris: readonly string[], terms: TermMap): ShapeViolation[] {
  const violations: ShapeViolation[] = []
  const focusNode = String(subject.id ?? subject['@id'] ?? '_:subject')
  let props: Map<string, unknown[]> | undefined
  for (const type of typeIris) {
    const shape = SHAPES[type]
    if (shape == null) continue
    props ??= properties(subject, terms)
    const namespace = GX_DEVELOPMENT
    for (const [name, kinds] of Object.entries(shape.required)) {
      const path = namespace + name
      const values = props.get(path)
      if (values == null || values.length === 0) {
        violations.push({ focusNode, path, message: `gx:${name} is required for ${type}` })
        continue
      }
      for (const value of values) {
        const reasons = kinds.map(kind => matchesKind(value, kind, namespace, terms))
        if (reasons.every(r => r != null)) violations.push({ focusNode, path, message: `gx:${name} ${reasons.join(' or ')}` })
      }
    }
  }
  return violations
}

export function assertShapes (subject: Record<string, unknown>, typeIris: readonly string[], terms: TermMap): void {
  const violations = checkShapes(subject, typeIris, terms)
  if (violations.length > 0) throw new ShapeViolationError(violations)
}

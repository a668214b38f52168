// Types for shacl-engine and rdf-validation (its datatype checks), which ship none: the parts gxcat uses.
declare module 'shacl-engine' {
  import type { DatasetCore, Term } from '@rdfjs/types'

  export interface ValidationResult {
    severity: Term
    constraintComponent: Term
    focusNode: { term: Term }
    path?: Array<{ predicates: Term[] }> | null
    value?: { term: Term } | null
    message: Term[]
    shape: { ptr: { term: Term } }
  }

  export interface ValidationReport {
    conforms: boolean
    results: ValidationResult[]
  }

  export class Validator {
    constructor (shapes: DatasetCore, options: { factory: unknown, debug?: boolean, details?: boolean, validations?: Array<[Term, (shape: any) => unknown]> })
    validate (data: { dataset: DatasetCore, terms?: Iterable<Term> }, shapes?: Array<{ terms: Term[] }>): Promise<ValidationReport>
  }
}

declare module 'rdf-validation' {
  import type { Literal } from '@rdfjs/types'

  /** the lexical checks of the XSD datatypes, as shacl-engine runs them for sh:datatype */
  export class XsdValidation {
    validateSimple (term: Pick<Literal, 'value' | 'datatype'>): boolean
  }
}

import { createRdfStore } from './node/query/rdf-store.ts'
const s = createRdfStore()
for (const q of ['SELEC ?s WHERE { ?s ?p ?o }', 'SELECT ?s WHERE { ?s a foo:ServiceOffering }', 'SELECT ?s WHERE { ?s a gx:ServiceOffering }','SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}', 'SELECT ?s WHERE { ?s ?p ?o', 'SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s', 'PREFIX ex: <http://e/>\nSELECT * WHERE { ?s a gx:X . ?s bad:name ?n }', 'SELECT * WHERE { ?s <http://a ?o }', 'select (count(*) as ?n) where { ?s a gxdev:LegalPerson }', 'SELECT * WHERE { ?s ?p "abc }', 'PREFIX gx: <http://other/>\nSELECT * { ?s a gx:Y }','SELECT * WHERE { ?s ?p ?o } LIMIT x']) {
  try { console.log('OK', s.query(q).body.slice(0, 60)) } catch (e: any) { console.log(JSON.stringify(q), '=>', e.message) }
}

import oxigraph from 'oxigraph'
const s = new oxigraph.Store()
for (const q of ['SELEC ?s WHERE { ?s ?p ?o }', 'SELECT ?s WHERE { ?s a gx:ServiceOffering }', 'SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}', 'SELECT ?s WHERE { ?s ?p ?o', 'SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s', 'PREFIX gx: <https://w3id.org/gaia-x/2511#>\nSELECT * WHERE { ?s a gx:X . ?s schema:name ?n }']) {
  try { s.query(q, { use_default_graph_as_union: true, results_format: 'application/sparql-results+json' }) } catch (e: any) { console.log(JSON.stringify(q), '=>', JSON.stringify(e.message)) }
}

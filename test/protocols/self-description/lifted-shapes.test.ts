import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SHAPE_RELEASES } from '../../../protocols/self-description/gaia-x-shapes.ts'
import { keyOf, liftedFileText, liftedShapes, type LiftedShapes } from '../../../protocols/self-description/lifted-shapes.ts'

const releaseFolder = (folder: string): URL => new URL(`../../../protocols/self-description/${folder}/`, import.meta.url)

/** the lifted shapes as sorted text, to compare two loads */
function fingerprint (shapes: LiftedShapes): { quads: string[], inValues: string[] } {
  return {
    quads: shapes.quads.map(q => [q.subject, q.predicate, q.object].map(keyOf).join(' ')).sort(),
    inValues: [...shapes.inValues].map(([shape, values]) => `${shape} ${values.map(keyOf).join(' ')}`).sort()
  }
}

describe('lifted shapes', function () {
  this.timeout(60_000)

  it('ships each release\'s lifted.json as lifted from its Turtle (run `npm run shapes` after replacing one)', () => {
    for (const { folder } of SHAPE_RELEASES) {
      assert.equal(readFileSync(new URL('lifted.json', releaseFolder(folder)), 'utf8').trim(), liftedFileText(releaseFolder(folder)), `${folder}/lifted.json is behind its Turtle`)
    }
  })

  it('reads the same shapes from lifted.json as from the Turtle, and ignores a lifted.json its Turtle no longer matches', () => {
    const { folder } = SHAPE_RELEASES[0]
    const dir = mkdtempSync(join(tmpdir(), 'gxcat-lifted-'))
    try {
      for (const name of ['shapes.ttl', 'ontology.ttl']) copyFileSync(new URL(name, releaseFolder(folder)), join(dir, name))
      const copy = pathToFileURL(`${dir}/`)
      // no lifted.json: parsed from the Turtle
      const fromTurtle = fingerprint(liftedShapes(copy))
      assert.ok(fromTurtle.quads.length > 5000 && fromTurtle.inValues.length > 100)
      assert.deepEqual(fingerprint(liftedShapes(releaseFolder(folder))), fromTurtle)

      // a Turtle edited after its lifted.json was written: the edit counts, the stale file does not
      writeFileSync(join(dir, 'lifted.json'), liftedFileText(copy))
      writeFileSync(join(dir, 'ontology.ttl'), readFileSync(join(dir, 'ontology.ttl'), 'utf8') + '\n<urn:gxcat:test:A> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <urn:gxcat:test:B> .\n')
      const edited = fingerprint(liftedShapes(copy))
      assert.equal(edited.quads.length, fromTurtle.quads.length + 1)
      assert.ok(edited.quads.includes('Nurn:gxcat:test:A Nhttp://www.w3.org/2000/01/rdf-schema#subClassOf Nurn:gxcat:test:B'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

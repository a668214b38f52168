/**
 * `npm run shapes`: writes each bundled release's lifted.json from its official Turtle (see
 * protocols/self-description/lifted-shapes.ts). Run it after replacing a release's Turtle; a
 * test fails while a lifted.json is behind its Turtle.
 */
import { writeFileSync } from 'node:fs'
import { SHAPE_RELEASES } from '../protocols/self-description/gaia-x-shapes.ts'
import { liftedFileText } from '../protocols/self-description/lifted-shapes.ts'

for (const { folder } of SHAPE_RELEASES) {
  const dir = new URL(`../protocols/self-description/${folder}/`, import.meta.url)
  const text = liftedFileText(dir)
  writeFileSync(new URL('lifted.json', dir), text + '\n')
  console.log(`${folder}/lifted.json: ${(text.length / 1024).toFixed(0)} KiB`)
}

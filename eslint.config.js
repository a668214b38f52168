/**
 * The field's style (neostandard: standard for TypeScript), with the exceptions this code base
 * relies on: `void` marks a promise left to run as a statement (as js-libp2p writes it), async
 * loops whose condition another task changes, and the web page's browser globals.
 */
import neostandard from 'neostandard'
import globals from 'globals'

export default [
  { ignores: ['dist/**', 'out/**', 'docs/api/**'] },
  ...neostandard({ ts: true }),
  {
    rules: {
      'no-void': ['error', { allowAsStatement: true }],
      // a loop that awaits reads a flag another task sets: the rule cannot see that
      'no-unmodified-loop-condition': 'off'
    }
  },
  {
    files: ['node/http/ui/**/*.js'],
    languageOptions: { globals: globals.browser }
  }
]

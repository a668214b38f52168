// Types for @digitalbazaar/credentials-context, which ships none.
declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, Record<string, any>>
}

/**
 * Anti-entropy: range-based set reconciliation of the versions two nodes serve, then the
 * transfer of what each lacks. Written here: no maintained package fits (the one npm package
 * for Negentropy, @nostr-dev-kit/sync, is bound to Nostr relays and NDK).
 */
export * from './errors.ts'
export * from './sync-set.ts'
export * from './messages.ts'
export * from './reconcile.ts'
export * from './session.ts'

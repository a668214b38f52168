/**
 * Bootstrap: the list format and how a new node finds the network.
 */
export * from './bootstrap-list.ts'
export * from './bootstrap-dialer.ts'

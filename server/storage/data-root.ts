// CONTRACT STUB — to be implemented by the storage work (issue 3/6): the sandboxed data root.
// Every path a client or ticket names is resolved here, with real paths checked to stay under
// the root (no `..`, absolute paths or symlinks leading outside).
export interface DataRoot {
  /** Absolute real path of the root directory. */
  readonly dir: string;
}

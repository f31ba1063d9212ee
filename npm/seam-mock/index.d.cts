// Types of the seam-mock helper (index.cjs; index.d.mts re-exports them for `import`).
import type { ChildProcess } from 'node:child_process'

/** Options of {@link startSeamMock}. */
export interface StartSeamMockOptions {
  /** Seed for every random choice (PINs, keys, ids): `--rng-seed`. */
  rngSeed?: number
  /** Extra command-line flags (`npx seam-mock --help`), e.g. `['--programming-delay', '5']`. */
  args?: readonly string[]
  /** The binary to run instead of the platform package's (also: `SEAM_MOCK_BIN`). */
  binary?: string
  /** How long the server may take to listen; default 30 000 ms. */
  startupTimeoutMs?: number
}

/** Filters of the request journal (`/_fake/requests`); each one given narrows the list. */
export interface RequestFilters {
  workspace_id?: string
  method?: string
  path?: string
  status?: number
  /** ISO 8601; only requests received at or after it (server clock). */
  since?: string
  /** At most this many: the most recent matches, still oldest first. */
  limit?: number
}

/** One recorded Seam-API request and what the server answered. */
export type JournalEntry = Record<string, unknown>

/** The default seed's well-known names (`august_device_1`, ...) mapped to ids and tokens. */
export type Seed = Record<string, string>

/** A fresh isolated workspace, seeded like the default one, with an API key of its own. */
export interface Sandbox {
  workspaceId: string
  apiKey: string
  /** The default seed's names mapped to this sandbox's ids. */
  seed: Seed
  /** The journal's entries for this sandbox's workspace. */
  requests(filters?: Omit<RequestFilters, 'workspace_id'>): Promise<JournalEntry[]>
  /** This sandbox alone back to its seed, same ids. */
  reset(): Promise<void>
}

/** Options of {@link SeamMock.sandbox}. */
export interface SandboxOptions {
  /** The workspace's name (default `Sandbox`; the dashboard shows it). */
  name?: string
}

/** A running seam-mock server. */
export interface SeamMock {
  /** Base URL, e.g. `http://127.0.0.1:43121`: the SDK's `endpoint`. */
  endpoint: string
  /** The seed's API key for `seed_workspace_1`: `seam_apikey1_token`. */
  apiKey: string
  seed: Seed
  /** The server's process. */
  process: ChildProcess
  /** Moves the server clock forward; resolves to the new server time (ISO 8601). */
  advanceTime(seconds: number): Promise<string>
  /** The request journal, oldest first. */
  requests(filters?: RequestFilters): Promise<JournalEntry[]>
  /** Every workspace back to the seed. */
  reset(): Promise<void>
  /** A new isolated workspace (`/_fake/sandboxes/create`). */
  sandbox(options?: SandboxOptions): Promise<Sandbox>
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
  stop(): Promise<void>
}

/** Starts seam-mock on a free loopback port; resolves once it listens. */
export function startSeamMock(options?: StartSeamMockOptions): Promise<SeamMock>

/** The path of the binary `startSeamMock` runs. */
export function binaryPath(): string

export const DEFAULT_API_KEY: 'seam_apikey1_token'

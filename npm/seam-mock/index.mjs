// The ESM entry point: the same helper as index.cjs (one implementation, two module systems).
import helper from './index.cjs'

export const { startSeamMock, binaryPath, DEFAULT_API_KEY } = helper

// Types for `import ... from 'seam-mock'`: the same as for require (index.d.cts).
export * from './index.cjs'

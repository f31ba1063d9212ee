#!/usr/bin/env node
// `npx seam-mock [flags]`: runs this platform's server binary with the same arguments, passing
// signals on and exiting the way it exited.
'use strict'

const { spawn } = require('node:child_process')
const { binaryPath } = require('../index.cjs')

let child
try {
  child = spawn(binaryPath(), process.argv.slice(2), { stdio: 'inherit' })
} catch (e) {
  console.error(`seam-mock: ${e.message}`)
  process.exit(1)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal))
}
child.on('error', (e) => {
  console.error(`seam-mock: ${e.message}`)
  process.exit(1)
})
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  } else {
    process.exit(code ?? 1)
  }
})

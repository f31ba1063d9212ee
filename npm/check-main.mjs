// Checks that the main npm package (npm/seam-mock/package.json) has the crate's version and
// names every platform package of platforms.json at that version as an optional dependency.
//   node npm/check-main.mjs VERSION
import { readFileSync } from 'node:fs'

const here = new URL('.', import.meta.url)
const version = process.argv[2]
const main = JSON.parse(readFileSync(new URL('seam-mock/package.json', here), 'utf8'))
const platforms = Object.keys(JSON.parse(readFileSync(new URL('platforms.json', here), 'utf8')))
  .filter((k) => k !== '//')
const want = Object.fromEntries(platforms.map((p) => [`@seam-mock/${p}`, version]))
const problems = []
if (main.version !== version) problems.push(`version ${main.version}, Cargo.toml says ${version}`)
if (JSON.stringify(main.optionalDependencies) !== JSON.stringify(want)) {
  problems.push(`optionalDependencies should be ${JSON.stringify(want)}`)
}
if (problems.length) {
  console.error(`npm/seam-mock/package.json: ${problems.join('; ')}`)
  process.exit(1)
}
